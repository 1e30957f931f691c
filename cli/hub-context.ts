// The shared/ adapters of the hub a command talks to, built once per command over the target's clients.
import { Agent } from 'undici';
import { DynamoDbEventLog } from '../shared/aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../shared/aws/dynamodb-repository-store';
import type { RepositoryConfig } from '../shared/domain/repository-config';
import { SqsSyncQueue } from '../shared/aws/sqs-sync-queue';
import { BitbucketClient } from '../shared/bitbucket/bitbucket-client';
import { CliError } from './errors';
import { parseRepositoryName } from './repository-name';
import { HubSecrets } from '../shared/aws/hub-secrets';
import type { HubTarget } from './target';

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
  /** The added repository called `workspace/slug` (case-insensitive), or a CliError naming what to do. */
  findRepository(fullName: string): Promise<RepositoryConfig>;
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
        throw new CliError(`repository ${fullName} is not added to ${target.description}`, {
          hint: 'see `repo list`, or add it with `repo add`',
        });
      return found;
    },
    async close() {
      target.close();
      await dispatcher.close();
    },
  };
}
