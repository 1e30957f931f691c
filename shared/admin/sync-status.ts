// Where a queued admin sync stands, looked up by its request id: the console follows a sync with it, also after a
// page reload (the request id is all it keeps).
import type { SyncStatusResponse } from './api-types';
import { explainError } from './errors';
import type { HubContext } from './hub-context';
import type { RepositoryConfig } from '../domain/repository-config';
import { lookAtSync, syncOutcome } from './sync-progress';

/** The state of the sync `requestUuid` of `repository`: queued, running (with progress), finished or failed. */
export async function syncStatus(context: HubContext, repository: RepositoryConfig, requestUuid: string): Promise<SyncStatusResponse> {
  const look = await lookAtSync(context, repository.uuid, requestUuid);
  const base = { repository: repository.fullName, uuid: repository.uuid, requestUuid };
  const progress =
    look.progress?.total !== undefined
      ? { done: look.progress.done ?? 0, total: look.progress.total, mode: look.progress.mode, toCommit: look.progress.toCommit }
      : null;
  if (!look.last) return { ...base, state: look.runs.length > 0 || progress ? 'running' : 'queued', progress, result: null, error: null };
  try {
    const result = syncOutcome(look.last, repository.fullName, look.files);
    return { ...base, state: 'finished', progress: null, result: { ...result }, error: null };
  } catch (error) {
    const explained = explainError(error);
    return {
      ...base,
      state: 'failed',
      progress: null,
      result: null,
      error: { message: explained.message, ...(explained.hint ? { hint: explained.hint } : {}), code: explained.code },
    };
  }
}
