// DynamoDB adapter of the ModelStore port: model records and their bodies (inline or chunked) in one partition
// per repository, written so that a reader never sees a half-written model.
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  GetItemCommand,
  PutItemCommand,
  UpdateItemCommand,
  type WriteRequest,
} from '@aws-sdk/client-dynamodb';
import { createHash } from 'node:crypto';
import type { ModelStore } from '../domain/sync/ports';
import { indexPieces } from '../models/entity-index';
import { extractEntityIndex } from '../models/entity-index-extractor';
import { gitBlobId } from '../models/git-blob-id';
import { readModelSummary } from '../models/hackolade-metadata';
import { DEFAULT_MODEL_BODY_ENCODING, encodeModelBody, splitIntoChunks, type ModelBodyEncoding } from '../models/model-body-codec';
import { MAX_MODEL_BYTES, newRecordVersion, tooLargeRecord, type ModelRecord, type ModelStorage } from '../models/model-record';
import { batchWriteAll } from './dynamodb-batch-write';
import { DynamoDbModelReader } from './dynamodb-model-reader';
import { CHUNK_SK_PREFIX, INDEX_SK_PREFIX, MAX_SORT_KEY_BYTES, modelSortKey, parseChunkSortKey } from './dynamodb-model-store-keys';
import { ModelTooLargeError, ModelWriteConflictError } from '../domain/sync/errors';
import { generationConflict } from '../domain/sync/record-generation';
import type { RecordHead } from './model-chunk-store';
import { HEAD_ATTRIBUTES, INDEX_ATTRIBUTE, clipMetadata, key, projection, recordFromItem, recordToItem, s } from './model-item-codec';
import {
  DEFAULT_CHUNK_BYTES,
  DEFAULT_INLINE_INDEX_LIMIT_BYTES,
  DEFAULT_INLINE_LIMIT_BYTES,
  DEFAULT_ORPHAN_MIN_AGE_MS,
  MAX_ITEM_BODY_BYTES,
  type DynamoDbModelStoreOptions,
  type PutModelInput,
  type RecordTooLargeInput,
} from './dynamodb-model-store-options';
import { PARTITION_KEY, SORT_KEY } from './tables';

const MAX_PARSE_ERROR_LENGTH = 500;

/**
 * DynamoDB adapter for replicated models. Layout, in one partition per repository (`pk` = repository uuid):
 * `model#<path>` holds the record (and the compressed body when it fits inline); `chunk#<version>#<index>` holds
 * the pieces of larger bodies. See `dynamodb-model-store-keys.ts`.
 *
 * Guarantees: a reader never sees a half-written model. Chunks of a new version are written first, then one
 * conditional PutItem of the record (optimistic concurrency on `version`) makes the new body visible, then the
 * previous version's chunks are deleted. A crash between steps leaves at worst unreferenced chunks, which
 * {@link removeOrphanChunks} deletes. No transactions are used.
 *
 * Chunk sharing rule: chunks belong to one record, except during and after a {@link moveModel} of a chunked
 * model, which points the new record at the same chunks. Both records of a move are flagged `sharedChunks`;
 * deleting or overwriting a flagged record deletes the chunks only when no other record references the version
 * (one consistent Query of the partition's records). Unflagged records delete their chunks directly.
 *
 * Concurrency: writes to one path are safe against each other (conditional record writes); the sync is expected
 * to process one repository at a time, which the chunk-sharing check relies on. Entity index items (`index#`) follow
 * the chunks' rules; a small index lives in the record item. Reads are inherited from {@link DynamoDbModelReader}.
 *
 * @example new DynamoDbModelStore({ tableName: process.env.MODELS_TABLE! })
 */
export class DynamoDbModelStore extends DynamoDbModelReader implements ModelStore {
  private readonly chunkBytes: number;
  private readonly inlineLimitBytes: number;
  private readonly inlineIndexLimitBytes: number;
  private readonly maxModelBytes: number;
  private readonly encoding: ModelBodyEncoding;

  constructor(options: DynamoDbModelStoreOptions) {
    super(options);
    this.chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
    this.inlineLimitBytes = options.inlineLimitBytes ?? DEFAULT_INLINE_LIMIT_BYTES;
    this.inlineIndexLimitBytes = options.inlineIndexLimitBytes ?? DEFAULT_INLINE_INDEX_LIMIT_BYTES;
    this.maxModelBytes = options.maxModelBytes ?? MAX_MODEL_BYTES;
    this.encoding = options.encoding ?? DEFAULT_MODEL_BODY_ENCODING;
    for (const [name, value] of [
      ['chunkBytes', this.chunkBytes],
      ['inlineLimitBytes', this.inlineLimitBytes],
    ] as const) {
      if (!Number.isInteger(value) || value < 0 || value > MAX_ITEM_BODY_BYTES || (name === 'chunkBytes' && value === 0)) {
        throw new RangeError(`${name} must be an integer in [${name === 'chunkBytes' ? 1 : 0}, ${MAX_ITEM_BODY_BYTES}], got ${value}`);
      }
    }
  }

