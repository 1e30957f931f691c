// Admin syncs: queue a sync request the way the verifier does, then follow the worker's progress in the events log.
import { randomUUID } from 'node:crypto';
import type { RepositoryConfig } from '../domain/repository-config';
import type { SyncRunEvent } from '../domain/logged-event';
import type { SyncRequest } from '../domain/sync-request';
import type { SyncState } from '../domain/sync/ports';
import type { AdminRun } from './admin-run';
import { recordAdminAction } from './admin-trail';
import { AdminError } from './errors';
import type { HubContext } from './hub-context';

/** What an admin sync asks for: recent changes (default), the entire repository, or everything since a commit. */
export interface SyncAction {
  readonly mode?: 'full' | 'incremental';
  readonly fromCommit?: string;
  /** After the sync, compare every stored model with the head's tree and repair what differs. */
  readonly verify?: boolean;
}

/** Queues an admin sync of the repository's default branch; resolves to the queued request. */
export async function queueSync(context: HubContext, repository: RepositoryConfig, action: SyncAction, now: Date): Promise<SyncRequest> {
  const request: SyncRequest = {
    version: 1,
    trigger: 'admin',
    repository: { uuid: repository.uuid, fullName: repository.fullName },
    requestUuid: randomUUID(),
    ...(action.mode ? { mode: action.mode } : {}),
    ...(action.fromCommit ? { fromCommit: action.fromCommit } : {}),
    ...(action.verify ? { verify: true } : {}),
    requestedAt: now.toISOString(),
  };
  // One message group per repository, as the verifier uses: an admin sync never overlaps a push's.
  await context.queue.enqueue(request, { groupId: repository.uuid, deduplicationId: `admin-${request.requestUuid}` });
  return request;
}

/** The first 7 characters of a commit hash, as Bitbucket shows them. */
export function shortCommit(hash: string | undefined | null): string | undefined {
  return hash ? hash.slice(0, 7) : undefined;
}

/** Queues an admin sync, records who asked for it, and says so (`label`: "A full sync", …). */
export async function requestSync(
  run: AdminRun,
  context: HubContext,
  repository: RepositoryConfig,
  action: SyncAction,
  label: string,
): Promise<SyncRequest> {
  const request = await queueSync(context, repository, action, run.now());
  await recordAdminAction(run, context, 'sync', { repository, requestUuid: request.requestUuid, ...action });
  run.note(`${label} of ${repository.fullName} queued (request ${request.requestUuid}).`);
  return request;
}

/** How a waited-for sync ended. */
export interface SyncResult {
  readonly outcome: string;
  readonly reason?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly mode?: string;
  readonly counts?: SyncRunEvent['counts'];
  readonly files?: number;
  /** What a verification found (`sync --verify`). */
  readonly verification?: SyncRunEvent['verification'];
}

/** Options of {@link waitForSync}. */
export interface WaitOptions {
  /** Where progress lines go (the CLI's standard error). */
  readonly progress: { write(chunk: string): unknown };
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => Date;
  readonly pollIntervalMs: number;
  readonly timeoutMs: number;
}

// Events are written with the worker's clock: look a little before the request, in case the laptop's clock is ahead.
const CLOCK_SKEW_MS = 5 * 60 * 1000;
/** Run outcomes that end the wait (`partial` does not: its continuation keeps the request id). */
const FINAL_OUTCOMES = new Set(['synced', 'up-to-date', 'no-branch', 'blocked', 'failed', 'deferred', 'skipped']);

/**
 * Follows a queued sync until the worker records its end: prints a progress line (files done / total) whenever
 * it changes, and resolves with the run's outcome. A failed, parked or skipped run becomes an AdminError with its
 * reason. The runs are found by the request id the worker copies into every sync event of the request.
 */
export async function waitForSync(context: HubContext, request: SyncRequest, options: WaitOptions): Promise<SyncResult> {
  const { fullName } = request.repository;
  const since = new Date(Date.parse(request.requestedAt) - CLOCK_SKEW_MS).toISOString();
  const deadline = options.now().getTime() + options.timeoutMs;
  let shown = '';
  for (;;) {
    const look = await lookAtSync(context, request.repository.uuid, request.requestUuid, since);
    const progress = look.progress;
    if (progress?.total !== undefined) {
      const line = `  ${progress.done ?? 0}/${progress.total} files (${progress.mode} sync to ${shortCommit(progress.toCommit)})`;
      if (line !== shown) options.progress.write(`${line}\n`);
      shown = line;
    }
    if (look.last) {
      // A run can start and end between two looks: still show how many files it took.
      if (look.files > 0 && !shown.startsWith(`  ${look.files}/${look.files} `))
        options.progress.write(`  ${look.files}/${look.files} files\n`);
      return finish(look.last, fullName, look.files);
    }
    if (options.now().getTime() >= deadline) {
      throw new AdminError(
        `the sync of ${fullName} has not finished within ${Math.round(options.timeoutMs / 1000)} s (request ${request.requestUuid})`,
        {
          hint: 'it goes on in the hub: follow it with `repo list` and `events --repo ' + fullName + '`; is the worker running?',
        },
      );
    }
    await options.sleep(options.pollIntervalMs);
  }
}

