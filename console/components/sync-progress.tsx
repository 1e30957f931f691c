// The progress of the long actions the admin started, followed until each ends and again after a page reload:
// queued → running (files done/total) → finished (what changed) or failed (what went wrong, what to do next).
import type { SyncStatusResponse } from '../../shared/admin/api-types';
import { uuidSegment } from '../api/client';
import { shownCounts, shortCommit } from '../format';
import { useLoad } from '../hooks';
import { useEffect, useState } from 'preact/hooks';
import { dismissSync, useFollowedSyncs, type FollowedSync } from '../sync-tracker';
import { ErrorNotice } from './error-notice';

/** How often a running sync is asked for its progress. */
export const SYNC_POLL_MS = 1000;

/** One sentence for a sync's state. */
export function describeSync(status: SyncStatusResponse): string {
  switch (status.state) {
    case 'queued':
      return 'queued, waiting for the worker';
    case 'running':
      return status.progress ? `running: ${status.progress.done}/${status.progress.total} files` : 'running';
    case 'finished': {
      const result = status.result;
      if (!result) return 'finished';
      const counts = result.counts ? ` (${shownCounts(result.counts)})` : '';
      const commit = result.commit ? ` at ${shortCommit(result.commit)}` : '';
      return `finished: ${result.outcome}${commit}${counts}`;
    }
    case 'failed':
      return 'failed';
  }
}

/** One followed sync, asked for its state until it ends. */
export function SyncProgress({ sync, onDismiss }: { sync: FollowedSync; onDismiss?: () => void }) {
  const path = `/repositories/${uuidSegment(sync.uuid)}/syncs/${encodeURIComponent(sync.requestUuid)}`;
  const [ended, setEnded] = useState(false);
  // Asked every second until it ends; its last answer then stays (a reload asks once more).
  const status = useLoad((api) => api.get<SyncStatusResponse>(path), path, ended ? undefined : SYNC_POLL_MS);
  const shown = status.data;
  const over = shown?.state === 'finished' || shown?.state === 'failed';
  useEffect(() => setEnded(over), [over]);
  const progress = shown?.state === 'running' ? shown.progress : null;

  return (
    <li class={`sync sync-${shown?.state ?? 'loading'}`} data-request={sync.requestUuid}>
      <div class="sync-title">
        <strong>{sync.repository}</strong> · {sync.action}
      </div>
      <div class="sync-state" role="status">
        {shown ? describeSync(shown) : 'asking the hub…'}
      </div>
      {progress && progress.total > 0 ? (
        <progress max={progress.total} value={progress.done} aria-label={`${sync.repository}: files synced`} />
      ) : (
        !ended && <progress aria-label={`${sync.repository}: waiting`} />
      )}
      {shown?.state === 'failed' && <ErrorNotice error={shown.error ?? { message: 'the sync failed', hint: 'see its run in Events' }} />}
      <ErrorNotice error={status.error} />
      {onDismiss && ended && (
        <button type="button" class="link-button" onClick={onDismiss} aria-label={`Dismiss ${sync.repository}: ${sync.action}`}>
          Dismiss
        </button>
      )}
    </li>
  );
}

/** Every followed sync, newest first; shown on every screen so a started action stays in sight. */
export function SyncTracker() {
  const syncs = useFollowedSyncs();
  if (syncs.length === 0) return null;
  return (
    <section class="tracker" aria-label="Long actions">
      <h2 class="tracker-title">Long actions</h2>
      <ul class="sync-list">
        {syncs.map((sync) => (
          <SyncProgress key={sync.requestUuid} sync={sync} onDismiss={() => dismissSync(sync.requestUuid)} />
        ))}
      </ul>
    </section>
  );
}
