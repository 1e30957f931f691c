// Turns one queue message into one sync run and its log entry; the worker handler only maps batches onto it.
import { randomUUID } from 'node:crypto';
import type { LoggedEvent, SyncRunEvent } from '../logged-event';
import type { SyncRequest } from '../sync-request';
import type { ModelStore, SourceRepository, SyncStateStore } from './ports';
import { syncRepository, type SyncReport, type SyncTarget } from './sync-repository';
import { DEFAULT_SAFETY_MARGIN_MS } from './sync-types';

/** What processing one queue message needs. */
export interface SyncRequestPorts {
  /** The added repository; `fresh` skips any cache (admin actions follow a configuration change). */
  findRepository(uuid: string, options?: { fresh?: boolean }): Promise<SyncTarget | undefined>;
  /** Records a repository's new name (renames and transfers keep the uuid; verified pushes carry the new name). */
  renameRepository(uuid: string, fullName: string): Promise<void>;
  /**
   * A source for the repository, authenticated with its access token; `apiCalls()` counts its requests. No
   * request of it may go past `deadlineAt` (epoch ms): the invocation's end minus the safety margin.
   */
  openSource(
    repository: SyncTarget,
    limits: { deadlineAt: number },
  ): Promise<{ source: SourceRepository; apiCalls(): number; bytesReceived(): number }>;
  readonly models: ModelStore;
  readonly state: SyncStateStore;
  recordEvent(event: LoggedEvent | SyncRunEvent): Promise<void>;
  /** Queues the rest of a sync that stopped at the invocation's deadline. */
  enqueueContinuation(request: SyncRequest): Promise<void>;
}

export interface SyncRequestResult {
  readonly outcome: SyncReport['outcome'] | 'not-added' | 'skipped';
  readonly report?: SyncReport;
  readonly apiCalls: number;
  readonly bytesReceived: number;
  readonly durationMs: number;
}

/**
 * Processes one sync request: runs the level-triggered sync of its repository, records the run in the events
 * log, and queues a continuation when the invocation's time ran out. A repository removed from the hub is
 * skipped (its message succeeds); failures are recorded and rethrown so the queue retries the message.
 */
export async function handleSyncRequest(
  request: SyncRequest,
  options: { remainingTimeMs: () => number; concurrency?: number; safetyMarginMs?: number; now?: () => Date },
  ports: SyncRequestPorts,
): Promise<SyncRequestResult> {
  const now = options.now ?? (() => new Date());
  const started = Date.now();
  let repository = await ports.findRepository(request.repository.uuid, { fresh: request.trigger === 'admin' });
  if (repository && request.trigger === 'push' && request.repository.fullName !== repository.fullName) {
    await ports.renameRepository(repository.uuid, request.repository.fullName);
    repository = { ...repository, fullName: request.repository.fullName };
  }
  if (!repository) {
    await ports.recordEvent({
      kind: 'sync',
      at: now().toISOString(),
      requestUuid: request.requestUuid,
      repository: request.repository,
      outcome: 'skipped',
      reason: 'repository is not added to this hub',
    });
    return { outcome: 'not-added', apiCalls: 0, bytesReceived: 0, durationMs: Date.now() - started };
  }
  // The sync stops launching work at the safety margin; the source's requests are cut there too, so a slow or
  // unreachable Bitbucket cannot hold the invocation (and the rest of its batch) past its timeout.
  const deadlineAt = Date.now() + options.remainingTimeMs() - (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
  const { source, apiCalls, bytesReceived } = await ports.openSource(repository, { deadlineAt });
  const base = {
    kind: 'sync' as const,
    requestUuid: request.requestUuid,
    trigger: request.trigger,
    repository: { uuid: repository.uuid, fullName: repository.fullName },
  };
  try {
    const report = await syncRepository(
      repository,
      {
        remainingTimeMs: options.remainingTimeMs,
        mode: request.mode,
        fromCommit: request.fromCommit,
        ignoreNotBefore: request.trigger === 'admin',
        requestUuid: request.requestUuid,
        concurrency: options.concurrency,
        safetyMarginMs: options.safetyMarginMs,
        now,
      },
      { source, models: ports.models, state: ports.state },
    );
    const result = {
      outcome: report.outcome,
      report,
      apiCalls: apiCalls(),
      bytesReceived: bytesReceived(),
      durationMs: Date.now() - started,
    };
    const event: SyncRunEvent = {
      ...base,
      at: now().toISOString(),
      outcome: report.outcome,
      reason: report.fallbackReason ?? report.outcome,
      branch: report.branch,
      fromCommit: report.fromCommit,
      toCommit: report.toCommit,
      mode: report.mode,
      counts: report.counts,
      opsApplied: report.opsApplied,
      opsRemaining: report.opsRemaining,
      retryAfterMs: report.retryAfterMs,
      apiCalls: result.apiCalls,
      bytesReceived: result.bytesReceived,
      durationMs: result.durationMs,
    };
    await ports.recordEvent(event);
    if (report.outcome === 'partial') {
      await ports.enqueueContinuation({
        version: 1,
        trigger: 'continue',
        repository: base.repository,
        requestUuid: request.requestUuid,
        requestedAt: now().toISOString(),
      });
    }
    return result;
  } catch (error) {
    const event: SyncRunEvent = {
      ...base,
      at: now().toISOString(),
      outcome: 'failed',
      reason: `${(error as Error).name}: ${(error as Error).message}`.slice(0, 500),
      apiCalls: apiCalls(),
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
