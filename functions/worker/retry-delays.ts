// A failed message would come back only after the queue's long visibility timeout; shortening it to a growing
// backoff retries a passing failure soon and a lasting one ever more slowly.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { SQSRecord } from 'aws-lambda';
import { retrySchedule } from '../../shared/domain/sync/process-sync-batch';
import type { WorkerDeps } from './deps';

/** Reschedules the failed messages of a batch; a message that cannot be rescheduled keeps the queue's timeout. */
export async function applyRetryDelays(
  records: readonly SQSRecord[],
  failedIds: readonly string[],
  baseSeconds: number,
  queue: WorkerDeps['queue'],
  logger: Logger,
): Promise<void> {
  const messages = records.map((record) => ({
    messageId: record.messageId,
    receiptHandle: record.receiptHandle,
    receiveCount: record.attributes.ApproximateReceiveCount,
  }));
  for (const retry of retrySchedule(messages, failedIds, baseSeconds)) {
    await queue
      .retryAfter(retry.receiptHandle, retry.seconds)
      .catch((error: unknown) =>
        logger.warn('could not shorten the retry delay', { messageId: retry.messageId, error: (error as Error).message }),
      );
  }
}
