// SQS FIFO adapter of the sync-request queue: the only way work reaches the worker, grouped per repository.
import { ChangeMessageVisibilityCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SyncRequestQueue } from '../domain/ports';
import type { SyncRequest } from '../domain/sync-request';

/** SQS FIFO adapter for sync requests: one message group per repository, so a repository's syncs never overlap. */
export class SqsSyncQueue implements SyncRequestQueue {
  private readonly queueUrl: string;
  private readonly client: SQSClient;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    this.queueUrl = options.queueUrl;
    this.client = options.client ?? new SQSClient({});
  }

  async enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string }): Promise<void> {
    await this.client.send(
      new SendMessageCommand({
        QueueUrl: this.queueUrl,
        MessageBody: JSON.stringify(request),
        MessageGroupId: options.groupId,
        MessageDeduplicationId: options.deduplicationId,
      }),
    );
  }

  /** Makes a received message visible again after `seconds` (a retry backoff shorter than the queue's default). */
  async retryAfter(receiptHandle: string, seconds: number): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: Math.round(seconds) }),
    );
  }
}
