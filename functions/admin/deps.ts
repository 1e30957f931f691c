/** Builds the admin function's hub (tables, queues, secrets) and authorization from its environment. */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SQSClient } from '@aws-sdk/client-sqs';
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../../shared/aws/aws-clients';
import { createHubContext } from '../../shared/admin/hub-context';
import type { HubTarget } from '../../shared/admin/hub-target';
import { jwtAuthorizer, type Authorize } from '../../shared/admin/api/principal';
import type { AdminApiDeps } from '../../shared/admin/api/router';
import { loadAdminConfig, type AdminConfig } from '../../shared/config/admin-config';
import { createLogger } from '../../shared/observability/logger';

type Environment = Readonly<Record<string, string | undefined>>;

/** What one admin container keeps between invocations. */
export interface AdminDeps {
  readonly logger: Logger;
  /** The admin API's surroundings, built on the first request (a configuration error then answers 500 and is logged). */
  api(): AdminApiDeps;
}

/** Deployed: JWT claims authorize (admin group required). The local runtime passes its session authorizer instead. */
export function createAdminDeps(env: Environment = process.env, clients: AwsClients = {}, authorize?: Authorize): AdminDeps {
  const logger = createLogger('model-hub-admin', env);
  let api: AdminApiDeps | undefined;
  return {
    logger,
    api: () => (api ??= createAdminApiDeps(loadAdminConfig(env), clients, logger, authorize)),
  };
}

function createAdminApiDeps(config: AdminConfig, clients: AwsClients, logger: Logger, authorize?: Authorize): AdminApiDeps {
  const target: Omit<HubTarget, 'whoAmI'> = {
    kind: clients.dynamodb ? 'local' : 'aws',
    description: config.hubDescription,
    webhookUrl: config.webhookUrl,
    webhookSecretId: config.webhookSecretId,
    tokenSecretPrefix: config.tokenSecretPrefix,
    queueUrl: config.queueUrl,
    deadLetterQueueUrl: config.deadLetterQueueUrl,
    modelsTable: config.modelsTable,
    repositoriesTable: config.repositoriesTable,
    eventsTable: config.eventsTable,
    bitbucketApiUrl: config.bitbucketApiUrl,
    dynamodb: clients.dynamodb ?? new DynamoDBClient({}),
    sqs: clients.sqs ?? new SQSClient({}),
    secretsManager: clients.secretsManager ?? new SecretsManagerClient({}),
    // The clients outlive a request: the container keeps them.
    close: () => undefined,
  };
  return {
    authorize: authorize ?? jwtAuthorizer(config.adminGroup),
    openHub: (actor) => createHubContext({ ...target, whoAmI: async () => actor }),
    secretCacheSeconds: config.secretCacheSeconds,
    onUnexpectedError: (error, route) =>
      logger.error('admin request failed', { route, error: (error as Error).name, message: (error as Error).message }),
  };
}
