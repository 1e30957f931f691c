/** Builds the reader's adapters from its environment, so the handler file only wires requests to the read use cases. */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { AwsClients } from '../../shared/aws/aws-clients';
import { DynamoDbChangeStore } from '../../shared/aws/dynamodb-change-store';
import { DynamoDbEntitySearchSource } from '../../shared/aws/dynamodb-entity-search-source';
import { DynamoDbEventLog } from '../../shared/aws/dynamodb-event-log';
import { DynamoDbModelReader } from '../../shared/aws/dynamodb-model-reader';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { loadReaderConfig } from '../../shared/config/reader-config';
import type { ReadPorts } from '../../shared/domain/read/ports';
import { StoredModelCache } from '../../shared/domain/read/stored-model-cache';
import { createLogger } from '../../shared/observability/logger';

type Environment = Readonly<Record<string, string | undefined>>;

/**
 * Most bytes of content one answer carries: Lambda answers at most 6 MB, and the bytes travel base64-encoded in it
 * (4 MiB become 5.6 MB), with room left for the headers.
 */
export const MAX_CONTENT_BYTES_PER_RESPONSE = 4 * 1024 * 1024;

/** Bodies a container keeps for the parts of ranged downloads: two 32 MiB models with their stored brotli. */
const STORED_MODEL_CACHE_BYTES = 72 * 1024 * 1024;

/** What one reader container keeps between invocations. */
export interface ReaderDeps {
  readonly logger: Logger;
  /** The adapters, built on the first request: a configuration error is then answered 500 and logged. */
  ports(): ReadPorts;
  /** @default {@link MAX_CONTENT_BYTES_PER_RESPONSE} */
  readonly maxContentBytes?: number;
}

export function createReaderDeps(env: Environment = process.env, clients: AwsClients = {}): ReaderDeps {
  let ports: ReadPorts | undefined;
  return { logger: createLogger('model-hub-reader', env), ports: () => (ports ??= createReaderPorts(env, clients)) };
}

/** Reads the configuration (throwing one ConfigError listing every problem) and builds the adapters: reads only. */
export function createReaderPorts(env: Environment = process.env, clients: AwsClients = {}): ReadPorts {
  const config = loadReaderConfig(env);
  const events = new DynamoDbEventLog({ tableName: config.eventsTable, client: clients.dynamodb });
  const repositories = new DynamoDbRepositoryStore({ tableName: config.repositoriesTable, client: clients.dynamodb });
  const search = new DynamoDbEntitySearchSource({
    tableName: config.modelsTable,
    client: clients.dynamodb,
    listRepositories: async () => (await repositories.listRepositories()).map(({ uuid, fullName }) => ({ uuid, fullName })),
  });
  return {
    repositories,
    search,
    ...(config.changesTable ? { changes: new DynamoDbChangeStore({ tableName: config.changesTable, client: clients.dynamodb }) } : {}),
    events: { list: (options) => events.list(options) },
    models: new DynamoDbModelReader({ tableName: config.modelsTable, client: clients.dynamodb }),
    storedModels: new StoredModelCache(STORED_MODEL_CACHE_BYTES),
    modelCounts: new Map(),
  };
}
