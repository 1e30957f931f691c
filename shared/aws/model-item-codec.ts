/**
 * How a model record is spelled as a DynamoDB item (and back), plus the small attribute helpers the model
 * store's requests share. Pure: no client, so it is unit-tested on its own.
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import type { ModelRecord } from '../models/model-record';
import { modelSortKey } from './dynamodb-model-store-keys';
import { PARTITION_KEY, SORT_KEY } from './tables';

export type Item = Record<string, AttributeValue>;

/** Record attributes except the inline body: the projection of `getRecord` and `listModels`. */
export const RECORD_ATTRIBUTES = [
  'repositoryUuid',
  'path',
  'commit',
  'size',
  'sha256',
  'blobId',
  'syncedAt',
  'status',
  'parseError',
  'modelName',
  'dbVendor',
  'appTarget',
  'dbVersion',
  'GUID',
  'lastModifTS',
  'collections',
  'relationships',
  'buckets',
  'views',
  'version',
  'encoding',
  'storage',
  'chunkCount',
  'storedBytes',
  'sharedChunks',
  'entityNames',
  'generation',
  'indexChunks',
  'indexInline',
  'indexEntries',
  'indexTruncated',
] as const;
/** The attributes a write reads from the record it replaces. */
export const HEAD_ATTRIBUTES = ['version', 'storage', 'chunkCount', 'sharedChunks', 'generation', 'indexChunks'] as const;

/** Metadata strings are clipped to this many characters so that a pathological model cannot overflow its item. */
const MAX_METADATA_STRING_LENGTH = 1024;

export function key(repositoryUuid: string, sk: string): Item {
  return { [PARTITION_KEY]: s(repositoryUuid), [SORT_KEY]: s(sk) };
}

export function s(value: string): AttributeValue {
  return { S: value };
}

export function n(value: number): AttributeValue {
  return { N: String(value) };
}

/** ProjectionExpression with every name aliased (`size`, `path`, `status`, `commit` are reserved words). */
export function projection(
  attributes: readonly string[],
  extraNames: Record<string, string> = {},
  keyAttributes: readonly string[] = [],
): { ProjectionExpression: string; ExpressionAttributeNames: Record<string, string> } {
  const names: Record<string, string> = { ...extraNames };
  const parts = [...keyAttributes, ...attributes].map((attribute, i) => {
    names[`#a${i}`] = attribute;
    return `#a${i}`;
  });
  return { ProjectionExpression: parts.join(', '), ExpressionAttributeNames: names };
}

/** Metadata with over-long strings cut to {@link MAX_METADATA_STRING_LENGTH} characters. */
export function clipMetadata<T extends object>(metadata: T): T {
  const clipped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metadata)) {
    clipped[name] =
      typeof value === 'string' && value.length > MAX_METADATA_STRING_LENGTH ? value.slice(0, MAX_METADATA_STRING_LENGTH) : value;
  }
  return clipped as T;
}

/** Attribute of a record item holding its small entity index (`ModelRecord.indexInline`). */
export const INDEX_ATTRIBUTE = 'entityIndex';

/**
 * The record item of `record`, with `inlineBody` as its `body` when the compressed body is kept inline, and
 * `inlineIndex` as its {@link INDEX_ATTRIBUTE} when the entity index is.
 */
export function recordToItem(record: ModelRecord, inlineBody: Uint8Array | undefined, inlineIndex?: Uint8Array): Item {
  const item: Item = key(record.repositoryUuid, modelSortKey(record.path));
  for (const attribute of RECORD_ATTRIBUTES) {
    const value = (record as unknown as Record<string, unknown>)[attribute];
    if (typeof value === 'string') item[attribute] = s(value);
    else if (typeof value === 'number') item[attribute] = n(value);
    else if (typeof value === 'boolean') item[attribute] = { BOOL: value };
    else if (Array.isArray(value)) item[attribute] = { L: value.map((entry: string) => s(entry)) };
  }
  if (inlineBody) item.body = { B: inlineBody };
  if (inlineIndex) item[INDEX_ATTRIBUTE] = { B: inlineIndex };
  return item;
}

/** The record an item holds (record attributes only; keys and body are ignored). */
export function recordFromItem(item: Item): ModelRecord {
  const record: Record<string, unknown> = {};
  for (const attribute of RECORD_ATTRIBUTES) {
    const value = item[attribute];
    if (value?.S !== undefined) record[attribute] = value.S;
    else if (value?.N !== undefined) record[attribute] = Number(value.N);
    else if (value?.BOOL !== undefined) record[attribute] = value.BOOL;
    else if (value?.L !== undefined) record[attribute] = value.L.map((entry) => entry.S ?? '');
  }
  return record as unknown as ModelRecord;
}
