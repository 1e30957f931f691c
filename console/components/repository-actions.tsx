// The per-repository menu of the Repositories screen and the repository's page: the panel's three sync actions,
// verify, update (pattern or token), and remove (after typing the repository's name, as a confirmation). Each queued sync is followed in
// "Long actions" until it ends, across page reloads.
import { useState } from 'preact/hooks';
import type { RemoveRepositoryResponse, SyncQueuedResponse, SyncRequestBody } from '../../shared/admin/api-types';
import { uuidSegment } from '../api/client';
import { useAction, useApi } from '../hooks';
import { followSync } from '../sync-tracker';
import { ActionsMenu } from './actions-menu';
import { Dialog } from './dialog';
import { ErrorNotice, Messages } from './error-notice';
import { UpdateRepositoryDialog } from './update-repository';

export interface RepositoryRef {
  readonly uuid: string;
  readonly repository: string;
  /** The current model pattern (the update dialog starts from it). */
  readonly modelPattern?: string;
}

export const SYNC_ACTIONS = {
  recent: 'Synchronize recent changes',
  entire: 'Synchronize entire repository',
  fromCommit: 'Synchronize from commit hash',
  verify: 'Verify',
  update: 'Update pattern or token…',
  remove: 'Remove…',
} as const;

type Open = 'from-commit' | 'update' | 'remove' | undefined;

export function RepositoryActions({
  target,
  onChanged,
  onRemoved,
}: {
  target: RepositoryRef;
  onChanged?: () => void;
  onRemoved?: (answer: RemoveRepositoryResponse) => void;
}) {
  const api = useApi();
  const action = useAction();
  const [open, setOpen] = useState<Open>(undefined);
  const base = `/repositories/${uuidSegment(target.uuid)}`;

  const queue = async (label: string, path: string, body: SyncRequestBody | Record<string, never>) => {
    const answer = await action.run(() => api.post<SyncQueuedResponse>(path, body));
    if (!answer) return false;
    followSync({
      uuid: target.uuid,
      repository: target.repository,
      requestUuid: answer.requestUuid,
      action: label,
      startedAt: answer.requestedAt,
    });
    onChanged?.();
    return true;
  };

  const items = [
    { label: SYNC_ACTIONS.recent, onSelect: () => void queue(SYNC_ACTIONS.recent, `${base}/sync`, { mode: 'recent' }) },
    { label: SYNC_ACTIONS.entire, onSelect: () => void queue(SYNC_ACTIONS.entire, `${base}/sync`, { mode: 'entire' }) },
    { label: SYNC_ACTIONS.fromCommit, onSelect: () => setOpen('from-commit') },
    { label: SYNC_ACTIONS.verify, onSelect: () => void queue(SYNC_ACTIONS.verify, `${base}/verify`, {}) },
    { label: SYNC_ACTIONS.update, onSelect: () => setOpen('update') },
    { label: SYNC_ACTIONS.remove, danger: true, onSelect: () => setOpen('remove') },
  ];

  return (
    <div class="repository-actions">
      <ActionsMenu label={`Actions for ${target.repository}`} items={items} />
      <ErrorNotice error={action.error} onDismiss={action.clear} />
      {open === 'from-commit' && (
        <FromCommitDialog
          repository={target.repository}
          onCancel={() => setOpen(undefined)}
          onSubmit={async (commit) => {
            const queued = await queue(`${SYNC_ACTIONS.fromCommit} ${commit.slice(0, 7)}`, `${base}/sync`, {
              mode: 'from-commit',
              fromCommit: commit,
            });
            if (queued) setOpen(undefined);
          }}
          error={action.error}
          busy={action.busy}
        />
      )}
      {open === 'update' && (
        <UpdateRepositoryDialog
          target={target}
          onClose={(changed) => {
            setOpen(undefined);
            if (changed) onChanged?.();
          }}
        />
      )}
      {open === 'remove' && (
        <RemoveDialog
          target={target}
          onCancel={() => setOpen(undefined)}
          onRemoved={(answer) => {
            setOpen(undefined);
            onRemoved?.(answer);
            onChanged?.();
          }}
        />
      )}
    </div>
  );
}

function FromCommitDialog(props: {
  repository: string;
  onCancel: () => void;
  onSubmit: (commit: string) => Promise<void>;
  error: ReturnType<typeof useAction>['error'];
  busy: boolean;
}) {
  const [commit, setCommit] = useState('');
  const valid = /^[0-9a-f]{7,40}$/i.test(commit.trim());
  return (
    <Dialog title={`Synchronize ${props.repository} from a commit`} onCancel={props.onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (valid) void props.onSubmit(commit.trim());
        }}
      >
        <label for="from-commit">Commit hash (7 to 40 hexadecimal characters)</label>
        <input
          id="from-commit"
          value={commit}
          onInput={(event) => setCommit(event.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
        {commit && !valid && <p class="field-hint">A commit hash has 7 to 40 characters 0-9 and a-f.</p>}
        <ErrorNotice error={props.error} />
        <div class="dialog-buttons">
          <button type="button" onClick={props.onCancel}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!valid || props.busy}>
            Synchronize from this commit
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function RemoveDialog({
  target,
  onCancel,
  onRemoved,
}: {
  target: RepositoryRef;
  onCancel: () => void;
  onRemoved: (answer: RemoveRepositoryResponse) => void;
}) {
  const api = useApi();
  const action = useAction();
  const [typed, setTyped] = useState('');
  const [keepModels, setKeepModels] = useState(false);
  const [answer, setAnswer] = useState<RemoveRepositoryResponse | undefined>(undefined);
  const confirmed = typed.trim() === target.repository;

  const remove = async () => {
    const removed = await action.run(() =>
      api.post<RemoveRepositoryResponse>(`/repositories/${uuidSegment(target.uuid)}/remove`, {
        confirm: typed.trim(),
        keepModels,
        keepWebhook: false,
      }),
    );
    if (removed) setAnswer(removed);
  };

  if (answer) {
    return (
      <Dialog title={`${answer.repository} removed`} onCancel={() => onRemoved(answer)}>
        <Messages messages={answer.messages} label="What the hub did" />
        <div class="dialog-buttons">
          <button type="button" class="primary" onClick={() => onRemoved(answer)}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }
  return (
    <Dialog title={`Remove ${target.repository}?`} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (confirmed) void remove();
        }}
      >
        <p>
          The hub stops syncing it: its webhook is deleted in Bitbucket, its models{keepModels ? ' are kept' : ' are deleted'}, and its
          access token too unless other repositories use it. Adding it again later starts with a full sync.
        </p>
        <label class="checkbox">
          <input type="checkbox" checked={keepModels} onChange={(event) => setKeepModels(event.currentTarget.checked)} /> Keep its
          replicated models
        </label>
        <label for="confirm-remove">
          Type <code>{target.repository}</code> to confirm
        </label>
        <input
          id="confirm-remove"
          value={typed}
          onInput={(event) => setTyped(event.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
        <ErrorNotice error={action.error} />
        <div class="dialog-buttons">
          <button type="button" onClick={onCancel}>
            Cancel
          </button>
          <button type="submit" class="danger" disabled={!confirmed || action.busy}>
            {action.busy ? 'Removing…' : 'Remove repository'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
