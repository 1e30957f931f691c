import { SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { SyncRequest } from '../domain/sync-request';

/** SQS FIFO adapter for sync requests: one message group per repository, so a repository's syncs never overlap. */
export class SqsSyncQueue {
  private readonly queueUrl: string;
  private readonly client: SQSClient;

  constructor(options: { queueUrl: string; client?: SQSClient }) {
    this.queueUrl = options.queueUrl;
    this.client = options.client ?? new SQSClient({});
  }

  async enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string; delaySeconds?: number }): Promise<void> {
    await this.client.send(new SendMessageCommand({
      QueueUrl: this.queueUrl,
      MessageBody: JSON.stringify(request),
      MessageGroupId: options.groupId,
      MessageDeduplicationId: options.deduplicationId,
    }));
  }
}
