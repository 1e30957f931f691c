// DynamoDB adapter of added repositories and of the SyncStateStore port (cursor and progress per repository).
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { RepositoryConfig } from '../domain/repository-config';
import { DEFAULT_MODEL_PATTERN } from '../models/model-selection';
import type { SyncState, SyncStateEraser, SyncStateStore } from '../domain/sync/ports';
import { scanAll } from './dynamodb-paging';
import { RepositoryExistsError, RepositoryNotAddedError } from '../domain/errors';
import { SyncStateConflictError } from '../domain/sync/errors';
import { PARTITION_KEY, SORT_KEY } from './tables';

/**
 * DynamoDB adapter for added repositories and their sync state: `pk = repo#<uuid>`, `sk = config | sync`.
 * @example new DynamoDbRepositoryStore({ tableName: process.env.REPOSITORIES_TABLE! })
 */
export class DynamoDbRepositoryStore implements SyncStateStore, SyncStateEraser {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;

  constructor(options: { tableName: string; client?: DynamoDBClient }) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient({});
  }

  /**
   * Adds a repository; a sync state left by an earlier generation (work of a removed repository that finished
   * after the removal) is deleted, so the new generation starts from nothing.
   */
  async addRepository(config: RepositoryConfig): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: configItem(config), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new RepositoryExistsError(`repository ${config.fullName} ${config.uuid} is already added`);
      throw error;
    }
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(config.uuid, 'sync'),
          ...(config.generation === undefined
            ? {}
            : {
                ConditionExpression: 'attribute_not_exists(#gen) OR #gen <> :gen',
                ExpressionAttributeNames: { '#gen': 'generation' },
                ExpressionAttributeValues: { ':gen': s(config.generation) },
              }),
        }),
      );
    } catch (error) {
      // Already written by the new generation's own first sync: keep it.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Updates name or pattern of an added repository (renames keep the uuid). */
  /** Replaces a repository's configuration; throws {@link RepositoryNotAddedError} when it is not added. */
  async updateRepository(config: RepositoryConfig): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({ TableName: this.tableName, Item: configItem(config), ConditionExpression: 'attribute_exists(pk)' }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new RepositoryNotAddedError(`repository ${config.fullName} ${config.uuid} is not added`);
      throw error;
    }
  }

  /**
   * Records a repository's new name and, when given, its workspace's uuid (a transfer changes it; older records
   * lack it); touches nothing else, so it cannot undo a concurrent pattern change.
   */
  async renameRepository(uuid: string, fullName: string, workspaceUuid?: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateItemCommand({
          TableName: this.tableName,
          Key: key(uuid, 'config'),
          UpdateExpression: workspaceUuid === undefined ? 'SET fullName = :name' : 'SET fullName = :name, workspaceUuid = :workspace',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':name': s(fullName), ...(workspaceUuid === undefined ? {} : { ':workspace': s(workspaceUuid) }) },
        }),
      );
    } catch (error) {
      // Removed meanwhile: nothing to rename.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  /** Points an added repository at another stored access token; touches nothing else. */
  async setTokenId(uuid: string, tokenId: string): Promise<void> {
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: key(uuid, 'config'),
        UpdateExpression: 'SET tokenId = :tokenId',
        ConditionExpression: 'attribute_exists(pk)',
        ExpressionAttributeValues: { ':tokenId': s(tokenId) },
      }),
    );
  }

  async getRepository(uuid: string): Promise<RepositoryConfig | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(uuid, 'config'), ConsistentRead: true }),
    );
    return Item ? toConfig(Item) : undefined;
  }

  async listRepositories(): Promise<RepositoryConfig[]> {
    const items = await scanAll(this.client, {
      TableName: this.tableName,
      FilterExpression: '#sk = :config',
      ExpressionAttributeNames: { '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':config': s('config') },
    });
    return items.map(toConfig).sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  /**
   * Removes the repository's configuration, then its sync state (its models are removed by the model store,
   * after this). The configuration goes first: it is the fence that in-flight work of the repository checks after
   * each write (`repository-fence.ts`).
   */
  async removeRepository(uuid: string): Promise<void> {
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(uuid, 'config') }));
    await this.client.send(new DeleteItemCommand({ TableName: this.tableName, Key: key(uuid, 'sync') }));
  }

  async getSyncState(uuid: string): Promise<SyncState> {
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(uuid, 'sync'), ConsistentRead: true }),
    );
    if (!Item) return { uuid, revision: 0 };
    return { ...(JSON.parse(Item.state!.S!) as Omit<SyncState, 'revision'>), uuid, revision: Number(Item.revision!.N) };
  }

  /**
   * Writes the next sync state if nobody wrote since `expectedRevision` was read, and returns it with its new
   * revision. This is the conditional write that advances the cursor.
   */
  async putSyncState(state: Omit<SyncState, 'revision'>, expectedRevision: number): Promise<SyncState> {
    const revision = expectedRevision + 1;
    const { uuid, ...rest } = state;
    const fenced = expectedRevision !== 0 && state.generation !== undefined;
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...key(uuid, 'sync'),
            state: s(JSON.stringify(rest)),
            revision: { N: String(revision) },
            cursor: s(state.cursor ?? ''),
            updatedAt: s(new Date().toISOString()),
            ...(state.generation !== undefined ? { generation: s(state.generation) } : {}),
          },
          ConditionExpression:
            expectedRevision === 0 ? 'attribute_not_exists(pk)' : fenced ? 'revision = :expected AND #gen = :gen' : 'revision = :expected',
          ExpressionAttributeNames: fenced ? { '#gen': 'generation' } : undefined,
          ExpressionAttributeValues:
            expectedRevision === 0
              ? undefined
              : { ':expected': { N: String(expectedRevision) }, ...(fenced ? { ':gen': s(state.generation!) } : {}) },
        }),
      );
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException)
        throw new SyncStateConflictError(`sync state of ${uuid} changed while syncing (expected revision ${expectedRevision})`);
      throw error;
    }
    return { ...state, revision };
  }

  async deleteSyncState(uuid: string, expected: { revision: number; generation?: string }): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(uuid, 'sync'),
          ConditionExpression:
            expected.generation === undefined
              ? 'revision = :revision AND attribute_not_exists(#gen)'
              : 'revision = :revision AND #gen = :gen',
          ExpressionAttributeNames: { '#gen': 'generation' },
          ExpressionAttributeValues: {
            ':revision': { N: String(expected.revision) },
            ...(expected.generation === undefined ? {} : { ':gen': s(expected.generation) }),
          },
        }),
      );
    } catch (error) {
      // Someone wrote since: not the state the caller meant.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }
}

