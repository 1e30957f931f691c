/** Builds the reconciler's adapters from its environment, so the handler file only wires events to the domain. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../../shared/aws/aws-clients';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { readEnv } from '../../shared/config/env';
import type { ReconciliationPorts } from '../../shared/domain/sync/enqueue-reconciliation';
import { createLogger } from '../../shared/observability/logger';

/** What one reconciler container keeps between invocations. */
export interface ReconcilerDeps {
  readonly ports: ReconciliationPorts;
  readonly logger: Logger;
}

/** Reads the configuration (throwing one ConfigError listing every problem) and builds the adapters once. */
export function createReconcilerDeps(
  env: Readonly<Record<string, string | undefined>> = process.env,
  clients: AwsClients = {},
): ReconcilerDeps {
  const read = readEnv(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: read.string('REPOSITORIES_TABLE'), client: clients.dynamodb });
  const queue = new SqsSyncQueue({ queueUrl: read.string('QUEUE_URL'), client: clients.sqs });
  read.done();
  return {
    logger: createLogger('model-hub-reconciler', env),
    ports: { listRepositories: () => repositories.listRepositories(), enqueue: (request, options) => queue.enqueue(request, options) },
  };
}
