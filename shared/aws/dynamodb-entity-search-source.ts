/**
 * DynamoDB adapter of entity search's source: lists the model records of a repository (the freshness check) and
 * reads the entity index pieces of the versions they name, keeping compiled indexes in memory by version. An index
 * never changes under its version, so a warm reader Lambda reads the records listing plus the indexes of versions
 * it has not seen, and nothing it has cached can be stale.
 */
import { DynamoDBClient, type QueryCommandInput } from '@aws-sdk/client-dynamodb';
import { searchableModel, type EntitySearchSource, type SearchRepository, type SearchableModel } from '../domain/read/search-entities';
import { SearchableEntityIndex } from '../models/entity-index-search';
import { joinChunks } from '../models/model-body-codec';
import { INDEX_SK_PREFIX, MODEL_SK_PREFIX, chunkSortKey, modelSortKey } from './dynamodb-model-store-keys';
import { batchGetAll, queryAll } from './dynamodb-paging';
import { INDEX_ATTRIBUTE, key, projection, recordFromItem, s } from './model-item-codec';
import { MODEL_RECORDS_INDEX, PARTITION_KEY, SORT_KEY } from './tables';

/** Default memory for compiled indexes: about 1,500 models of 2,100 entries, within a 1 GB reader. */
export const DEFAULT_INDEX_CACHE_BYTES = 256 * 1024 * 1024;
const LISTED_ATTRIBUTES = MODEL_RECORDS_INDEX.nonKeyAttributes;
/** After the records index was found missing (see `isMissingIndex`), the table is listed for this long. */
const INDEX_RETRY_MS = 5 * 60 * 1000;

export interface DynamoDbEntitySearchSourceOptions {
  /** Physical name of the models table (`MODELS_TABLE`). */
  readonly tableName: string;
  /** @default a new `DynamoDBClient` from the environment */
  readonly client?: DynamoDBClient;
  /** The repositories search goes over (e.g. from the repositories table). */
  readonly listRepositories: () => Promise<readonly SearchRepository[]>;
  /** Bound on the memory of cached compiled indexes (least recently used go first). @default {@link DEFAULT_INDEX_CACHE_BYTES} */
  readonly cacheBytes?: number;
  /** @default Date.now */
  readonly now?: () => number;
}

export class DynamoDbEntitySearchSource implements EntitySearchSource {
  private readonly client: DynamoDBClient;
  private readonly cacheBytes: number;
  /** Compiled indexes by `<repository>#<version>`, least recently used first. */
  private readonly cache = new Map<string, SearchableEntityIndex>();
  private cachedBytes = 0;
  /** Until when the records index is not asked (it was missing). */
  private tableUntil = 0;
  /** Index reads served from the cache and from the table since creation (for the bench and the tests). */
  readonly stats = { cached: 0, read: 0 };

  constructor(private readonly options: DynamoDbEntitySearchSourceOptions) {
    this.client = options.client ?? new DynamoDBClient({});
    this.cacheBytes = options.cacheBytes ?? DEFAULT_INDEX_CACHE_BYTES;
  }

  listRepositories(): Promise<readonly SearchRepository[]> {
    return this.options.listRepositories();
  }

