/**
 * The hub's DynamoDB tables: one description used by the CDK stack and by the local runtime, so both create
 * exactly the same key schema. Every table has a string partition key `pk` and a string sort key `sk`.
 */
export interface TableDefinition {
  /** Logical name, also the suffix of the local table name. */
  readonly logicalName: 'Models' | 'Repositories' | 'Events' | 'Changes';
  /** The environment variable through which functions receive the physical table name. */
  readonly envVar: 'MODELS_TABLE' | 'REPOSITORIES_TABLE' | 'EVENTS_TABLE' | 'CHANGES_TABLE';
  /** Attribute holding an epoch-seconds expiry, when the table expires items. */
  readonly ttlAttribute?: string;
  /** The table's DynamoDB stream carries new item images (an EventBridge pipe reads it). */
  readonly streamsNewImages?: boolean;
  /** Global secondary indexes (string keys, `INCLUDE` projection). */
  readonly globalIndexes?: readonly GlobalIndexDefinition[];
}

/** A global secondary index; sparse when only some items carry its partition key attribute. */
export interface GlobalIndexDefinition {
  readonly indexName: string;
  readonly partitionKey: string;
  readonly sortKey: string;
  /** Attributes copied into the index besides the keys. */
  readonly nonKeyAttributes: readonly string[];
}

export const PARTITION_KEY = 'pk';
export const SORT_KEY = 'sk';

/**
 * The model records of a repository without their bodies: only records carry `repositoryUuid` (chunk and index
 * items do not), so this index holds a few hundred bytes a model, and entity search lists a repository's records
 * from it without reading (and paying for) the inline bodies a Query of the table reads whatever it projects.
 */
export const MODEL_RECORDS_INDEX: GlobalIndexDefinition = {
  indexName: 'records',
  partitionKey: 'repositoryUuid',
  sortKey: SORT_KEY,
  nonKeyAttributes: ['path', 'version', 'status', 'modelName', 'dbVendor', 'appTarget', 'indexChunks', 'indexInline', 'indexTruncated'],
};

/** Replicated models (record per model and, for large bodies, chunk and entity index items). */
export const MODELS_TABLE: TableDefinition = { logicalName: 'Models', envVar: 'MODELS_TABLE', globalIndexes: [MODEL_RECORDS_INDEX] };
/** Added repositories (configuration) and their sync state (cursor, progress). */
export const REPOSITORIES_TABLE: TableDefinition = { logicalName: 'Repositories', envVar: 'REPOSITORIES_TABLE' };
/** Events log (deliveries, sync runs) and the remembered hashes of accepted bodies; both expire. */
export const EVENTS_TABLE: TableDefinition = { logicalName: 'Events', envVar: 'EVENTS_TABLE', ttlAttribute: 'expiresAt' };

/**
 * Change records: the feed behind `GET /changes` and the EventBridge events (its stream feeds the pipe), the intents
 * of uncommitted writes and the marks of commits in progress (`shared/aws/dynamodb-change-store.ts`); all expire.
 */
export const CHANGES_TABLE: TableDefinition = {
  logicalName: 'Changes',
  envVar: 'CHANGES_TABLE',
  ttlAttribute: 'expiresAt',
  streamsNewImages: true,
};

export const ALL_TABLES: readonly TableDefinition[] = [MODELS_TABLE, REPOSITORIES_TABLE, EVENTS_TABLE, CHANGES_TABLE];
