// The Git Provider tab: "+ setup Git Provider" (Bitbucket Cloud: the webhook URL to give Bitbucket, the webhook
// secret's state, then the access token and the repositories to add) and, once set up, the webhook secret's
// rotation with its safe wait (the new secret is shown once), updating the webhooks, and the stored tokens.
import { useState } from 'preact/hooks';
import type { FinishRotationResponse, ProviderResponse, RotateSecretResponse, UpdateWebhooksResponse } from '../../shared/admin/api-types';
import { Dialog } from '../components/dialog';
import { ErrorNotice, Messages, type Problem } from '../components/error-notice';
import { secondsUntil, shownTime } from '../format';
import { useAction, useApi, useLoad, useNow, type Loaded } from '../hooks';
import { AddRepositories } from './add-repositories';

export function Provider() {
  const provider = useLoad((api) => api.get<ProviderResponse>('/provider'), 'provider');
  const [settingUp, setSettingUp] = useState(false);
  const data = provider.data;
  return (
    <section aria-labelledby="provider-title">
      <div class="screen-header">
        <h1 id="provider-title">Git Provider</h1>
        <button type="button" class="primary" onClick={() => setSettingUp(true)} disabled={settingUp}>
          + setup Git Provider
        </button>
      </div>
      <ErrorNotice error={provider.error} />
      {settingUp && data && <ProviderSetup data={data} onChanged={provider.reload} onClose={() => setSettingUp(false)} />}
      {data && !settingUp && <BitbucketCloud provider={provider as Loaded<ProviderResponse> & { data: ProviderResponse }} />}
    </section>
  );
}

function CopyField({ id, label, value }: { id: string; label: string; value: string }) {
  const [copied, setCopied] = useState(false);
  return (
    <>
      <label for={id}>{label}</label>
      <div class="inline-field">
        <input id={id} value={value} readOnly onFocus={(event) => event.currentTarget.select()} />
        <button
          type="button"
          onClick={() =>
            void navigator.clipboard?.writeText(value).then(
              () => setCopied(true),
              () => undefined,
            )
          }
          aria-label={`Copy ${label}`}
        >
          {copied ? 'Copied' : 'Copy'}
        </button>
      </div>
    </>
  );
}

/** The setup wizard: Bitbucket Cloud, its webhook URL and secret, then the add flow (token, workspace, repositories). */
function ProviderSetup({ data, onChanged, onClose }: { data: ProviderResponse; onChanged: () => void; onClose: () => void }) {
  const [kind, setKind] = useState('');
  return (
    <section class="panel" aria-labelledby="setup-title">
      <div class="screen-header">
        <h2 id="setup-title">Set up a Git provider</h2>
        <button type="button" onClick={onClose}>
          Close
        </button>
      </div>
      <div class="form-grid">
        <label for="provider-kind">Provider</label>
        <select id="provider-kind" value={kind} onChange={(event) => setKind(event.currentTarget.value)}>
          <option value="">Choose…</option>
          <option value="bitbucket-cloud">Bitbucket Cloud</option>
        </select>
      </div>
      {kind === 'bitbucket-cloud' && (
        <>
          <div class="form-grid">
            <CopyField id="setup-webhook-url" label="Webhook URL" value={data.webhookUrl} />
            <span>Webhook secret</span>
            <span>{data.secretSet ? 'set (the hub signs its webhooks with it; never shown)' : <CreateSecret onChanged={onChanged} />}</span>
          </div>
          {data.secretSet && <AddRepositories embedded />}
        </>
      )}
    </section>
  );
}

function CreateSecret({ onChanged }: { onChanged: () => void }) {
  const api = useApi();
  const action = useAction();
  return (
    <>
      <button
        type="button"
        disabled={action.busy}
        onClick={() =>
          void action.run(() => api.post<RotateSecretResponse>('/provider/rotate-secret', {})).then((answer) => answer && onChanged())
        }
      >
        Create the webhook secret
      </button>
      <ErrorNotice error={action.error} />
    </>
  );
}

