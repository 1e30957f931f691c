// The shared/ adapters of the hub an admin use case talks to, built once per CLI command (or admin API request)
// over the target's clients.
import { Agent } from 'undici';
import { DynamoDbEventLog } from '../aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../aws/dynamodb-repository-store';
import type { RepositoryConfig } from '../domain/repository-config';
import { SqsSyncQueue } from '../aws/sqs-sync-queue';
import { BitbucketClient } from '../bitbucket/bitbucket-client';
import { AdminError } from './errors';
import { parseRepositoryName } from './repository-name';
import { HubSecrets } from '../aws/hub-secrets';
import type { HubTarget } from './hub-target';

/** The adapters of one hub, built over the target's clients: the same code the functions run. */
export interface HubContext {
  readonly target: HubTarget;
  readonly repositories: DynamoDbRepositoryStore;
  readonly models: DynamoDbModelStore;
  readonly events: DynamoDbEventLog;
  readonly queue: SqsSyncQueue;
  readonly secrets: HubSecrets;
  /** A Bitbucket client with the given repository access token (few retries: a person is waiting). */
  bitbucket(token: string): BitbucketClient;
  /** The added repository called `workspace/slug` (case-insensitive), or an AdminError naming what to do. */
  findRepository(fullName: string): Promise<RepositoryConfig>;
  /** The added repository of this uuid (braces optional), or a `not-found` AdminError. */
  findRepositoryByUuid(uuid: string): Promise<RepositoryConfig>;
  close(): Promise<void>;
}

/** Builds the adapters for a target. */
export function createHubContext(target: HubTarget): HubContext {
  const repositories = new DynamoDbRepositoryStore({ tableName: target.repositoriesTable, client: target.dynamodb });
  // Its own connection pool, closed with the context, so the process can exit as soon as the command is done.
  const dispatcher = new Agent({ keepAliveTimeout: 5_000, connections: 4 });
  return {
    target,
    repositories,
    models: new DynamoDbModelStore({ tableName: target.modelsTable, client: target.dynamodb }),
    events: new DynamoDbEventLog({ tableName: target.eventsTable, client: target.dynamodb }),
    queue: new SqsSyncQueue({ queueUrl: target.queueUrl, client: target.sqs }),
    secrets: new HubSecrets(target.secretsManager, target.webhookSecretId, target.tokenSecretPrefix),
    bitbucket: (token) =>
      new BitbucketClient({
        baseUrl: target.bitbucketApiUrl,
        token,
        dispatcher,
        maxAttempts: 3,
        requestTimeoutMs: 20_000,
        maxRateLimitWaitMs: 10_000,
      }),
    async findRepository(fullName) {
      parseRepositoryName(fullName);
      const wanted = fullName.toLowerCase();
      const found = (await repositories.listRepositories()).find((repository) => repository.fullName.toLowerCase() === wanted);
      if (!found)
        throw new AdminError(`repository ${fullName} is not added to ${target.description}`, {
          hint: 'see `repo list`, or add it with `repo add`',
          code: 'not-found',
        });
      return found;
    },
    async findRepositoryByUuid(uuid) {
      const braced = uuid.startsWith('{') ? uuid : `{${uuid}}`;
      const found = /^\{[0-9a-f-]{1,64}\}$/i.test(braced) ? await repositories.getRepository(braced.toLowerCase()) : undefined;
      if (!found)
        throw new AdminError(`no repository ${braced} is added to ${target.description}`, {
          hint: 'see `repo list`, or add it with `repo add`',
          code: 'not-found',
        });
      return found;
    },
    async close() {
      target.close();
      await dispatcher.close();
    },
  };
}
