// Queue an admin sync and follow it to its end, with the `--no-wait` / `--timeout` flags that go with it: shared
// by `repo add`, `repo update` and `sync`.
import { InvalidArgumentError } from 'commander';
import type { RepositoryConfig } from '../shared/domain/repository-config';
import type { SyncRequest } from '../shared/domain/sync-request';
import type { CommandKit } from './command-kit';
import type { HubContext } from '../shared/admin/hub-context';
import { AdminError } from '../shared/admin/errors';
import { requestSync, shortCommit, waitForSync, type SyncAction, type SyncResult } from '../shared/admin/sync-progress';

/** `--timeout <seconds>` of the waiting commands. */
export function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new InvalidArgumentError('expected a number of seconds > 0');
  return seconds;
}

/** Options of the commands that queue a sync and follow it. */
export interface WaitFlags {
  wait: boolean;
  timeout: number;
  json?: boolean;
}

/** Queues a sync and, unless `--no-wait`, follows it to its end. */
export async function syncAndMaybeWait(
  kit: CommandKit,
  context: HubContext,
  repository: RepositoryConfig,
  action: SyncAction,
  flags: WaitFlags,
  label: string,
): Promise<{ requestUuid: string; result?: SyncResult }> {
  const request = await requestSync(kit, context, repository, action, label);
  if (!flags.wait) return { requestUuid: request.requestUuid };
  return { requestUuid: request.requestUuid, result: await reportSync(kit, context, repository, request, flags) };
}

/** Follows a queued sync to its end (progress on standard error) and says how it ended. */
export async function reportSync(
  kit: CommandKit,
  context: HubContext,
  repository: RepositoryConfig,
  request: SyncRequest,
  flags: Pick<WaitFlags, 'timeout'>,
): Promise<SyncResult> {
  const result = await waitForSync(context, request, {
    progress: kit.deps.stderr,
    sleep: kit.sleep,
    now: kit.now,
    pollIntervalMs: kit.pollIntervalMs,
    timeoutMs: flags.timeout * 1000,
  });
  if (request.fromCommit && result.mode === 'full')
    kit.note(
      `No diff from ${shortCommit(request.fromCommit)} (${result.reason ?? 'Bitbucket could not compare it with the head'}): a full sync ran instead, reading every model of ${result.branch ?? 'the default branch'}.`,
    );
  if (result.outcome === 'no-branch')
    kit.note(`${repository.fullName} has no default branch yet (no commits): nothing to sync until the first push.`);
  else {
    const models = (await context.models.listModels(repository.uuid)).length;
    const counts = result.counts
      ? ` (added ${result.counts.added}, updated ${result.counts.updated}, removed ${result.counts.removed}, renamed ${result.counts.renamed}, invalid ${result.counts.invalid})`
      : '';
    kit.note(
      `${result.outcome === 'up-to-date' ? 'Up to date' : 'Synced'}: ${repository.fullName} ${result.branch ?? ''} at ${shortCommit(result.commit) ?? '?'}, ${models} model(s)${counts}.`,
    );
  }
  const verification = result.verification;
  if (verification) {
    // The run's reason starts with the verification's own summary (see describeVerification).
    if (verification.status === 'not-verified')
      throw new AdminError(`${repository.fullName} is synced but ${result.reason ?? 'not verified'}`, {
        hint: 'run `sync --verify` again later; `events --repo ' + repository.fullName + '` shows the runs',
      });
    kit.note(`${repository.fullName} ${result.reason ?? verification.status}.`);
  }
  return result;
}
