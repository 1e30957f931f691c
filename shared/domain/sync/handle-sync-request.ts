// Turns one queue message into one sync run and its log entry; the worker handler only maps batches onto it.
import { randomUUID } from 'node:crypto';
import { ChangeCommitter } from '../changes/commit-changes';
import type { ChangeLog, ModelRecordReader } from '../changes/ports';
import { recordingIntents } from '../changes/recording-intents';
import type { LoggedEvent, SyncRunEvent } from '../logged-event';
import type { SyncRequest } from '../sync-request';
import { RepositoryRemovedError } from './errors';
import type { ModelStore, SourceRepository, SyncStateEraser, SyncStateStore } from './ports';
import { describeVerification } from './replica-drift';
import { fenceWrites } from './repository-fence';
import { syncRepository, type SyncOptions, type SyncReport, type SyncTarget } from './sync-repository';
import { DEFAULT_SAFETY_MARGIN_MS } from './sync-types';
import { verifyRepository } from './verify-repository';

/** What processing one queue message needs. */
export interface SyncRequestPorts {
  /** The added repository; `fresh` skips any cache (admin actions follow a configuration change). */
  findRepository(uuid: string, options?: { fresh?: boolean }): Promise<SyncTarget | undefined>;
  /**
   * Records a repository's new name and, when given, its workspace's uuid (renames and transfers keep the uuid;
   * verified pushes carry both).
   */
  renameRepository(uuid: string, fullName: string, workspaceUuid?: string): Promise<void>;
  /**
   * A source for the repository, authenticated with its access token; `apiCalls()` counts its REST requests,
   * `gitRequests()` its git ones (each kind has its own rate limit), `bytesReceived()` both. No request of it may
   * go past `deadlineAt` (epoch ms): the invocation's end minus the safety margin.
   */
  openSource(
    repository: SyncTarget,
    limits: { deadlineAt: number },
  ): Promise<{ source: SourceRepository; apiCalls(): number; bytesReceived(): number; gitRequests?(): number }>;
  readonly models: ModelStore;
  readonly state: SyncStateStore & SyncStateEraser;
  recordEvent(event: LoggedEvent | SyncRunEvent): Promise<void>;
  /** Queues the rest of a sync that stopped at the invocation's deadline. */
  enqueueContinuation(request: SyncRequest): Promise<void>;
  /** Where the change records go (intents before writes, records at commits); absent: none are kept. */
  readonly changes?: { readonly log: ChangeLog; readonly records: ModelRecordReader };
}

export interface SyncRequestResult {
  readonly outcome: SyncReport['outcome'] | 'not-added' | 'skipped';
  readonly report?: SyncReport;
  readonly apiCalls: number;
  /** Git smart-HTTP requests of the run (0 when it read over REST only). */
  readonly gitRequests: number;
  readonly bytesReceived: number;
  readonly durationMs: number;
}

/**
 * Processes one sync request: runs the level-triggered sync of its repository, records the run in the events
 * log, and queues a continuation when the invocation's time ran out. A repository removed from the hub, before or
 * during the sync, is skipped (its message succeeds; what the sync wrote is undone, see `repository-fence.ts`);
 * failures are recorded and rethrown so the queue retries the message.
 */
export async function handleSyncRequest(
  request: SyncRequest,
  options: {
    remainingTimeMs: () => number;
    concurrency?: number;
    safetyMarginMs?: number;
    gitMinChangedModels?: number;
    /** A verification without git compares over REST up to this many models. */
    restVerifyMaxModels?: number;
    now?: () => Date;
    /** Passed to the engine (tests pause a sync at chosen points through it). */
    onOpApplied?: SyncOptions['onOpApplied'];
  },
  ports: SyncRequestPorts,
): Promise<SyncRequestResult> {
  try {
    return await handleOnce(request, options, ports, {
      fresh: request.trigger === 'admin',
      notFound: 'repository is not added to this hub',
    });
  } catch (error) {
    if (!(error instanceof RepositoryRemovedError)) throw error;
    // Removed (and maybe added anew) while this ran, or since the worker cached it: once more, looked up fresh.
    return handleOnce(request, options, ports, {
      fresh: true,
      notFound: 'repository was removed from this hub; what its sync wrote is removed',
    });
  }
}

