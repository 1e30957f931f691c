// The read side of the model store, kept apart from its write protocol (versions, conflicts, shared chunks): reads
// need only the table layout and a check of every body against its record.
import { DynamoDBClient, GetItemCommand, QueryCommand, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import type { StoredModel } from '../domain/read/ports';
import type { ReadBackModel } from '../domain/sync/ports';
import { decodeEntityIndex, type EntityIndexDocument } from '../models/entity-index';
import { gitBlobId } from '../models/git-blob-id';
import { decodeModelBody, joinChunks } from '../models/model-body-codec';
import type { ModelRecord } from '../models/model-record';
import { INDEX_SK_PREFIX, MODEL_SK_PREFIX, modelSortKey } from './dynamodb-model-store-keys';
import type { DynamoDbModelStoreOptions } from './dynamodb-model-store-options';
import { batchGetAll, pages, queryAll } from './dynamodb-paging';
import { ModelBodyInconsistentError, ModelBodyNotStoredError } from '../domain/sync/errors';
import { ModelChunkStore } from './model-chunk-store';
import { INDEX_ATTRIBUTE, RECORD_ATTRIBUTES, key, projection, recordFromItem, s, type Item } from './model-item-codec';
import { PARTITION_KEY, SORT_KEY } from './tables';

/**
 * Reads of the models table laid out by {@link DynamoDbModelStore} (all consistent). A body is returned only when it
 * matches its record (chunk count, size, SHA-256), so a reader racing a rewrite never gets a mix of two versions.
 */
export class DynamoDbModelReader {
  protected readonly tableName: string;
  protected readonly client: DynamoDBClient;
  protected readonly writeConcurrency: number;
  protected readonly chunks: ModelChunkStore;

  constructor(options: Pick<DynamoDbModelStoreOptions, 'tableName' | 'client' | 'writeConcurrency'>) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient({});
    this.writeConcurrency = options.writeConcurrency ?? 4;
    this.chunks = new ModelChunkStore(this.client, this.tableName, this.writeConcurrency);
  }

  /** The record at `path` without its body (consistent read), or undefined when there is none. */
  async getRecord(repositoryUuid: string, path: string): Promise<ModelRecord | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: key(repositoryUuid, modelSortKey(path)),
        ConsistentRead: true,
        ...projection(RECORD_ATTRIBUTES),
      }),
    );
    return Item ? recordFromItem(Item) : undefined;
  }

  /**
   * The record at `path` and the exact original bytes (also for `invalid` models), or undefined when there is no
   * record. The body is checked against the record's chunk count, size and SHA-256; on a mismatch (a concurrent
   * rewrite deleted the chunks just read) the record is read once more, then {@link ModelBodyInconsistentError}
   * is thrown. Throws {@link ModelBodyNotStoredError} for a `too-large` record.
   */
  async getModel(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; body: Buffer } | undefined> {
    const model = await this.getStoredModel(repositoryUuid, path);
    return model && { record: model.record, body: model.body };
  }

  /**
   * {@link getModel} with the bytes as stored too (`stored`: compressed with `encoding`), which the read API passes
   * through to clients that accept the encoding; both are checked against the record.
   */
  async getStoredModel(repositoryUuid: string, path: string): Promise<StoredModel | undefined> {
    const sk = modelSortKey(path);
    for (let attempt = 0; ; attempt++) {
      const { Item } = await this.client.send(
        new GetItemCommand({ TableName: this.tableName, Key: key(repositoryUuid, sk), ConsistentRead: true }),
      );
      if (!Item) return undefined;
      const record = recordFromItem(Item);
      if (record.storage === 'none') throw new ModelBodyNotStoredError(record);
      const loaded = await this.loadBody(record, Item);
      if (loaded) return { record, ...loaded };
      if (attempt >= 1)
        throw new ModelBodyInconsistentError(
          `stored body of ${path} in ${repositoryUuid} does not match its record (version ${record.version})`,
        );
    }
  }

  /**
   * The record at `path` with its entity index, or undefined when there is no record. `index` is absent when the
   * record has none: not a valid model, or written before indexes were kept. Throws {@link ModelBodyInconsistentError}
   * when the index pieces are missing twice in a row (a rewrite racing two reads).
   */
  async getEntityIndex(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; index?: EntityIndexDocument } | undefined> {
    for (let attempt = 0; ; attempt++) {
      const record = await this.getRecord(repositoryUuid, path);
      if (!record || record.indexChunks === undefined) return record && { record };
      const pieces = record.indexInline
        ? await this.inlineIndex(record)
        : record.indexChunks === 0
          ? []
          : await this.chunks.readPieces(repositoryUuid, record.version, record.indexChunks, INDEX_SK_PREFIX);
      if (pieces?.length === 0) return { record, index: { entries: [], truncated: record.indexTruncated === true } };
      if (pieces) return { record, index: decodeEntityIndex(joinChunks(pieces)) };
      if (attempt >= 1)
        throw new ModelBodyInconsistentError(
          `entity index of ${path} in ${repositoryUuid} does not match its record (version ${record.version})`,
        );
    }
  }

  /** The index kept in the record item of `record`'s version, or undefined when the item holds another version now. */
  private async inlineIndex(record: ModelRecord): Promise<Uint8Array[] | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: key(record.repositoryUuid, modelSortKey(record.path)),
        ConsistentRead: true,
        ...projection(['version', INDEX_ATTRIBUTE]),
      }),
    );
    return Item?.version?.S === record.version && Item[INDEX_ATTRIBUTE]?.B ? [Item[INDEX_ATTRIBUTE].B] : undefined;
  }

  /**
   * Which of `paths` have a record (consistent BatchGetItem, 100 keys a call). An incremental sync asks this for
   * the paths of its diff instead of listing the whole repository, whose records carry inline bodies that a
   * Query would read (and bill) in full.
   */
  async existingPaths(repositoryUuid: string, paths: readonly string[]): Promise<Set<string>> {
    const found = new Set<string>();
    // A sort key names its path only when the path is short enough: map the keys back to the paths asked for.
    const pathOfKey = new Map([...new Set(paths)].map((path) => [modelSortKey(path), path]));
    const keys = [...pathOfKey.keys()].map((sk) => key(repositoryUuid, sk));
    const items = await batchGetAll(this.client, this.tableName, keys, {
      ConsistentRead: true,
      ProjectionExpression: '#sk',
      ExpressionAttributeNames: { '#sk': SORT_KEY },
    });
    for (const item of items) {
      const path = pathOfKey.get(item[SORT_KEY]!.S!);
      if (path !== undefined) found.add(path);
    }
    return found;
  }

  /**
   * Up to `limit` records (without bodies) whose path starts with `prefix`, after `afterPath`, in sort-key order: one
   * consistent Query (its own 1 MB page may end it early; `more` then says so).
   */
  async listModelPage(
    repositoryUuid: string,
    options: { prefix?: string; afterPath?: string; limit: number },
  ): Promise<{ records: ModelRecord[]; more: boolean }> {
    const { Items = [], LastEvaluatedKey } = await this.client.send(
      new QueryCommand({
        TableName: this.tableName,
        ConsistentRead: true,
        Limit: options.limit,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX + keyPrefix(options.prefix ?? '')) },
        ...projection(RECORD_ATTRIBUTES, { '#pk': PARTITION_KEY, '#sk': SORT_KEY }),
        ...(options.afterPath === undefined ? {} : { ExclusiveStartKey: key(repositoryUuid, modelSortKey(options.afterPath)) }),
      }),
    );
    const records = Items.map(recordFromItem).filter((record) => record.path.startsWith(options.prefix ?? ''));
    return { records, more: LastEvaluatedKey !== undefined };
  }

  /** How many model records a repository has (a consistent count Query, no attributes returned). */
  async countModels(repositoryUuid: string): Promise<number> {
    let count = 0;
    const input = {
      TableName: this.tableName,
      ConsistentRead: true,
      Select: 'COUNT' as const,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX) },
    };
    for await (const page of pages((startKey) => this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))))
      count += page.Count ?? 0;
    return count;
  }

  /** All model records of a repository, without bodies, in path order (paginated consistent Query). */
  async listModels(repositoryUuid: string): Promise<ModelRecord[]> {
    const items = await this.query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX) },
      ...projection(RECORD_ATTRIBUTES, { '#pk': PARTITION_KEY, '#sk': SORT_KEY }),
    });
    return items.map(recordFromItem);
  }

  /**
   * Every record of a repository with what a reader gets of its body (`ReadBackModel`), in path order: one
   * consistent Query of the records with their inline bodies, a page at a time (1 MB), plus one Query per chunked
   * body. A body that fails its checks is read once more through {@link getModel} (a rewrite may have raced the
   * page), and is `unreadable` when that fails too.
   */
  async readBackModels(repositoryUuid: string): Promise<ReadBackModel[]> {
    const models: ReadBackModel[] = [];
    const input = {
      TableName: this.tableName,
      ConsistentRead: true,
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX) },
    };
    for await (const page of pages((startKey) => this.client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey })))) {
      for (const item of page.Items ?? []) {
        const record = recordFromItem(item);
        if (record.storage === 'none') {
          models.push(record);
          continue;
        }
        const body = (await this.loadBody(record, item))?.body ?? (await this.readAgain(repositoryUuid, record.path));
        models.push({ ...record, body: body ? bodyIds(body) : 'unreadable' });
      }
    }
    return models;
  }

  /** The body a reader gets at `path` now, or undefined when it gets none. */
  private async readAgain(repositoryUuid: string, path: string): Promise<Buffer | undefined> {
    try {
      return (await this.getModel(repositoryUuid, path))?.body;
    } catch (error) {
      if (error instanceof ModelBodyInconsistentError || error instanceof ModelBodyNotStoredError) return undefined;
      throw error;
    }
  }

  /** Every item of a consistent Query of this table, all pages. */
  protected query(input: Omit<QueryCommandInput, 'TableName' | 'ConsistentRead' | 'ExclusiveStartKey'>): Promise<Item[]> {
    return queryAll(this.client, { ...input, TableName: this.tableName, ConsistentRead: true });
  }

  /** Returns the decoded body and the stored bytes, or undefined when they do not match the record (chunks missing or replaced). */
  private async loadBody(record: ModelRecord, item: Item): Promise<Omit<StoredModel, 'record'> | undefined> {
    let stored: Buffer;
    if (record.storage === 'inline') {
      if (!item.body?.B) return undefined;
      stored = Buffer.from(item.body.B);
    } else {
      const chunks = await this.chunks.read(record);
      if (!chunks) return undefined;
      stored = joinChunks(chunks);
    }
    let body: Buffer;
    try {
      body = decodeModelBody(stored, record.encoding ?? 'identity', { maxBytes: record.size });
    } catch {
      return undefined;
    }
    if (body.byteLength !== record.size) return undefined;
    if (record.sha256 && createHash('sha256').update(body).digest('hex') !== record.sha256) return undefined;
    return { body, stored: { encoding: record.encoding ?? 'identity', bytes: stored } };
  }
}

/**
 * The part of a path prefix a sort key surely spells out: a long path's key keeps only its first bytes (see
 * `modelSortKey`), so a longer prefix is checked on the records' paths instead.
 */
function keyPrefix(prefix: string): string {
  let bytes = 0;
  let end = 0;
  for (const char of prefix) {
    bytes += Buffer.byteLength(char, 'utf8');
    if (bytes > 900) break;
    end += char.length;
  }
  return prefix.slice(0, end);
}

/** The ids of a body as read back. */
function bodyIds(body: Buffer): { blobId: string; sha256: string; size: number } {
  return { blobId: gitBlobId(body), sha256: createHash('sha256').update(body).digest('hex'), size: body.byteLength };
}