  /**
   * Stores a model file's exact bytes at `path`, replacing any previous version. Reads metadata (status `invalid`
   * with `parseError` when the bytes are not a JSON object; the bytes are kept anyway), compresses, and stores
   * inline or chunked. Throws {@link ModelTooLargeError} above `maxModelBytes`, and {@link ModelWriteConflictError}
   * when another writer changed the record meanwhile (this write then leaves nothing behind).
   */
  async putModel(input: PutModelInput): Promise<ModelRecord> {
    const { repositoryUuid, path, commit, bytes } = input;
    if (bytes.byteLength > this.maxModelBytes) throw new ModelTooLargeError(path, bytes.byteLength, this.maxModelBytes);
    const sk = modelSortKey(path);
    const { metadata: parsed, entityNames } = readModelSummary(bytes);
    const body = encodeModelBody(bytes, this.encoding);
    const version = newRecordVersion();
    // A path longer than a sort key is kept whole in the `path` attribute: its extra bytes come off the inline room.
    const inlineLimit = this.inlineLimitBytes - Math.max(0, Buffer.byteLength(path, 'utf8') - MAX_SORT_KEY_BYTES);
    const chunks = body.byteLength > inlineLimit ? splitIntoChunks(body, this.chunkBytes) : undefined;
    // A valid model's entity index, under the same version (never lagging or outliving the body); inline if it fits.
    const indexRoom = Math.min(this.inlineIndexLimitBytes, chunks ? inlineLimit : inlineLimit - body.byteLength);
    const index = parsed.valid ? indexPieces(extractEntityIndex(bytes), this.chunkBytes, indexRoom) : undefined;
    const record: ModelRecord = {
      repositoryUuid,
      path,
      commit,
      size: bytes.byteLength,
      sha256: createHash('sha256').update(bytes).digest('hex'),
      blobId: gitBlobId(bytes),
      syncedAt: input.syncedAt ?? new Date().toISOString(),
      status: parsed.valid ? 'valid' : 'invalid',
      ...(parsed.valid ? clipMetadata(parsed.metadata) : { parseError: parsed.error.slice(0, MAX_PARSE_ERROR_LENGTH) }),
      ...(entityNames.length > 0 ? { entityNames } : {}),
      version,
      encoding: this.encoding,
      storage: chunks ? 'chunked' : 'inline',
      chunkCount: chunks?.length ?? 0,
      storedBytes: body.byteLength,
      ...(input.generation !== undefined ? { generation: input.generation } : {}),
      ...index?.fields,
    };

    // Read what we replace as late as possible: the window for a conflict is from here to the commit.
    const previous = await this.readHead(repositoryUuid, sk);
    const fenced = generationConflict(repositoryUuid, path, previous, input.generation);
    if (fenced) throw fenced;
    if (input.expectedVersion !== undefined && (previous?.version ?? null) !== input.expectedVersion)
      throw new ModelWriteConflictError(repositoryUuid, path);
    if (chunks) await this.chunks.write(repositoryUuid, version, chunks);
    if (index?.pieces.length) await this.chunks.write(repositoryUuid, version, index.pieces, INDEX_SK_PREFIX);
    await this.commitRecord(record, chunks ? undefined : body, previous?.version, index?.inline);
    if (previous) await this.chunks.release(repositoryUuid, previous);
    return record;
  }

  /**
   * Records that `path` holds a model over the size limit: a `too-large` record with its size and no body
   * (storage `none`). Replaces any previous version like {@link putModel}, with the same conflict rule.
   */
  async recordTooLarge(input: RecordTooLargeInput): Promise<ModelRecord> {
    const { repositoryUuid, path } = input;
    const sk = modelSortKey(path);
    const record = tooLargeRecord(input);
    const previous = await this.readHead(repositoryUuid, sk);
    const fenced = generationConflict(repositoryUuid, path, previous, input.generation);
    if (fenced) throw fenced;
    await this.commitRecord(record, undefined, previous?.version);
    if (previous) await this.chunks.release(repositoryUuid, previous);
    return record;
  }

