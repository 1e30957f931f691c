// Lambda entry of the sync worker: maps an SQS FIFO batch onto the sync engine, one repository group at a time.
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleSyncRequest, newRequestUuid } from '../../shared/domain/sync/handle-sync-request';
import { retrySchedule, startSyncBatch, type SyncBatch } from '../../shared/domain/sync/process-sync-batch';
import { parseSyncRequest } from '../../shared/domain/sync-request';
import { createWorkerDeps, type WorkerDeps } from './deps';
import { logSyncRun } from './sync-log';

/**
 * Worker: SQS FIFO event source (batch item failures). Each message asks for one repository to be brought to the
 * head of its default branch. A failed message fails the rest of its repository's group in the batch, as FIFO
 * ordering requires; other repositories go on.
 */
export type WorkerHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse>;

export function createWorkerHandler(deps: WorkerDeps): WorkerHandler {
  const { config, logger, metrics, queue } = deps;
  const processor = new SqsFifoPartialProcessorAsync();
  return async (event, context) => {
    logger.addContext(context);
    const batch = startSyncBatch(
      {
        safetyMarginMs: config.safetyMarginMs,
        fetchConcurrency: config.fetchConcurrency,
        remainingTimeMs: () => context.getRemainingTimeInMillis(),
      },
      {
        sync: (request, budget) => handleSyncRequest(request, budget, deps.ports),
        postpone: (request) => queue.enqueue(request, { groupId: request.repository.uuid, deduplicationId: `later-${newRequestUuid()}` }),
      },
    );
    try {
      const response = await processPartialResponse(event, (record: SQSRecord) => processRecord(record, batch), processor, {
        context,
        skipGroupOnError: true,
        // Report every failure as such (not a thrown error), so each gets its retry backoff.
        throwOnFullBatchFailure: false,
      });
      const messages = event.Records.map((record) => ({
        messageId: record.messageId,
        receiptHandle: record.receiptHandle,
        receiveCount: record.attributes.ApproximateReceiveCount,
      }));
      for (const retry of retrySchedule(
        messages,
        response.batchItemFailures.map((failure) => failure.itemIdentifier),
        config.retryBackoffBaseSeconds,
      )) {
        await queue
          .retryAfter(retry.receiptHandle, retry.seconds)
          .catch((error: unknown) =>
            logger.warn('could not shorten the retry delay', { messageId: retry.messageId, error: (error as Error).message }),
          );
      }
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };

  async function processRecord(record: SQSRecord, batch: SyncBatch): Promise<void> {
    const request = parseSyncRequest(record.body);
    logger.resetKeys();
    logger.setCorrelationId(request.requestUuid);
    logger.appendKeys({
      repository: request.repository.fullName,
      repositoryUuid: request.repository.uuid,
      trigger: request.trigger,
      receiveCount: record.attributes.ApproximateReceiveCount,
    });
    const outcome = await batch.process(request);
    if (outcome.kind === 'skipped') logger.info(`sync skipped: repository already ${outcome.already} in this batch`);
    if (outcome.kind === 'postponed') logger.info('sync postponed: the invocation is about to time out');
    if (outcome.kind === 'ran') logSyncRun(outcome.result, logger, metrics);
    if (outcome.kind !== 'failed') return;
    metrics.addMetric('SyncFailures', MetricUnit.Count, 1);
    logger.error('sync failed; the message will be retried', outcome.error as Error);
    throw outcome.error;
  }
}

let fromEnvironment: WorkerHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first invocation of a container. */
export const handler: WorkerHandler = (event, context) =>
  (fromEnvironment ??= createWorkerHandler(createWorkerDeps(process.env)))(event, context);