type HandleOptions = Parameters<typeof handleSyncRequest>[1];
type OpenedSource = Awaited<ReturnType<SyncRequestPorts['openSource']>>;
/** What every events-log line of a run carries (the name is the one Bitbucket answered, once the run knows it). */
interface RunBase {
  readonly kind: 'sync';
  readonly requestUuid: string;
  readonly trigger: SyncRequest['trigger'];
  repository: { readonly uuid: string; readonly fullName: string };
}

/** One attempt: find the repository, open its source, run the sync (or verification), record the run. */
async function handleOnce(
  request: SyncRequest,
  options: HandleOptions,
  ports: SyncRequestPorts,
  lookup: { fresh: boolean; notFound: string },
): Promise<SyncRequestResult> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  const repository = await findNamedRepository(request, ports, lookup.fresh);
  if (!repository) {
    await ports.recordEvent(skippedEvent(request, now(), lookup.notFound));
    return { outcome: 'not-added', apiCalls: 0, gitRequests: 0, bytesReceived: 0, durationMs: Date.now() - started };
  }
  // The sync stops launching work at the safety margin; the source's requests are cut there too, so a slow or
  // unreachable Bitbucket cannot hold the invocation (and the rest of its batch) past its timeout.
  const deadlineAt = Date.now() + options.remainingTimeMs() - (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
  const opened = await openSourceOf(repository, deadlineAt, ports);
  const base: RunBase = {
    kind: 'sync',
    requestUuid: request.requestUuid,
    trigger: request.trigger,
    repository: { uuid: repository.uuid, fullName: repository.fullName },
  };
  const traffic = () => ({
    apiCalls: opened.apiCalls(),
    gitRequests: opened.gitRequests?.() ?? 0,
    bytesReceived: opened.bytesReceived(),
    durationMs: Date.now() - started,
  });
  try {
    const report = await runSync(request, options, ports, repository, opened.source, now);
    const currentName = await recordCurrentName(repository, opened.source, ports);
    if (currentName) base.repository = { uuid: repository.uuid, fullName: currentName };
    const result = { outcome: report.outcome, report, ...traffic() };
    await ports.recordEvent(runEvent(base, now(), report, result));
    if (report.outcome === 'partial') await ports.enqueueContinuation(continuationOf(request, base.repository, now()));
    return result;
  } catch (error) {
    if (error instanceof RepositoryRemovedError) throw error;
    const reason = `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500);
    // The original error matters more than a failed log write.
    await ports.recordEvent({ ...base, at: now().toISOString(), outcome: 'failed', reason, ...traffic() }).catch(() => undefined);
    throw error;
  }
}

/**
 * The added repository the request is for, or undefined. A verified push names the repository as it is now: a
 * rename, a transfer, or (older records) its workspace's uuid is recorded from it.
 */
async function findNamedRepository(request: SyncRequest, ports: SyncRequestPorts, fresh: boolean): Promise<SyncTarget | undefined> {
  const repository = await ports.findRepository(request.repository.uuid, { fresh });
  if (!repository || request.trigger !== 'push') return repository;
  const { fullName, workspaceUuid } = request.repository;
  if (fullName === repository.fullName && (workspaceUuid === undefined || workspaceUuid === repository.workspaceUuid)) return repository;
  await ports.renameRepository(repository.uuid, fullName, workspaceUuid);
  return { ...repository, fullName, ...(workspaceUuid !== undefined ? { workspaceUuid } : {}) };
}

function skippedEvent(request: SyncRequest, at: Date, reason: string): LoggedEvent {
  return {
    kind: 'sync',
    at: at.toISOString(),
    requestUuid: request.requestUuid,
    repository: { uuid: request.repository.uuid, fullName: request.repository.fullName },
    outcome: 'skipped',
    reason,
  };
}

/** Opens the repository's source; a failure of a repository removed meanwhile (with its token) is no failure to retry. */
async function openSourceOf(repository: SyncTarget, deadlineAt: number, ports: SyncRequestPorts): Promise<OpenedSource> {
  try {
    return await ports.openSource(repository, { deadlineAt });
  } catch (error) {
    const current = await ports.findRepository(repository.uuid, { fresh: true });
    if (current === undefined || current.generation !== repository.generation)
      throw new RepositoryRemovedError(`repository ${repository.uuid} was removed`);
    throw error;
  }
}

/** Runs the sync (or verification) with every write tagged with the repository's generation and confirmed after it. */
async function runSync(
  request: SyncRequest,
  options: HandleOptions,
  ports: SyncRequestPorts,
  repository: SyncTarget,
  source: SourceRepository,
  now: () => Date,
): Promise<SyncReport> {
  const fenced = fenceWrites(repository, { models: ports.models, state: ports.state }, async () => {
    const current = await ports.findRepository(request.repository.uuid, { fresh: true });
    return current !== undefined && current.generation === repository.generation;
  });
  const run = request.verify ? verifyRepository : syncRepository;
  const scope = { repositoryUuid: repository.uuid, generation: repository.generation };
  const { changes } = ports;
  return run(
    repository,
    {
      remainingTimeMs: options.remainingTimeMs,
      mode: request.mode,
      fromCommit: request.fromCommit,
      ignoreNotBefore: request.trigger === 'admin',
      requestUuid: request.requestUuid,
      concurrency: options.concurrency,
      safetyMarginMs: options.safetyMarginMs,
      gitMinChangedModels: options.gitMinChangedModels,
      restVerifyMaxModels: options.restVerifyMaxModels,
      now,
      onOpApplied: options.onOpApplied,
    },
    changes
      ? {
          source,
          models: recordingIntents(scope, fenced.models, changes.log, changes.records),
          state: fenced.state,
          changes: new ChangeCommitter({
            ...changes,
            scope,
            repository: { uuid: repository.uuid, fullName: repository.fullName },
            requestUuid: request.requestUuid,
            now,
          }),
        }
      : { source, models: fenced.models, state: fenced.state },
  );
}

/**
 * A rename with no push since (the run addressed the repository by uuid) is recorded from what Bitbucket answered,
 * so the events log, the CLI and later messages use the name of now. Returns the new name when there is one.
 */
async function recordCurrentName(known: SyncTarget, source: SourceRepository, ports: SyncRequestPorts): Promise<string | undefined> {
  const named = source.currentName?.();
  if (!named) return undefined;
  const newWorkspace = named.workspaceUuid !== undefined && named.workspaceUuid !== known.workspaceUuid;
  if (named.fullName === known.fullName && !newWorkspace) return undefined;
  await ports.renameRepository(known.uuid, named.fullName, named.workspaceUuid);
  return named.fullName;
}

/** The events-log line of a finished run. */
function runEvent(base: RunBase, at: Date, report: SyncReport, traffic: Omit<SyncRequestResult, 'outcome' | 'report'>): SyncRunEvent {
  const reasons = [
    report.blockedReason,
    report.verification && describeVerification(report.verification),
    report.fallbackReason,
    report.transportFallback,
    report.hubignoreNotice,
  ];
  return {
    ...base,
    at: at.toISOString(),
    outcome: report.outcome,
    reason: reasons.filter(Boolean).join('; ') || report.outcome,
    branch: report.branch,
    fromCommit: report.fromCommit,
    toCommit: report.toCommit,
    mode: report.mode,
    transport: report.transport,
    counts: report.counts,
    opsApplied: report.opsApplied,
    opsRemaining: report.opsRemaining,
    retryAfterMs: report.retryAfterMs,
    ...traffic,
    ...(report.verification ? { verification: report.verification } : {}),
  };
}

/** The message that goes on with a run stopped at the invocation's deadline. */
function continuationOf(request: SyncRequest, repository: RunBase['repository'], at: Date): SyncRequest {
  return {
    version: 1,
    trigger: 'continue',
    repository,
    requestUuid: request.requestUuid,
    // The rest of a verification's sync still ends in the comparison.
    ...(request.verify ? { verify: true } : {}),
    requestedAt: at.toISOString(),
  };
}

/** A fresh request id for messages the hub creates itself (schedule, admin, continuation chains keep theirs). */
export function newRequestUuid(): string {
  return randomUUID();
}
