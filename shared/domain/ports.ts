/**
 * Ports of the webhook and reconciliation paths: what the domain needs from the queue and the events log.
 * The SQS and DynamoDB adapters implement them; the sync engine's own ports are in `sync/ports.ts`.
 */
import type { LoggedEvent } from './logged-event';
import type { SyncRequest } from './sync-request';

/** The sync request queue: one FIFO message group per repository, so a repository's syncs never overlap. */
export interface SyncRequestQueue {
  enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string }): Promise<void>;
}

/** The events log: one line per delivery, sync run or admin action. */
export interface EventRecorder {
  /** Adds a line; an event with the `eventId` of an earlier one replaces that line. */
  record(event: LoggedEvent): Promise<void>;
  /**
   * Counts the event on its minute's line for events like it (same kind, outcome and reason) instead of adding
   * a line: a flood of them (forged deliveries) takes one line a minute. The line keeps the first event it got.
   */
  recordCounted(event: LoggedEvent): Promise<void>;
}

/** Claims on the hashes of recently accepted webhook bodies (replay and retry protection). */
export interface AcceptedDeliveries {
  /**
   * Checks and claims a body hash in one atomic step: true when it was free (never claimed, its claim expired or
   * was released), false when a live claim holds it (a replay, or a retry of a delivery that was queued).
   * `claimId` identifies the claim, so that only its owner can release it.
   */
  claimAccepted(bodySha256: string, claim: { at: Date; claimId: string }): Promise<boolean>;
  /** Gives the hash back when its delivery could not be queued, so Bitbucket's retry is not taken for a replay. */
  releaseAccepted(bodySha256: string, claimId: string): Promise<void>;
}
