/**
 * Ports of the webhook and reconciliation paths: what the domain needs from the queue and the events log.
 * The SQS and DynamoDB adapters implement them; the sync engine's own ports are in `sync/ports.ts`. Recording
 * events is declared by each use case (`recordEvent` in `DeliveryPorts` and `SyncRequestPorts`), with the events
 * it writes.
 */
import type { SyncRequest } from './sync-request';

/** The sync request queue: one FIFO message group per repository, so a repository's syncs never overlap. */
export interface SyncRequestQueue {
  enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string }): Promise<void>;
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
