import { processPartialResponse, SqsFifoPartialProcessorAsync } from '@aws-lambda-powertools/batch';
import { MetricUnit, Metrics } from '@aws-lambda-powertools/metrics';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { createAccessTokenReader } from '../../shared/aws/access-tokens';
import { DynamoDbEventLog } from '../../shared/aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { retryBackoffSeconds, SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { BitbucketClient } from '../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../shared/bitbucket/bitbucket-source';
import { loadWorkerConfig, type WorkerConfig } from '../../shared/config/worker-config';
import { handleSyncRequest, newRequestUuid, type SyncRequestPorts } from '../../shared/domain/sync/handle-sync-request';
import { parseSyncRequest } from '../../shared/domain/sync-request';
import { createLogger } from '../../shared/observability/logger';
import { cacheFor } from '../../shared/util/ttl-cache';

/**
 * Worker: SQS FIFO event source (batch item failures). Each message asks for one repository to be brought to the
 * head of its default branch. A failed message fails the rest of its repository's group in the batch, as FIFO
 * ordering requires; other repositories go on.
 */
const logger = createLogger('model-hub-worker');
const metrics = new Metrics({ namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? 'ModelHub', serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'model-hub-worker' });
const processor = new SqsFifoPartialProcessorAsync();
let deps: { config: WorkerConfig; ports: SyncRequestPorts; queue: SqsSyncQueue } | undefined;

/** Builds the adapters once per container from the environment. */
export function createWorkerDeps(env: NodeJS.ProcessEnv = process.env): { config: WorkerConfig; ports: SyncRequestPorts; queue: SqsSyncQueue } {
  const config = loadWorkerConfig(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: config.repositoriesTable });
  const events = new DynamoDbEventLog({ tableName: config.eventsTable, eventTtlDays: config.eventsTtlDays });
  const models = new DynamoDbModelStore({ tableName: config.modelsTable });
  const queue = new SqsSyncQueue({ queueUrl: config.queueUrl });
  const readToken = createAccessTokenReader(config.tokenSecretPrefix);
  const findCached = cacheFor(30_000, (uuid) => repositories.getRepository(uuid), { keep: (repository) => repository !== undefined });
  return {
    config,
    queue,
    ports: {
      findRepository: (uuid, options) => (options?.fresh ? repositories.getRepository(uuid) : findCached(uuid)),
      renameRepository: (uuid, fullName) => repositories.renameRepository(uuid, fullName),
      async openSource(repository) {
        const client = new BitbucketClient({
          baseUrl: config.bitbucketApiUrl, token: await readToken(repository.uuid),
          baseDelayMs: config.bitbucketRetryBaseMs, maxAttempts: config.bitbucketMaxAttempts, maxRateLimitWaitMs: config.bitbucketMaxRateLimitWaitMs,
        });
        return { source: new BitbucketSource(client, repository.fullName), apiCalls: () => client.stats.requests, bytesReceived: () => client.stats.bytesReceived };
      },
      models,
      state: repositories,
      recordEvent: (event) => events.record(event),
      enqueueContinuation: (request) => queue.enqueue(request, { groupId: request.repository.uuid, deduplicationId: `continue-${newRequestUuid()}` }),
    },
  };
}

export const handler = async (event: SQSEvent, context: Context): Promise<SQSBatchResponse> => {
  deps ??= createWorkerDeps();
  logger.addContext(context);
  // A burst of pushes to one repository costs one sync: later messages of a repository synced (or stopped, with
  // its continuation queued or parked by a rate limit) in this batch are acknowledged without asking Bitbucket again.
  const doneInBatch = new Map<string, 'synced' | 'stopped'>();
  try {
    const response = await processPartialResponse(event, (record: SQSRecord) => processRecord(record, context, doneInBatch), processor, {
      context, skipGroupOnError: true,
      // Report every failure as such (not a thrown error), so each gets its retry backoff.
      throwOnFullBatchFailure: false,
    });
    await scheduleRetries(event, response);
    return response;
  } finally {
    metrics.publishStoredMetrics();
  }
};

/** Failed messages come back after a growing backoff instead of the queue's hour-long visibility timeout. */
async function scheduleRetries(event: SQSEvent, response: SQSBatchResponse): Promise<void> {
  const base = deps!.config.retryBackoffBaseSeconds;
  if (base === 0) return;
  const failed = new Set(response.batchItemFailures.map((failure) => failure.itemIdentifier));
  for (const record of event.Records.filter((candidate) => failed.has(candidate.messageId))) {
    const seconds = retryBackoffSeconds(Number(record.attributes.ApproximateReceiveCount) || 1, base);
    await deps!.queue.retryAfter(record.receiptHandle, seconds).catch((error: unknown) => logger.warn('could not shorten the retry delay', { messageId: record.messageId, error: (error as Error).message }));
  }
}

async function processRecord(record: SQSRecord, context: Context, doneInBatch: Map<string, 'synced' | 'stopped'>): Promise<void> {
  const { config, ports, queue } = deps!;
  const request = parseSyncRequest(record.body);
  logger.resetKeys();
  logger.setCorrelationId(request.requestUuid);
  logger.appendKeys({ repository: request.repository.fullName, repositoryUuid: request.repository.uuid, trigger: request.trigger, receiveCount: record.attributes.ApproximateReceiveCount });
  const uuid = request.repository.uuid;
  if (request.trigger !== 'admin' && doneInBatch.has(uuid)) {
    logger.info(`sync skipped: repository already ${doneInBatch.get(uuid)} in this batch`);
    return;
  }
  if (context.getRemainingTimeInMillis() < config.safetyMarginMs) {
    // Too little time to start: hand the request to a later invocation rather than plan a sync and stop at once.
    await queue.enqueue(request, { groupId: uuid, deduplicationId: `later-${newRequestUuid()}` });
    doneInBatch.set(uuid, 'stopped');
    logger.info('sync postponed: the invocation is about to time out');
    return;
  }
  try {
    const result = await handleSyncRequest(request, { remainingTimeMs: () => context.getRemainingTimeInMillis(), concurrency: config.fetchConcurrency, safetyMarginMs: config.safetyMarginMs }, ports);
    const report = result.report;
    // Only a run that read the head proves later messages of the batch have nothing new to show.
    if (result.outcome === 'up-to-date' || (result.outcome === 'synced' && !report?.continued)) doneInBatch.set(uuid, 'synced');
    if (result.outcome === 'partial' || result.outcome === 'deferred') doneInBatch.set(uuid, 'stopped');
    metrics.addMetric('BitbucketApiCalls', MetricUnit.Count, result.apiCalls);
    if (report) metrics.addMetric('ModelsWritten', MetricUnit.Count, report.counts.added + report.counts.updated + report.counts.renamed);
    logger.info('sync finished', {
      outcome: result.outcome, branch: report?.branch, fromCommit: report?.fromCommit, toCommit: report?.toCommit, mode: report?.mode,
      fallbackReason: report?.fallbackReason, counts: report?.counts, opsRemaining: report?.opsRemaining, retryAfterMs: report?.retryAfterMs,
      apiCalls: result.apiCalls, bytesReceived: result.bytesReceived, durationMs: result.durationMs,
    });
  } catch (error) {
    metrics.addMetric('SyncFailures', MetricUnit.Count, 1);
    logger.error('sync failed; the message will be retried', error as Error);
    throw error;
  }
}

/** Forgets the adapters built from the environment (the local runtime calls it when its endpoints change). */
export function resetWorkerDeps(): void {
  deps = undefined;
}