function BitbucketCloud({ provider }: { provider: Loaded<ProviderResponse> & { data: ProviderResponse } }) {
  const data = provider.data;
  return (
    <section class="panel" aria-labelledby="bitbucket-title">
      <h2 id="bitbucket-title">Bitbucket Cloud</h2>
      <div class="form-grid">
        <CopyField id="webhook-url" label="Webhook URL" value={data.webhookUrl} />
        <span>Webhook events</span>
        <span>{data.webhookEvents.join(', ')}</span>
        <span>Webhook secret</span>
        <span data-testid="secret-status">{data.secretSet ? 'set' : 'not set'}</span>
        <span>Bitbucket API</span>
        <span>{data.bitbucketApiUrl}</span>
        <span>Repositories</span>
        <span>{data.repositories}</span>
      </div>
      <Rotation data={data} onChanged={provider.reload} />
      <h3>Stored access tokens</h3>
      {data.tokens.length === 0 ? (
        <p>None yet: tokens are stored when repositories are added.</p>
      ) : (
        <ul aria-label="Stored access tokens">
          {data.tokens.map((token) => (
            <li key={token.secretName}>
              <code>{token.secretName}</code>: {token.repositories.join(', ') || 'no repository'}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

/** Rotation: a new secret (shown once), the safe wait, webhooks updated, then the old secret refused. */
function Rotation({ data, onChanged }: { data: ProviderResponse; onChanged: () => void }) {
  const api = useApi();
  const action = useAction();
  const [confirming, setConfirming] = useState(false);
  const [rotated, setRotated] = useState<RotateSecretResponse | undefined>(undefined);
  const [outcome, setOutcome] = useState<{ messages: readonly string[]; problem?: Problem | null } | undefined>(undefined);

  const rotate = async () => {
    const answer = await action.run(() => api.post<RotateSecretResponse>('/provider/rotate-secret', {}));
    setConfirming(false);
    if (answer) {
      setRotated(answer);
      onChanged();
    }
  };
  const updateWebhooks = async (skipCacheWait: boolean) => {
    const answer = await action.run(() => api.post<UpdateWebhooksResponse>('/provider/update-webhooks', { skipCacheWait }));
    if (answer) setOutcome({ messages: answer.messages, problem: answer.problem });
  };
  const finish = async () => {
    const answer = await action.run(() => api.post<FinishRotationResponse>('/provider/finish-rotation', { force: false }));
    if (answer) {
      setOutcome({ messages: answer.messages });
      onChanged();
    }
  };

  return (
    <section aria-labelledby="rotation-title">
      <h3 id="rotation-title">Webhook secret rotation</h3>
      {data.rotation.inProgress ? (
        <RotationInProgress
          rotation={data.rotation}
          busy={action.busy}
          onUpdate={(skip) => void updateWebhooks(skip)}
          onFinish={() => void finish()}
        />
      ) : (
        <button type="button" disabled={action.busy} onClick={() => setConfirming(true)}>
          Rotate webhook secret
        </button>
      )}
      <ErrorNotice error={action.error} onDismiss={action.clear} />
      <ErrorNotice error={outcome?.problem} />
      <Messages messages={outcome?.messages} label="What the hub did" />
      {confirming && (
        <Dialog title="Rotate the webhook secret?" onCancel={() => setConfirming(false)}>
          <p>
            A new secret becomes current; the old one stays accepted until you finish the rotation, so no delivery is refused meanwhile.
          </p>
          <div class="dialog-buttons">
            <button type="button" onClick={() => setConfirming(false)}>
              Cancel
            </button>
            <button type="button" class="primary" disabled={action.busy} onClick={() => void rotate()}>
              Rotate
            </button>
          </div>
        </Dialog>
      )}
      {rotated && <NewSecretDialog rotated={rotated} onDone={() => setRotated(undefined)} />}
    </section>
  );
}

function RotationInProgress(props: {
  rotation: ProviderResponse['rotation'];
  busy: boolean;
  onUpdate: (skipWait: boolean) => void;
  onFinish: () => void;
}) {
  const [skipWait, setSkipWait] = useState(false);
  const now = useNow();
  const waitSeconds = secondsUntil(props.rotation.safeAfter, now);
  return (
    <div role="status">
      <p>
        Rotation in progress since {shownTime(props.rotation.since)}: the previous secret is still accepted.{' '}
        {waitSeconds > 0
          ? `Every verifier knows the new secret in ${waitSeconds} s (they cache it); then update the webhooks.`
          : 'Every verifier knows the new secret: update the webhooks, then finish the rotation.'}
      </p>
      <label class="checkbox">
        <input type="checkbox" checked={skipWait} onChange={(event) => setSkipWait(event.currentTarget.checked)} /> Every verifier restarted
        since the rotation (skip the wait)
      </label>
      <div class="button-row">
        <button type="button" disabled={props.busy || (waitSeconds > 0 && !skipWait)} onClick={() => props.onUpdate(skipWait)}>
          Update webhooks
        </button>
        <button type="button" disabled={props.busy || waitSeconds > 0} onClick={props.onFinish}>
          Finish rotation
        </button>
      </div>
    </div>
  );
}

/** The new secret, the one time the hub gives it. */
function NewSecretDialog({ rotated, onDone }: { rotated: RotateSecretResponse; onDone: () => void }) {
  return (
    <Dialog title="New webhook secret" onCancel={onDone}>
      <p>
        <strong>Shown this once.</strong> The hub sets it on its webhooks itself (“Update webhooks”); copy it only for webhooks you made by
        hand.
      </p>
      <CopyField id="new-secret" label="New webhook secret" value={rotated.secret} />
      <Messages messages={rotated.messages} label="What the hub did" />
      <div class="dialog-buttons">
        <button type="button" class="primary" onClick={onDone}>
          Done
        </button>
      </div>
    </Dialog>
  );
}
