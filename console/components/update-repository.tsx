// "Update pattern or token…" of a repository's menu (`repo update`): a new model pattern (the hub then queues a
// sync that re-selects the models, followed in "Long actions") and/or a new access token, which is write-only: it
// goes to the hub once and is never shown again; the answer says which repositories now use it.
import { useState } from 'preact/hooks';
import type { UpdateRepositoryRequest, UpdateRepositoryResponse } from '../../shared/admin/api-types';
import { uuidSegment } from '../api/client';
import { useAction, useApi } from '../hooks';
import { followSync } from '../sync-tracker';
import { Dialog } from './dialog';
import { ErrorNotice, Messages } from './error-notice';

/** How the followed sync of a new pattern is named in "Long actions". */
export const PATTERN_SYNC_ACTION = 'Synchronize with the new pattern';

export interface UpdateTarget {
  readonly uuid: string;
  readonly repository: string;
  /** The current model pattern, when the screen knows it. */
  readonly modelPattern?: string;
}

/** Only what the admin changed: the pattern when it differs from the current one, the token when one was typed. */
export function updateRequest(target: UpdateTarget, pattern: string, token: string): UpdateRepositoryRequest {
  const newPattern = pattern.trim();
  return {
    ...(newPattern && newPattern !== target.modelPattern ? { pattern: newPattern } : {}),
    ...(token.trim() ? { token: token.trim() } : {}),
  };
}

export function UpdateRepositoryDialog({ target, onClose }: { target: UpdateTarget; onClose: (changed: boolean) => void }) {
  const api = useApi();
  const action = useAction();
  const [pattern, setPattern] = useState(target.modelPattern ?? '');
  const [token, setToken] = useState('');
  const [answer, setAnswer] = useState<UpdateRepositoryResponse | undefined>(undefined);
  const request = updateRequest(target, pattern, token);
  const changes = Object.keys(request).length > 0;

  const update = async () => {
    const updated = await action.run(() => api.patch<UpdateRepositoryResponse>(`/repositories/${uuidSegment(target.uuid)}`, request));
    if (!updated) return;
    setToken('');
    if (updated.sync)
      followSync({
        uuid: target.uuid,
        repository: updated.repository.repository,
        requestUuid: updated.sync.requestUuid,
        action: PATTERN_SYNC_ACTION,
        startedAt: new Date().toISOString(),
      });
    setAnswer(updated);
  };

  if (answer) return <Updated answer={answer} onClose={() => onClose(true)} />;
  return (
    <Dialog title={`Update ${target.repository}`} onCancel={() => onClose(false)}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (changes) void update();
        }}
      >
        <label for="update-pattern">Model files</label>
        <input id="update-pattern" value={pattern} onInput={(event) => setPattern(event.currentTarget.value)} spellcheck={false} />
        <p class="field-hint">A glob such as models/**/*.hck.json; a new pattern queues a sync that selects the models again.</p>
        <label for="update-token">New access token (leave empty to keep the stored one)</label>
        <input
          id="update-token"
          type="password"
          value={token}
          onInput={(event) => setToken(event.currentTarget.value)}
          autocomplete="off"
          spellcheck={false}
        />
        <p class="field-hint">
          Checked against the repository first; repositories sharing the stored token get it too where it reads them.
        </p>
        <ErrorNotice error={action.error} />
        <div class="dialog-buttons">
          <button type="button" onClick={() => onClose(false)}>
            Cancel
          </button>
          <button type="submit" class="primary" disabled={!changes || action.busy}>
            {action.busy ? 'Updating…' : 'Update repository'}
          </button>
        </div>
      </form>
    </Dialog>
  );
}

function Updated({ answer, onClose }: { answer: UpdateRepositoryResponse; onClose: () => void }) {
  return (
    <Dialog title={`${answer.repository.repository} updated`} onCancel={onClose}>
      <dl class="facts">
        <dt>Model files</dt>
        <dd>
          <code>{answer.repository.modelPattern}</code>
        </dd>
        {answer.token && (
          <>
            <dt>New token used by</dt>
            <dd>{answer.token.updated.join(', ') || 'none'}</dd>
            {answer.token.kept.length > 0 && (
              <>
                <dt>Keeping the previous token</dt>
                <dd>{answer.token.kept.join(', ')} (the new one cannot read them)</dd>
              </>
            )}
          </>
        )}
      </dl>
      {answer.sync && <p>A sync with the new pattern is queued: follow it in Long actions.</p>}
      <Messages messages={answer.messages} label="What the hub did" />
      <div class="dialog-buttons">
        <button type="button" class="primary" onClick={onClose}>
          Close
        </button>
      </div>
    </Dialog>
  );
}
