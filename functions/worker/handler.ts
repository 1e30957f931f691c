// Lambda entry of the sync worker (SQS FIFO, batch item failures): each message brings one repository to the head of
// its default branch; a failure fails the rest of that repository's group in the batch, as FIFO ordering requires.
import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { handleSyncRequest, newRequestUuid } from '../../shared/domain/sync/handle-sync-request';
import { startSyncBatch, type SyncBatch } from '../../shared/domain/sync/process-sync-batch';
import { parseSyncRequest } from '../../shared/domain/sync-request';
import { createWorkerDeps, type WorkerDeps } from './deps';
import { applyRetryDelays } from './retry-delays';
import { logSyncOutcome, setMessageLogContext } from './sync-log';

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
        sync: (request, budget) => handleSyncRequest(request, { ...budget, gitMinChangedModels: config.gitMinChangedModels }, deps.ports),
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
      const failedIds = response.batchItemFailures.map((failure) => failure.itemIdentifier);
      await applyRetryDelays(event.Records, failedIds, config.retryBackoffBaseSeconds, queue, logger);
      return response;
    } finally {
      metrics.publishStoredMetrics();
    }
  };

  async function processRecord(record: SQSRecord, batch: SyncBatch): Promise<void> {
    const request = parseSyncRequest(record.body);
    setMessageLogContext(logger, request, record.attributes.ApproximateReceiveCount);
    const outcome = await batch.process(request);
    logSyncOutcome(outcome, logger, metrics);
    if (outcome.kind === 'failed') throw outcome.error;
  }
}

let fromEnvironment: WorkerHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first invocation of a container. */
export const handler: WorkerHandler = (event, context) =>
  (fromEnvironment ??= createWorkerHandler(createWorkerDeps(process.env)))(event, context);