  /**
   * Deletes the record at `path` (no-op when absent), then its chunks unless another record still references them
   * (see the chunk sharing rule). Throws {@link ModelWriteConflictError} when the record changed between read and
   * delete, or belongs to another generation than `options.generation`. With `options.version`, deletes only that
   * version and is a no-op (never a conflict) for any other record.
   */
  async deleteModel(repositoryUuid: string, path: string, options: { generation?: string; version?: string } = {}): Promise<void> {
    const sk = modelSortKey(path);
    const head = await this.readHead(repositoryUuid, sk);
    if (!head || (options.version !== undefined && head.version !== options.version)) return;
    const fenced = generationConflict(repositoryUuid, path, head, options.generation);
    if (fenced) {
      if (options.version !== undefined) return;
      throw fenced;
    }
    const deleted = this.conditional(repositoryUuid, path, () =>
      this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(repositoryUuid, sk),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': s(head.version) },
        }),
      ),
    );
    if (options.version === undefined) await deleted;
    else if (
      !(await deleted.then(
        () => true,
        (error: unknown) => {
          if (error instanceof ModelWriteConflictError) return false;
          throw error;
        },
      ))
    )
      return;
    await this.chunks.release(repositoryUuid, head);
  }

  /**
   * Renames a model without fetching it again: writes a record at `toPath` with the same version, body or chunks
   * and metadata (new `commit` and `syncedAt`), then deletes the record at `fromPath`. Returns the new record, or
   * undefined when there is no record at `fromPath` (the caller then fetches `toPath` if it has no record yet).
   *
   * Interrupted after the first write, both paths exist and share chunks; neither loses data, and a later delete
   * of either path keeps chunks the other still references. Running the move again completes it. A record that
   * already existed at `toPath` is replaced and its own chunks released. Throws {@link ModelWriteConflictError}
   * when either record changed concurrently.
   */
  async moveModel(
    repositoryUuid: string,
    fromPath: string,
    toPath: string,
    commit: string,
    options: { generation?: string } = {},
  ): Promise<ModelRecord | undefined> {
    const fromSk = modelSortKey(fromPath);
    const toSk = modelSortKey(toPath);
    if (fromSk === toSk) return this.getRecord(repositoryUuid, fromPath);
    const { Item } = await this.client.send(
      new GetItemCommand({ TableName: this.tableName, Key: key(repositoryUuid, fromSk), ConsistentRead: true }),
    );
    if (!Item) return undefined;
    const source = recordFromItem(Item);
    const sourceFenced = generationConflict(repositoryUuid, fromPath, source, options.generation);
    if (sourceFenced) throw sourceFenced;
    // Body chunks and index pieces are keyed by version: the moved record shares them.
    const shares = source.storage === 'chunked' || (source.indexChunks ?? 0) > 0;
    if (shares && !source.sharedChunks) {
      // Flag the source first: if we die after writing the target, deleting the source must not delete the chunks.
      await this.conditional(repositoryUuid, fromPath, () =>
        this.client.send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(repositoryUuid, fromSk),
            UpdateExpression: 'SET #shared = :true',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#shared': 'sharedChunks', '#version': 'version' },
            ExpressionAttributeValues: { ':true': { BOOL: true }, ':version': s(source.version) },
          }),
        ),
      );
    }
    const target = await this.readHead(repositoryUuid, toSk);
    const targetFenced = generationConflict(repositoryUuid, toPath, target, options.generation);
    if (targetFenced) throw targetFenced;
    const moved: ModelRecord = {
      ...source,
      path: toPath,
      commit,
      syncedAt: new Date().toISOString(),
      ...(shares ? { sharedChunks: true } : {}),
      ...(options.generation !== undefined ? { generation: options.generation } : {}),
    };
    await this.commitRecord(moved, Item.body?.B, target?.version, Item[INDEX_ATTRIBUTE]?.B);
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: key(repositoryUuid, fromSk),
          ConditionExpression: '#version = :version',
          ExpressionAttributeNames: { '#version': 'version' },
          ExpressionAttributeValues: { ':version': s(source.version) },
        }),
      );
    } catch (error) {
      // The old path was rewritten meanwhile: that new content is not ours to delete.
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
    if (shares) {
      // The old path no longer holds this version: the chunks are the target's alone again, so later deletes and
      // overwrites need not query the partition for other references. A crash before this keeps the (safe) flag.
      await this.client
        .send(
          new UpdateItemCommand({
            TableName: this.tableName,
            Key: key(repositoryUuid, toSk),
            UpdateExpression: 'REMOVE #shared',
            ConditionExpression: '#version = :version',
            ExpressionAttributeNames: { '#shared': 'sharedChunks', '#version': 'version' },
            ExpressionAttributeValues: { ':version': s(source.version) },
          }),
        )
        .catch((error: unknown) => {
          if (!(error instanceof ConditionalCheckFailedException)) throw error;
        });
    }
    if (target && target.version !== source.version) await this.chunks.release(repositoryUuid, target);
    const { sharedChunks: _shared, ...unshared } = moved;
    return shares ? unshared : moved;
  }

  /**
   * Deletes chunk and index items whose version no record references and that were written at least `olderThanMs`
   * ago (default {@link DEFAULT_ORPHAN_MIN_AGE_MS}; younger ones may belong to a write in progress). Such items are
   * left by writes that died before or after their commit. Returns the number of items deleted.
   * Reads the whole partition (pieces first, then records, so any version committed meanwhile is seen).
   */
  async removeOrphanChunks(repositoryUuid: string, options: { olderThanMs?: number } = {}): Promise<number> {
    const cutoff = Date.now() - (options.olderThanMs ?? DEFAULT_ORPHAN_MIN_AGE_MS);
    const pieces = async (prefix: typeof CHUNK_SK_PREFIX | typeof INDEX_SK_PREFIX) =>
      (
        await this.query({
          KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
          ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(prefix) },
          ...projection(['writtenAt'], { '#pk': PARTITION_KEY, '#sk': SORT_KEY }, [PARTITION_KEY, SORT_KEY]),
        })
      ).map((item) => ({ item, version: parseChunkSortKey(item[SORT_KEY]?.S ?? '', prefix)?.version, prefix }));
    const items = [...(await pieces(CHUNK_SK_PREFIX)), ...(await pieces(INDEX_SK_PREFIX))];
    const records = await this.listModels(repositoryUuid);
    const referenced = {
      [CHUNK_SK_PREFIX]: new Set(records.filter((r) => r.storage === 'chunked').map((r) => r.version)),
      [INDEX_SK_PREFIX]: new Set(records.filter((r) => (r.indexChunks ?? 0) > 0).map((r) => r.version)),
    };
    const orphans = items
      .filter(({ item, version, prefix }) => {
        const writtenAt = Number(item.writtenAt?.N ?? 0);
        return version !== undefined && !referenced[prefix].has(version) && writtenAt <= cutoff;
      })
      .map(({ item }) => item);
    await this.batchWrite(orphans.map((item) => ({ DeleteRequest: { Key: key(repositoryUuid, item[SORT_KEY]!.S!) } })));
    return orphans.length;
  }

  /** Deletes every item of the repository's partition (records and chunks); returns how many were deleted. */
  async deleteRepository(repositoryUuid: string): Promise<number> {
    const items = await this.query({
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeValues: { ':pk': s(repositoryUuid) },
      ...projection([], { '#pk': PARTITION_KEY }, [PARTITION_KEY, SORT_KEY]),
    });
    await this.batchWrite(items.map((item) => ({ DeleteRequest: { Key: key(repositoryUuid, item[SORT_KEY]!.S!) } })));
    return items.length;
  }

  private async readHead(repositoryUuid: string, sk: string): Promise<RecordHead | undefined> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: key(repositoryUuid, sk),
        ConsistentRead: true,
        ...projection(HEAD_ATTRIBUTES),
      }),
    );
    if (!Item) return undefined;
    return {
      version: Item.version?.S ?? '',
      storage: (Item.storage?.S ?? 'inline') as ModelStorage,
      chunkCount: Number(Item.chunkCount?.N ?? 0),
      sharedChunks: Item.sharedChunks?.BOOL === true,
      ...(Item.generation?.S !== undefined ? { generation: Item.generation.S } : {}),
      indexChunks: Number(Item.indexChunks?.N ?? 0),
    };
  }

  /** The one write that makes a version visible: conditional on the record being absent or still at `expectedVersion`. */
  private async commitRecord(
    record: ModelRecord,
    inlineBody: Uint8Array | undefined,
    expectedVersion: string | undefined,
    inlineIndex?: Uint8Array,
  ): Promise<void> {
    const item = recordToItem(record, inlineBody, inlineIndex);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: item,
          ...(expectedVersion === undefined
            ? { ConditionExpression: 'attribute_not_exists(#pk)', ExpressionAttributeNames: { '#pk': PARTITION_KEY } }
            : {
                ConditionExpression: '#version = :version',
                ExpressionAttributeNames: { '#version': 'version' },
                ExpressionAttributeValues: { ':version': s(expectedVersion) },
              }),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
      // Our pieces were never visible; a move reuses the source's, which are not ours to delete.
      if (!record.sharedChunks) await this.chunks.discard(record.repositoryUuid, { ...record, sharedChunks: false }).catch(() => undefined);
      throw new ModelWriteConflictError(record.repositoryUuid, record.path);
    }
  }

  private batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    return batchWriteAll(this.client, this.tableName, requests, this.writeConcurrency);
  }

  /** Runs a conditional write, turning a failed condition into {@link ModelWriteConflictError}. */
  private async conditional(repositoryUuid: string, path: string, write: () => Promise<unknown>): Promise<void> {
    try {
      await write();
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) throw new ModelWriteConflictError(repositoryUuid, path);
      throw error;
    }
  }
}
