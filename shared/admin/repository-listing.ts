// How the admin sees an added repository at a glance: branch, synced commit, status (with the last failure's
// reason and a running sync's progress) and model count; `repo list`, `repo show` and the admin API's listing.
import type { SyncRunEvent } from '../domain/logged-event';
import type { RepositoryConfig } from '../domain/repository-config';
import { repositoryStatus } from '../domain/repository-status';
import type { HubContext } from './hub-context';

/** One line of `repo list --json`. */
export interface RepositoryListing {
  repository: string;
  uuid: string;
  branch: string | null;
  syncedCommit: string | null;
  /** pending (never synced), syncing, synced, failed, rate-limited, empty (no default branch). */
  status: string;
  lastSyncAt: string | null;
  models: number;
  modelPattern: string;
  /** Why the last run failed, when `status` is failed. */
  reason?: string;
  /** Files done / total of a running sync. */
  progress?: { done: number; total: number };
}

/** The listing of one repository: its sync state, its last failed run, and its model count. */
export async function describeRepository(context: HubContext, repository: RepositoryConfig, now: Date): Promise<RepositoryListing> {
  const [state, models, events] = await Promise.all([
    context.repositories.getSyncState(repository.uuid),
    context.models.listModels(repository.uuid),
    context.events.list({ repositoryUuid: repository.uuid, limit: 20 }),
  ]);
  const lastRun = events.find((event): event is SyncRunEvent => event.kind === 'sync' && event.outcome !== 'partial');
  const { status, reason } = repositoryStatus(state, lastRun, now);
  return {
    repository: repository.fullName,
    uuid: repository.uuid,
    branch: state.branch ?? state.progress?.branch ?? null,
    syncedCommit: state.cursor ?? null,
    status,
    lastSyncAt: lastRun?.at ?? state.lastRun?.at ?? null,
    models: models.length,
    modelPattern: repository.modelPattern,
    ...(reason ? { reason } : {}),
    ...(state.progress?.total !== undefined ? { progress: { done: state.progress.done ?? 0, total: state.progress.total } } : {}),
  };
}
