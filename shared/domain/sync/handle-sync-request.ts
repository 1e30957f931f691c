// Turns one queue message into one sync run and its log entry; the worker handler only maps batches onto it.
import { randomUUID } from 'node:crypto';
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

async function handleOnce(
  request: SyncRequest,
  options: Parameters<typeof handleSyncRequest>[1],
  ports: SyncRequestPorts,
  lookup: { fresh: boolean; notFound: string },
): Promise<SyncRequestResult> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  let repository = await ports.findRepository(request.repository.uuid, { fresh: lookup.fresh });
  if (repository && request.trigger === 'push') {
    // A verified push names the repository as it is now: a rename, a transfer, or (older records) its workspace's uuid.
    const { fullName, workspaceUuid } = request.repository;
    if (fullName !== repository.fullName || (workspaceUuid !== undefined && workspaceUuid !== repository.workspaceUuid)) {
      await ports.renameRepository(repository.uuid, fullName, workspaceUuid);
      repository = { ...repository, fullName, ...(workspaceUuid !== undefined ? { workspaceUuid } : {}) };
    }
  }
  if (!repository) {
    await ports.recordEvent({
      kind: 'sync',
      at: now().toISOString(),
      requestUuid: request.requestUuid,
      repository: { uuid: request.repository.uuid, fullName: request.repository.fullName },
      outcome: 'skipped',
      reason: lookup.notFound,
    });
    return { outcome: 'not-added', apiCalls: 0, gitRequests: 0, bytesReceived: 0, durationMs: Date.now() - started };
  }
  // The sync stops launching work at the safety margin; the source's requests are cut there too, so a slow or
  // unreachable Bitbucket cannot hold the invocation (and the rest of its batch) past its timeout.
  const deadlineAt = Date.now() + options.remainingTimeMs() - (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
  const generation = repository.generation;
  // Every write of the sync is tagged with the repository's generation and confirmed by a fresh read after it.
  const fenced = fenceWrites(repository, { models: ports.models, state: ports.state }, async () => {
    const current = await ports.findRepository(request.repository.uuid, { fresh: true });
    return current !== undefined && current.generation === generation;
  });
  let opened: Awaited<ReturnType<SyncRequestPorts['openSource']>>;
  try {
    opened = await ports.openSource(repository, { deadlineAt });
  } catch (error) {
    // A repository found in a cache may have been removed since, with its token: that is no failure to retry.
    const current = await ports.findRepository(repository.uuid, { fresh: true });
    if (current === undefined || current.generation !== generation)
      throw new RepositoryRemovedError(`repository ${repository.uuid} was removed`);
    throw error;
  }
  const { source, apiCalls, bytesReceived } = opened;
  const gitRequests = () => opened.gitRequests?.() ?? 0;
  const base = {
    kind: 'sync' as const,
    requestUuid: request.requestUuid,
    trigger: request.trigger,
    repository: { uuid: repository.uuid, fullName: repository.fullName },
  };
  // A rename with no push since (the run addressed the repository by uuid) is recorded from what Bitbucket answered,
  // so the events log, the CLI and later messages use the name of now.
  const known = repository;
  const recordCurrentName = async (): Promise<void> => {
    const named = source.currentName?.();
    if (!named) return;
    const newWorkspace = named.workspaceUuid !== undefined && named.workspaceUuid !== known.workspaceUuid;
    if (named.fullName === known.fullName && !newWorkspace) return;
    await ports.renameRepository(known.uuid, named.fullName, named.workspaceUuid);
    base.repository = { uuid: known.uuid, fullName: named.fullName };
  };
  try {
    const run = request.verify ? verifyRepository : syncRepository;
    const report = await run(
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
      { source, models: fenced.models, state: fenced.state },
    );
    await recordCurrentName();
    const result = {
      outcome: report.outcome,
      report,
      apiCalls: apiCalls(),
      gitRequests: gitRequests(),
      bytesReceived: bytesReceived(),
      durationMs: Date.now() - started,
    };
    const event: SyncRunEvent = {
      ...base,
      at: now().toISOString(),
      outcome: report.outcome,
      reason:
        [
          report.blockedReason,
          report.verification && describeVerification(report.verification),
          report.fallbackReason,
          report.transportFallback,
          report.hubignoreNotice,
        ]
          .filter(Boolean)
          .join('; ') || report.outcome,
      branch: report.branch,
      fromCommit: report.fromCommit,
      toCommit: report.toCommit,
      mode: report.mode,
      transport: report.transport,
      counts: report.counts,
      opsApplied: report.opsApplied,
      opsRemaining: report.opsRemaining,
      retryAfterMs: report.retryAfterMs,
      apiCalls: result.apiCalls,
      gitRequests: result.gitRequests,
      bytesReceived: result.bytesReceived,
      durationMs: result.durationMs,
      ...(report.verification ? { verification: report.verification } : {}),
    };
    await ports.recordEvent(event);
    if (report.outcome === 'partial') {
      await ports.enqueueContinuation({
        version: 1,
        trigger: 'continue',
        repository: base.repository,
        requestUuid: request.requestUuid,
        // The rest of a verification's sync still ends in the comparison.
        ...(request.verify ? { verify: true } : {}),
        requestedAt: now().toISOString(),
      });
    }
    return result;
  } catch (error) {
    if (error instanceof RepositoryRemovedError) throw error;
    const event: SyncRunEvent = {
      ...base,
      at: now().toISOString(),
      outcome: 'failed',
      reason: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500),
      apiCalls: apiCalls(),
      gitRequests: gitRequests(),
      bytesReceived: bytesReceived(),
      durationMs: Date.now() - started,
    };
    // The original error matters more than a failed log write.
    await ports.recordEvent(event).catch(() => undefined);
    throw error;
  }
}

/** A fresh request id for messages the hub creates itself (schedule, admin, continuation chains keep theirs). */
export function newRequestUuid(): string {
  return randomUUID();
}