function configItem(config: RepositoryConfig): Record<string, AttributeValue> {
  return {
    ...key(config.uuid, 'config'),
    uuid: s(config.uuid),
    fullName: s(config.fullName),
    ...(config.workspaceUuid ? { workspaceUuid: s(config.workspaceUuid) } : {}),
    modelPattern: s(config.modelPattern),
    addedAt: s(config.addedAt),
    ...tokenIdItem(config),
    ...(config.generation !== undefined ? { generation: s(config.generation) } : {}),
  };
}

function key(uuid: string, sortKey: 'config' | 'sync'): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: s(`repo#${uuid}`), [SORT_KEY]: s(sortKey) };
}

function s(value: string): AttributeValue {
  return { S: value };
}

function toConfig(item: Record<string, AttributeValue>): RepositoryConfig {
  return {
    uuid: item.uuid!.S!,
    fullName: item.fullName!.S!,
    ...(item.workspaceUuid?.S ? { workspaceUuid: item.workspaceUuid.S } : {}),
    modelPattern: item.modelPattern?.S ?? DEFAULT_MODEL_PATTERN,
    addedAt: item.addedAt!.S!,
    ...(item.tokenId?.S ? { tokenId: item.tokenId.S } : {}),
    ...(item.generation?.S !== undefined ? { generation: item.generation.S } : {}),
  };
}

function tokenIdItem(config: RepositoryConfig): Record<string, AttributeValue> {
  return config.tokenId ? { tokenId: s(config.tokenId) } : {};
}
