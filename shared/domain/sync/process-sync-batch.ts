/**
 * The worker's rules for one batch of sync-request messages, without SQS or Lambda: which messages need no sync,
 * when to hand a request to a later invocation, and how long each failed message waits before its retry.
 */
import type { SyncRequest } from '../sync-request';
import type { SyncRequestResult } from './handle-sync-request';

/** How one invocation may spend its time on a sync. */
export interface SyncBatchSettings {
  /** Time kept in reserve before the deadline; a request with less time left than this is postponed. */
  readonly safetyMarginMs: number;
  /** Parallel file fetches per sync. */
  readonly fetchConcurrency: number;
  /** Milliseconds left in the invocation. */
  remainingTimeMs(): number;
}

/** What a batch needs from outside: the sync itself and a way to queue a request again. */
export interface SyncBatchPorts {
  sync(
    request: SyncRequest,
    budget: { remainingTimeMs: () => number; concurrency: number; safetyMarginMs: number },
  ): Promise<SyncRequestResult>;
  /** Queues the request for a later invocation (a fresh deduplication id, the repository's message group). */
  postpone(request: SyncRequest): Promise<void>;
}

/** What became of one message; a failed sync is reported, not thrown, so the caller can count and log it. */
export type SyncMessageOutcome =
  | { readonly kind: 'skipped'; readonly already: 'synced' | 'stopped' }
  | { readonly kind: 'postponed' }
  | { readonly kind: 'ran'; readonly result: SyncRequestResult }
  | { readonly kind: 'failed'; readonly error: unknown };

export interface SyncBatch {
  /** Processes the messages of a batch one at a time, in order. A failed postponement is thrown. */
  process(request: SyncRequest): Promise<SyncMessageOutcome>;
}

/**
 * Starts a batch. A burst of pushes to one repository costs one sync: later messages of a repository whose run in
 * this batch read the head (synced, or stopped with its continuation queued or parked by a rate limit) are
 * acknowledged without asking Bitbucket again; after a run that only went on with an older plan they run.
 * Admin requests and verifications always run.
 */
export function startSyncBatch(settings: SyncBatchSettings, ports: SyncBatchPorts): SyncBatch {
  const doneInBatch = new Map<string, 'synced' | 'stopped'>();
  return {
    async process(request) {
      const uuid = request.repository.uuid;
      const already = doneInBatch.get(uuid);
      // A verification compares the whole store, which a sync of the same head does not: it always runs too.
      if (request.trigger !== 'admin' && !request.verify && already) return { kind: 'skipped', already };
      if (settings.remainingTimeMs() < settings.safetyMarginMs) {
        // Too little time to start: hand the request to a later invocation rather than plan a sync and stop at once.
        await ports.postpone(request);
        doneInBatch.set(uuid, 'stopped');
        return { kind: 'postponed' };
      }
      let result: SyncRequestResult;
      try {
        result = await ports.sync(request, {
          remainingTimeMs: () => settings.remainingTimeMs(),
          concurrency: settings.fetchConcurrency,
          safetyMarginMs: settings.safetyMarginMs,
        });
      } catch (error) {
        return { kind: 'failed', error };
      }
      // Only a run that read the head covers later messages of the batch (their pushes came before it). A run
      // that went on with an older plan, or answered "parked" without asking Bitbucket, covers nothing.
      if (result.report?.readHead)
        doneInBatch.set(uuid, result.outcome === 'partial' || result.outcome === 'deferred' ? 'stopped' : 'synced');
      return { kind: 'ran', result };
    },
  };
}

/**
 * Backoff before the n-th retry of a failed sync request: `baseSeconds` (30 by default) doubling, at most 15
 * minutes. The queue's own visibility timeout (6 × the worker timeout, an hour) would hold a repository's FIFO
 * group that long per failure.
 */
export function retryBackoffSeconds(receiveCount: number, baseSeconds = 30): number {
  return Math.min(900, baseSeconds * 2 ** Math.max(0, receiveCount - 1));
}

/** A received message as the retry schedule sees it. */
export interface ReceivedMessage {
  readonly messageId: string;
  readonly receiptHandle: string;
  /** SQS's ApproximateReceiveCount, as text (a missing or unreadable count is taken as 1). */
  readonly receiveCount: string | undefined;
}

/**
 * When each failed message should come back: after a growing backoff instead of the queue's hour-long visibility
 * timeout. A base of 0 keeps the queue's own timeout (no message is rescheduled).
 */
export function retrySchedule(
  messages: readonly ReceivedMessage[],
  failedIds: readonly string[],
  baseSeconds: number,
): Array<ReceivedMessage & { seconds: number }> {
  if (baseSeconds === 0) return [];
  const failed = new Set(failedIds);
  return messages
    .filter((message) => failed.has(message.messageId))
    .map((message) => ({ ...message, seconds: retryBackoffSeconds(Number(message.receiveCount) || 1, baseSeconds) }));
}