  /**
   * The repository's records from the records index (a few hundred bytes each; eventually consistent, like every
   * read here: an index read after it checks the version), or from the table (which reads the inline bodies too)
   * when the table has no such index.
   */
  async listModels(repositoryUuid: string): Promise<readonly SearchableModel[]> {
    const now = this.options.now ?? Date.now;
    if (now() >= this.tableUntil) {
      try {
        return await this.listRecords({
          IndexName: MODEL_RECORDS_INDEX.indexName,
          KeyConditionExpression: '#pk = :pk',
          ExpressionAttributeValues: { ':pk': s(repositoryUuid) },
          ...projection(LISTED_ATTRIBUTES, { '#pk': MODEL_RECORDS_INDEX.partitionKey }),
        });
      } catch (error) {
        if (!isMissingIndex(error)) throw error;
        this.tableUntil = now() + INDEX_RETRY_MS;
      }
    }
    return this.listRecords({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX) },
      ...projection(LISTED_ATTRIBUTES, { '#pk': PARTITION_KEY, '#sk': SORT_KEY }),
    });
  }

  private async listRecords(input: Omit<QueryCommandInput, 'TableName'>): Promise<SearchableModel[]> {
    const items = await queryAll(this.client, { ...input, TableName: this.options.tableName });
    return items.map((item) => searchableModel(recordFromItem(item)));
  }

  /**
   * Cached indexes as they are; the others in BatchGetItem calls of 100 keys: their `index#` pieces, or the record
   * item for an index kept inline (taken only while the item still holds the listed version).
   */
  async loadIndexes(repositoryUuid: string, models: readonly SearchableModel[]): Promise<Array<SearchableEntityIndex | undefined>> {
    const loaded: Array<SearchableEntityIndex | undefined> = models.map((model) => this.cached(repositoryUuid, model));
    const missing = models.filter((model, i) => loaded[i] === undefined && stored(model));
    if (missing.length === 0) return loaded;
    const keys = missing.flatMap((model) => pieceKeys(model).map((sk) => key(repositoryUuid, sk)));
    const pieces = new Map<string, Uint8Array>();
    const found = await batchGetAll(
      this.client,
      this.options.tableName,
      keys,
      projection(['data', 'version', INDEX_ATTRIBUTE], {}, [SORT_KEY]),
    );
    for (const item of found) {
      const data = item.data?.B ?? item[INDEX_ATTRIBUTE]?.B;
      if (data) pieces.set(item.version?.S === undefined ? item[SORT_KEY]!.S! : `${item[SORT_KEY]!.S!}@${item.version.S}`, data);
    }
    models.forEach((model, i) => {
      if (loaded[i] !== undefined || !stored(model)) return;
      const parts = model.indexInline
        ? [pieces.get(`${modelSortKey(model.path)}@${model.version}`)]
        : pieceKeys(model).map((sk) => pieces.get(sk));
      // A piece gone (or a record item of another version) means the model was rewritten or removed since the listing.
      if (parts.some((part) => part === undefined)) return;
      this.stats.read += 1;
      loaded[i] = this.remember(repositoryUuid, model, new SearchableEntityIndex(joinChunks(parts as Uint8Array[])));
    });
    return loaded;
  }

  /** The cached index of the model's version (an empty one when it holds nothing), or undefined. */
  private cached(repositoryUuid: string, model: SearchableModel): SearchableEntityIndex | undefined {
    if (model.index !== 'indexed') return undefined;
    if (!stored(model)) return new SearchableEntityIndex({ entries: [], truncated: model.indexTruncated === true });
    const cacheKey = `${repositoryUuid}#${model.version}`;
    const index = this.cache.get(cacheKey);
    if (!index) return undefined;
    this.stats.cached += 1;
    this.cache.delete(cacheKey);
    this.cache.set(cacheKey, index);
    return index;
  }

  private remember(repositoryUuid: string, model: SearchableModel, index: SearchableEntityIndex): SearchableEntityIndex {
    const cacheKey = `${repositoryUuid}#${model.version}`;
    this.cache.set(cacheKey, index);
    this.cachedBytes += index.memoryBytes;
    for (const [oldest, evicted] of this.cache) {
      if (this.cachedBytes <= this.cacheBytes || oldest === cacheKey) break;
      this.cache.delete(oldest);
      this.cachedBytes -= evicted.memoryBytes;
    }
    return index;
  }
}

/**
 * DynamoDB's answer to a Query of an index the table does not have, cannot serve yet (backfilling), or the role may
 * not query (granted the table only): search then still works, at the table's price.
 */
function isMissingIndex(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'AccessDeniedException') return /\/index\//.test(error.message);
  return (
    error.name === 'ValidationException' && /does not have the specified index|backfilling global secondary index/i.test(error.message)
  );
}

/** Whether the model's index has bytes to read (an empty index has none). */
function stored(model: SearchableModel): boolean {
  return model.indexInline === true || (model.indexChunks ?? 0) > 0;
}

/** The sort keys holding the model's index: its record item when inline, else its `index#` pieces. */
function pieceKeys(model: SearchableModel): string[] {
  if (model.indexInline) return [modelSortKey(model.path)];
  return Array.from({ length: model.indexChunks ?? 0 }, (_, n) => chunkSortKey(model.version, n, INDEX_SK_PREFIX));
}
