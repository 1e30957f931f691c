// One reading of a repository's sync state and last run, so `repo list`, the admin API and the read API agree on
// what "synced", "failed" or "rate-limited" means.
import type { SyncRunEvent } from './logged-event';
import type { SyncState } from './sync/ports';

export type RepositoryStatus = 'pending' | 'syncing' | 'synced' | 'failed' | 'rate-limited' | 'blocked' | 'empty';

/**
 * A parked sync (rate limits), a running one, the last failure, the last outcome, or the cursor. Failures are not in
 * the sync state (the run did not finish): the events log's last run has them.
 */
export function repositoryStatus(
  state: SyncState,
  lastRun: SyncRunEvent | undefined,
  now: Date,
): { status: RepositoryStatus; reason?: string } {
  if (state.notBefore && Date.parse(state.notBefore) > now.getTime()) return { status: 'rate-limited', reason: `until ${state.notBefore}` };
  if (state.progress) return { status: 'syncing' };
  if (lastRun?.outcome === 'failed' && (!state.lastRun || lastRun.at >= state.lastRun.at))
    return { status: 'failed', reason: lastRun.reason ?? 'unknown' };
  if (state.lastRun?.outcome === 'no-branch') return { status: 'empty' };
  if (state.lastRun?.outcome === 'blocked') return { status: 'blocked', reason: state.lastRun.error ?? 'unknown' };
  if (state.cursor) return { status: 'synced' };
  return { status: 'pending' };
}
