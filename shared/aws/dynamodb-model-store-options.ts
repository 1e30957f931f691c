/** Options, inputs and size defaults of the DynamoDB model store, apart so the store's file holds only its logic. */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { ModelBodyEncoding } from '../models/model-body-codec';
import type { TooLargeModel } from '../models/model-record';

/** Default chunk size: 350 KiB leaves ~50 KB of the 400 KB item limit for keys and attributes. */
export const DEFAULT_CHUNK_BYTES = 350 * 1024;
/** Default largest compressed body kept inside the record item; same headroom reasoning as chunks (path ≤ 1 KB, metadata clipped). */
export const DEFAULT_INLINE_LIMIT_BYTES = 350 * 1024;
/** Default largest compressed entity index kept in the record item (most models' indexes: no item of their own). */
export const DEFAULT_INLINE_INDEX_LIMIT_BYTES = 16 * 1024;
/** Largest accepted chunk or inline body: above it an item could exceed DynamoDB's 400 KB. */
export const MAX_ITEM_BODY_BYTES = 390 * 1024;
/** Default age below which `DynamoDbModelStore.removeOrphanChunks` leaves unreferenced chunks alone (a write may be in flight). */
export const DEFAULT_ORPHAN_MIN_AGE_MS = 60 * 60 * 1000;

/** Options of `DynamoDbModelStore`. */
export interface DynamoDbModelStoreOptions {
  /** Physical name of the models table (`MODELS_TABLE`). */
  readonly tableName: string;
  /** @default a new `DynamoDBClient` from the environment */
  readonly client?: DynamoDBClient;
  /** Bytes of compressed body per chunk item. @default {@link DEFAULT_CHUNK_BYTES} */
  readonly chunkBytes?: number;
  /** Compressed bodies up to this size are stored in the record item. @default {@link DEFAULT_INLINE_LIMIT_BYTES} */
  readonly inlineLimitBytes?: number;
  /**
   * Compressed entity indexes up to this size are stored in the record item (when the inline body leaves room), larger
   * ones as `index#` items. @default {@link DEFAULT_INLINE_INDEX_LIMIT_BYTES}
   */
  readonly inlineIndexLimitBytes?: number;
  /** Larger originals are refused by `putModel`. @default `MAX_MODEL_BYTES` (32 MiB) */
  readonly maxModelBytes?: number;
  /** Encoding of new writes (reads follow each record's stored encoding). @default `DEFAULT_MODEL_BODY_ENCODING` */
  readonly encoding?: ModelBodyEncoding;
  /** Parallel BatchWriteItem requests when writing or deleting chunks. @default 4 */
  readonly writeConcurrency?: number;
}

/** Input of `DynamoDbModelStore.putModel`. */
export interface PutModelInput {
  readonly repositoryUuid: string;
  readonly path: string;
  readonly commit: string;
  /** The file's exact bytes (valid JSON or not). */
  readonly bytes: Buffer;
  /** @default now */
  readonly syncedAt?: string;
  /**
   * Version the caller last saw at this path (`null`: expects no record). When given, the write fails with
   * `ModelWriteConflictError` unless the record still has it. @default the version read at the start of the write
   */
  readonly expectedVersion?: string | null;
  /** Repository generation of the write (see `WriteFence` in the sync ports). @default unfenced */
  readonly generation?: string;
}

/** Input of `DynamoDbModelStore.recordTooLarge`. */
export type RecordTooLargeInput = TooLargeModel;
