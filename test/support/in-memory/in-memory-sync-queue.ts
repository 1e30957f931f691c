/**
 * An in-memory sync queue with the surface of SqsSyncQueue (what the worker and reconciler send), keeping the
 * messages for tests to read. Like an SQS FIFO queue it drops a message whose deduplication id was sent in the
 * last five minutes.
 */
import type { SyncRequest } from '../../../shared/domain/sync-request';

const DEDUPLICATION_WINDOW_MS = 5 * 60 * 1000;

export interface QueuedSyncRequest {
  /** The message body exactly as SqsSyncQueue sends it. */
  readonly body: string;
  readonly groupId: string;
  readonly deduplicationId: string;
}

export class InMemorySyncQueue {
  readonly messages: QueuedSyncRequest[] = [];
  /** Receipt handles given a new visibility timeout, with the seconds. */
  readonly retries: Array<{ receiptHandle: string; seconds: number }> = [];
  private readonly sentAt = new Map<string, number>();
  private failuresLeft = 0;

  constructor(private readonly now: () => number = Date.now) {}

  /** Makes the next `times` sends reject without queueing anything, as SQS does when it is unavailable. */
  failNext(times = 1): void {
    this.failuresLeft = times;
  }

  async enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string }): Promise<void> {
    if (this.failuresLeft > 0) {
      this.failuresLeft -= 1;
      throw Object.assign(new Error('the queue is unavailable (a fault injected by the test)'), { name: 'QueueUnavailable' });
    }
    const previous = this.sentAt.get(options.deduplicationId);
    if (previous !== undefined && this.now() - previous < DEDUPLICATION_WINDOW_MS) return;
    this.sentAt.set(options.deduplicationId, this.now());
    this.messages.push({ body: JSON.stringify(request), groupId: options.groupId, deduplicationId: options.deduplicationId });
  }

  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    this.retries.push({ receiptHandle, seconds: Math.round(seconds) });
  }

  /** The queued requests, parsed, in order. */
  requests(): SyncRequest[] {
    return this.messages.map((message) => JSON.parse(message.body) as SyncRequest);
  }
}
