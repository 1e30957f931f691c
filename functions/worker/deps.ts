/** Builds the worker's adapters from its environment, so the handler file only wires events to the domain. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { createAccessTokenReader } from '../../shared/aws/access-tokens';
import { secretsProviderFor, type AwsClients } from '../../shared/aws/aws-clients';
import { DynamoDbChangeStore } from '../../shared/aws/dynamodb-change-store';
import { DynamoDbEventLog } from '../../shared/aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { BitbucketClient } from '../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../shared/bitbucket/bitbucket-source';
import { loadWorkerConfig, type WorkerConfig } from '../../shared/config/worker-config';
import { newRequestUuid, type SyncRequestPorts } from '../../shared/domain/sync/handle-sync-request';
import { packLimitsFor } from '../../shared/git/pack-guard';
import { createLogger } from '../../shared/observability/logger';
import { createMetrics, type MetricsRecorder } from '../../shared/observability/metrics';
import { cacheFor } from '../../shared/util/ttl-cache';

/** Everything one worker container keeps between invocations. */
export interface WorkerDeps {
  readonly config: WorkerConfig;
  readonly ports: SyncRequestPorts;
  readonly queue: Pick<SqsSyncQueue, 'enqueue' | 'retryAfter'>;
  readonly logger: Logger;
  readonly metrics: MetricsRecorder;
}

/** Reads the configuration (throwing one ConfigError listing every problem) and builds the adapters once. */
export function createWorkerDeps(env: Readonly<Record<string, string | undefined>> = process.env, clients: AwsClients = {}): WorkerDeps {
  const config = loadWorkerConfig(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: config.repositoriesTable, client: clients.dynamodb });
  const events = new DynamoDbEventLog({ tableName: config.eventsTable, eventTtlDays: config.eventsTtlDays, client: clients.dynamodb });
  const models = new DynamoDbModelStore({ tableName: config.modelsTable, client: clients.dynamodb });
  const queue = new SqsSyncQueue({ queueUrl: config.queueUrl, client: clients.sqs });
  const readToken = createAccessTokenReader(config.tokenSecretPrefix, { provider: secretsProviderFor(clients) });
  const findCached = cacheFor(30_000, (uuid) => repositories.getRepository(uuid), { keep: (repository) => repository !== undefined });
  return {
    config,
    queue,
    logger: createLogger('model-hub-worker', env),
    metrics: createMetrics('model-hub-worker', env),
    ports: {
      findRepository: (uuid, options) => (options?.fresh ? repositories.getRepository(uuid) : findCached(uuid)),
      async renameRepository(uuid, fullName, workspaceUuid) {
        await repositories.renameRepository(uuid, fullName, workspaceUuid);
        // The next message of the repository must not address it by what the cache still holds.
        findCached.forget(uuid);
      },
      async openSource(repository, { deadlineAt }) {
        const token = await readToken(repository);
        const client = new BitbucketClient({
          deadlineAt,
          baseUrl: config.bitbucketApiUrl,
          token,
          baseDelayMs: config.bitbucketRetryBaseMs,
          maxAttempts: config.bitbucketMaxAttempts,
          maxRateLimitWaitMs: config.bitbucketMaxRateLimitWaitMs,
        });
        const source = new BitbucketSource(
          client,
          // By uuids when the workspace's is stored: a repository renamed or transferred since is still found.
          repository,
          config.gitSync === 'on'
            ? { token, deadline: deadlineAt, packLimits: packLimitsFor(config.gitMaxPackMib * 1024 * 1024) }
            : undefined,
        );
        return {
          source,
          apiCalls: () => client.stats.requests,
          bytesReceived: () => client.stats.bytesReceived + source.gitStats.bytesReceived,
          gitRequests: () => source.gitStats.requests,
        };
      },
      models,
      state: repositories,
      changes: { log: new DynamoDbChangeStore({ tableName: config.changesTable, client: clients.dynamodb }), records: models },
      recordEvent: (event) => events.record(event),
      enqueueContinuation: (request) =>
        queue.enqueue(request, { groupId: request.repository.uuid, deduplicationId: `continue-${newRequestUuid()}` }),
    },
  };
}