/** One look at a queued sync: the repository's running sync, the request's runs so far, and its final run if any. */
export interface SyncLook {
  readonly progress: SyncState['progress'];
  readonly runs: readonly SyncRunEvent[];
  readonly last: SyncRunEvent | undefined;
  /** Files the request's runs applied. */
  readonly files: number;
}

/** Looks once at a queued sync, by the request id the worker copies into every sync event of the request. */
export async function lookAtSync(context: HubContext, repositoryUuid: string, requestUuid: string, since?: string): Promise<SyncLook> {
  const state = await context.repositories.getSyncState(repositoryUuid);
  const runs = (await context.events.list({ repositoryUuid, ...(since ? { since } : {}), limit: 100 }))
    .filter((event): event is SyncRunEvent => event.kind === 'sync' && event.requestUuid === requestUuid)
    .reverse();
  const last = runs.find((run) => FINAL_OUTCOMES.has(run.outcome ?? ''));
  return { progress: state.progress, runs, last, files: runs.reduce((sum, run) => sum + (run.opsApplied ?? 0), 0) };
}

/** How a sync run ended, as a result, or the AdminError of a failed, parked, blocked or skipped run. */
export function syncOutcome(run: SyncRunEvent, fullName: string, files: number): SyncResult {
  return finish(run, fullName, files);
}

/**
 * The next step for a failed run, by what its reason says went wrong: a refused token, a Bitbucket that could not
 * be reached or kept failing, or a commit that is gone. Anything else is not guessed at.
 */
export function syncFailureHint(reason: string, fullName: string): string {
  const retried = 'the queue also retries it by itself';
  if (/BitbucketAuthError|HTTP 40[13]\b/.test(reason))
    return `Bitbucket refused the stored access token: give ${fullName} a new one with \`repo update ${fullName}\` (token on standard input), then run \`sync\` again`;
  if (
    /BitbucketUnavailableError|BitbucketRateLimitedError|HTTP 5\d\d|ECONN|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|socket hang up|fetch failed|timed out/i.test(
      reason,
    )
  )
    return `the hub could not reach Bitbucket or Bitbucket kept failing (nothing is wrong with the token): check https://bitbucket.status.atlassian.com and the hub's network or BITBUCKET_API_URL; ${retried}, or run \`sync\` again later`;
  if (/no longer exists|DiffUnavailableError/.test(reason)) return `the commit is gone from Bitbucket: run \`sync ${fullName} --full\``;
  return `fix the cause named above, then run \`sync\` again (\`events --repo ${fullName}\` shows every run); ${retried}`;
}

function finish(run: SyncRunEvent, fullName: string, files: number): SyncResult {
  const result: SyncResult = {
    outcome: run.outcome ?? 'unknown',
    ...(run.reason ? { reason: run.reason } : {}),
    ...(run.branch ? { branch: run.branch } : {}),
    ...(run.toCommit ? { commit: run.toCommit } : {}),
    ...(run.mode ? { mode: run.mode } : {}),
    ...(run.counts ? { counts: run.counts } : {}),
    files,
    ...(run.verification ? { verification: run.verification } : {}),
  };
  switch (run.outcome) {
    case 'failed':
      throw new AdminError(`the sync of ${fullName} failed: ${run.reason ?? 'no reason recorded'}`, {
        hint: syncFailureHint(run.reason ?? '', fullName),
      });
    case 'deferred':
      throw new AdminError(
        `the sync of ${fullName} is parked by Bitbucket's rate limit (retry in about ${Math.ceil((run.retryAfterMs ?? 60_000) / 1000)} s)`,
        {
          hint: 'the reconciler resumes it; or run `sync` again after that time',
        },
      );
    case 'blocked':
      throw new AdminError(`the sync of ${fullName} is blocked: ${run.reason ?? 'no reason recorded'}`, {
        hint: 'fix the file in the repository and push; that push syncs (the stored models stay as they are until then)',
      });
    case 'skipped':
      throw new AdminError(`the worker skipped ${fullName}: ${run.reason ?? 'repository is not added'}`, {
        hint: 'add it again with `repo add`',
      });
    default:
      return result;
  }
}
