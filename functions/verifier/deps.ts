/** Builds the verifier's adapters from its environment, so the handler file only wires events to the domain. */
import type { Logger } from '@aws-lambda-powertools/logger';
import { secretsProviderFor, type AwsClients } from '../../shared/aws/aws-clients';
import { DynamoDbEventLog } from '../../shared/aws/dynamodb-event-log';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { createWebhookSecretReader } from '../../shared/aws/webhook-secrets';
import { loadVerifierConfig } from '../../shared/config/verifier-config';
import type { DeliveryPorts } from '../../shared/domain/accept-delivery';
import { createLogger } from '../../shared/observability/logger';
import { cacheFor } from '../../shared/util/ttl-cache';

type Environment = Readonly<Record<string, string | undefined>>;

/** What one verifier container keeps between invocations. */
export interface VerifierDeps {
  readonly logger: Logger;
  /**
   * The adapters, built on the first delivery that needs them: a configuration error is then answered 500 and
   * logged like any failure of the hub's own (and tried again on the next delivery).
   */
  ports(): DeliveryPorts;
}

export function createVerifierDeps(env: Environment = process.env, clients: AwsClients = {}): VerifierDeps {
  let ports: DeliveryPorts | undefined;
  return { logger: createLogger('model-hub-verifier', env), ports: () => (ports ??= createVerifierPorts(env, clients)) };
}

/** Reads the configuration (throwing one ConfigError listing every problem) and builds the adapters. */
export function createVerifierPorts(env: Environment = process.env, clients: AwsClients = {}): DeliveryPorts {
  const config = loadVerifierConfig(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: config.repositoriesTable, client: clients.dynamodb });
  const events = new DynamoDbEventLog({
    tableName: config.eventsTable,
    eventTtlDays: config.eventsTtlDays,
    acceptedTtlDays: config.dedupeTtlDays,
    client: clients.dynamodb,
  });
  const queue = new SqsSyncQueue({ queueUrl: config.queueUrl, client: clients.sqs });
  const findRepository = cacheFor(config.repositoryCacheSeconds * 1000, (uuid) => repositories.getRepository(uuid), {
    keep: (repository) => repository !== undefined,
  });
  return {
    getWebhookSecrets: createWebhookSecretReader(config.webhookSecretId, { provider: secretsProviderFor(clients) }),
    findRepository,
    claimAccepted: (hash, claim) => events.claimAccepted(hash, claim),
    releaseAccepted: (hash, claimId) => events.releaseAccepted(hash, claimId),
    enqueue: (request, options) => queue.enqueue(request, options),
    recordEvent: (event) => events.record(event),
    countEvent: (event) => events.recordCounted(event),
  };
}
