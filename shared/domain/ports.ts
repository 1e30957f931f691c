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
  record(event: LoggedEvent): Promise<void>;
}

/** Hashes of recently accepted webhook bodies (replay and retry protection). */
export interface AcceptedDeliveries {
  /** Whether a body with this hash was accepted recently. */
  wasAccepted(bodySha256: string): Promise<boolean>;
  rememberAccepted(bodySha256: string, at: Date): Promise<void>;
}
