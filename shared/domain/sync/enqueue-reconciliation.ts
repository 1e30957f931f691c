// Periodic reconciliation, so a dropped webhook heals on its own: queues a level-triggered sync per repository;
// and periodic verification, so a replica that drifted from Bitbucket behind the engine's back is found and repaired.
import type { SyncRequestQueue } from '../ports';

export interface ReconciliationPorts extends SyncRequestQueue {
  listRepositories(): Promise<ReadonlyArray<{ uuid: string; fullName: string }>>;
}

/**
 * Queues one `reconcile` request per added repository, so a webhook that never arrived (Bitbucket drops payloads
 * over 256 KB, and retries only three times) heals without an admin. Cheap when nothing changed: the worker
 * compares the branch head with its cursor (two API calls).
 */
export async function enqueueReconciliation(
  at: Date,
  requestUuid: string,
  ports: ReconciliationPorts,
  options: { verify?: boolean } = {},
): Promise<number> {
  const repositories = await ports.listRepositories();
  // A verification syncs first, then compares the whole store with the head's tree (see verify-repository.ts).
  const kind = options.verify ? 'verify' : 'reconcile';
  for (const repository of repositories) {
    await ports.enqueue(
      {
        version: 1,
        trigger: 'reconcile',
        repository: { uuid: repository.uuid, fullName: repository.fullName },
        requestUuid,
        ...(options.verify ? { verify: true } : {}),
        requestedAt: at.toISOString(),
      },
      // One per repository and run, even if the schedule fires twice.
      { groupId: repository.uuid, deduplicationId: `${kind}-${repository.uuid.replace(/[{}]/g, '')}-${requestUuid}` },
    );
  }
  return repositories.length;
}
