/**
 * An in-memory model store with the observable behaviour of DynamoDbModelStore (the `ModelStore` port plus the
 * reads tests use), so sync engine tests need no dynalite. Bodies are kept as given: the chunk layout, encoding
 * and crash windows of the real store are not modelled (its own integration tests cover them).
 */
import { createHash } from 'node:crypto';
import {
  ModelBodyInconsistentError,
  ModelBodyNotStoredError,
  ModelTooLargeError,
  ModelWriteConflictError,
} from '../../../shared/domain/sync/errors';
import { generationConflict } from '../../../shared/domain/sync/record-generation';
import type { ModelStore, ReadBackModel } from '../../../shared/domain/sync/ports';
import type { StoredModel } from '../../../shared/domain/read/ports';
import type { EntityIndexDocument } from '../../../shared/models/entity-index';
import { extractEntityIndex } from '../../../shared/models/entity-index-extractor';
import { gitBlobId } from '../../../shared/models/git-blob-id';
import { encodeModelBody, type ModelBodyEncoding } from '../../../shared/models/model-body-codec';
import { readModelSummary } from '../../../shared/models/hackolade-metadata';
import {
  MAX_MODEL_BYTES,
  newRecordVersion,
  tooLargeRecord,
  type ModelRecord,
  type TooLargeModel,
} from '../../../shared/models/model-record';

/** Same clipping as the real store, so records compare equal. */
const MAX_METADATA_STRING_LENGTH = 1024;
const MAX_PARSE_ERROR_LENGTH = 500;

interface Stored {
  readonly record: ModelRecord;
  readonly body?: Buffer;
  /** The version's entity index (a move carries it along, as the real store shares its pieces). */
  readonly index?: EntityIndexDocument;
}

export class InMemoryModelStore implements ModelStore {
  /** Records by repository, then path. */
  private readonly partitions = new Map<string, Map<string, Stored>>();
  private readonly maxModelBytes: number;
  private readonly bodyEncoding: ModelBodyEncoding;

  /** `bodyEncoding`: how `getStoredModel` says bodies are stored (the real store's default is `br`). @default identity */
  constructor(options: { maxModelBytes?: number; bodyEncoding?: ModelBodyEncoding } = {}) {
    this.maxModelBytes = options.maxModelBytes ?? MAX_MODEL_BYTES;
    this.bodyEncoding = options.bodyEncoding ?? 'identity';
  }

  async putModel(input: {
    repositoryUuid: string;
    path: string;
    commit: string;
    bytes: Buffer;
    syncedAt?: string;
    expectedVersion?: string | null;
    generation?: string;
  }): Promise<ModelRecord> {
    const { repositoryUuid, path, commit, bytes } = input;
    if (bytes.byteLength > this.maxModelBytes) throw new ModelTooLargeError(path, bytes.byteLength, this.maxModelBytes);
    const { metadata: parsed, entityNames } = readModelSummary(bytes);
    const index = parsed.valid ? extractEntityIndex(bytes) : undefined;
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
      version: newRecordVersion(),
      encoding: this.bodyEncoding,
      storage: 'inline',
      chunkCount: 0,
      storedBytes: bytes.byteLength,
      ...(input.generation !== undefined ? { generation: input.generation } : {}),
      ...(index ? indexFields(index) : {}),
    };
    const previous = this.partition(repositoryUuid).get(path);
    const fenced = generationConflict(repositoryUuid, path, previous?.record, input.generation);
    if (fenced) throw fenced;
    if (input.expectedVersion !== undefined && (previous?.record.version ?? null) !== input.expectedVersion)
      throw new ModelWriteConflictError(repositoryUuid, path);
    this.partition(repositoryUuid).set(path, { record, body: Buffer.from(bytes), ...(index ? { index } : {}) });
    return record;
  }

  async recordTooLarge(input: TooLargeModel): Promise<ModelRecord> {
    const { repositoryUuid, path } = input;
    const record = tooLargeRecord(input);
    const fenced = generationConflict(repositoryUuid, path, this.partition(repositoryUuid).get(path)?.record, input.generation);
    if (fenced) throw fenced;
    this.partition(repositoryUuid).set(path, { record });
    return record;
  }

  async getRecord(repositoryUuid: string, path: string): Promise<ModelRecord | undefined> {
    return this.partitions.get(repositoryUuid)?.get(path)?.record;
  }

  /**
   * The exact original bytes; as the real store, throws ModelBodyNotStoredError for a too-large record and
   * ModelBodyInconsistentError for a body that does not match its record (see {@link tamperBody}).
   */
  async getModel(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; body: Buffer } | undefined> {
    const stored = this.partitions.get(repositoryUuid)?.get(path);
    if (!stored) return undefined;
    if (!stored.body) throw new ModelBodyNotStoredError(stored.record);
    if (!matchesRecord(stored))
      throw new ModelBodyInconsistentError(
        `stored body of ${path} in ${repositoryUuid} does not match its record (version ${stored.record.version})`,
      );
    return { record: stored.record, body: Buffer.from(stored.body) };
  }

  /** {@link getModel} with the body as stored, encoded with the store's `bodyEncoding`. */
  async getStoredModel(repositoryUuid: string, path: string): Promise<StoredModel | undefined> {
    const model = await this.getModel(repositoryUuid, path);
    if (!model) return undefined;
    return { ...model, stored: { encoding: this.bodyEncoding, bytes: encodeModelBody(model.body, this.bodyEncoding) } };
  }

  /** Up to `limit` records under `prefix` after `afterPath`, in the real store's order. */
  async listModelPage(
    repositoryUuid: string,
    options: { prefix?: string; afterPath?: string; limit: number },
  ): Promise<{ records: ModelRecord[]; more: boolean }> {
    const after = options.afterPath === undefined ? undefined : Buffer.from(options.afterPath, 'utf8');
    const remaining = (await this.listModels(repositoryUuid)).filter(
      (record) =>
        record.path.startsWith(options.prefix ?? '') &&
        (after === undefined || Buffer.compare(Buffer.from(record.path, 'utf8'), after) > 0),
    );
    return { records: remaining.slice(0, options.limit), more: remaining.length > options.limit };
  }

  async countModels(repositoryUuid: string): Promise<number> {
    return this.partitions.get(repositoryUuid)?.size ?? 0;
  }

  /** Every record with the ids of the body a reader gets, as the real store reads them back. */
  async readBackModels(repositoryUuid: string): Promise<ReadBackModel[]> {
    return (await this.listModels(repositoryUuid)).map((record) => {
      const stored = this.partitions.get(repositoryUuid)!.get(record.path)!;
      if (!stored.body) return record;
      if (!matchesRecord(stored)) return { ...record, body: 'unreadable' as const };
      const sha256 = createHash('sha256').update(stored.body).digest('hex');
      return { ...record, body: { blobId: gitBlobId(stored.body), sha256, size: stored.body.byteLength } };
    });
  }

  /** The record with its entity index (absent when it has none: not a valid model, or seeded without one). */
  async getEntityIndex(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; index?: EntityIndexDocument } | undefined> {
    const stored = this.partitions.get(repositoryUuid)?.get(path);
    return stored && { record: stored.record, ...(stored.index ? { index: stored.index } : {}) };
  }

  /**
   * Test hook: stores a record as a store that predates entity indexes wrote it (the same record without index
   * fields, and no index), as in a table written before indexes were kept.
   */
  forgetEntityIndex(repositoryUuid: string, path: string): void {
    const stored = this.partitions.get(repositoryUuid)?.get(path);
    if (!stored) throw new Error(`no record at ${path}`);
    const { indexChunks: _chunks, indexEntries: _entries, indexTruncated: _truncated, ...record } = stored.record;
    this.partition(repositoryUuid).set(path, { record, ...(stored.body ? { body: stored.body } : {}) });
  }

  /** Test hook: replaces the body behind the store's back, its record untouched (as an edit of the table would). */
  tamperBody(repositoryUuid: string, path: string, bytes: Buffer): void {
    const stored = this.partitions.get(repositoryUuid)?.get(path);
    if (!stored?.body) throw new Error(`no stored body at ${path}`);
    this.partition(repositoryUuid).set(path, { ...stored, body: Buffer.from(bytes) });
  }

  async existingPaths(repositoryUuid: string, paths: readonly string[]): Promise<Set<string>> {
    const partition = this.partitions.get(repositoryUuid);
    return new Set(paths.filter((path) => partition?.has(path)));
  }

  /** In sort-key order, as DynamoDB returns them (UTF-8 byte order, not JavaScript's UTF-16 order). */
  async listModels(repositoryUuid: string): Promise<ModelRecord[]> {
    return [...(this.partitions.get(repositoryUuid)?.values() ?? [])]
      .map((stored) => stored.record)
      .sort((a, b) => Buffer.compare(Buffer.from(a.path, 'utf8'), Buffer.from(b.path, 'utf8')));
  }

  /** Same generation and version rules as the real store. */
  async deleteModel(repositoryUuid: string, path: string, options: { generation?: string; version?: string } = {}): Promise<void> {
    const stored = this.partitions.get(repositoryUuid)?.get(path);
    if (!stored || (options.version !== undefined && stored.record.version !== options.version)) return;
    const fenced = generationConflict(repositoryUuid, path, stored.record, options.generation);
    if (fenced) {
      if (options.version !== undefined) return;
      throw fenced;
    }
    this.partitions.get(repositoryUuid)?.delete(path);
  }

  /** Same version, body and metadata at `toPath` with the rename's commit; undefined when `fromPath` has no record. */
  async moveModel(
    repositoryUuid: string,
    fromPath: string,
    toPath: string,
    commit: string,
    options: { generation?: string } = {},
  ): Promise<ModelRecord | undefined> {
    const partition = this.partition(repositoryUuid);
    if (fromPath === toPath) return partition.get(fromPath)?.record;
    const source = partition.get(fromPath);
    if (!source) return undefined;
    const fenced =
      generationConflict(repositoryUuid, fromPath, source.record, options.generation) ??
      generationConflict(repositoryUuid, toPath, partition.get(toPath)?.record, options.generation);
    if (fenced) throw fenced;
    const moved: ModelRecord = {
      ...source.record,
      path: toPath,
      commit,
      syncedAt: new Date().toISOString(),
      ...(options.generation !== undefined ? { generation: options.generation } : {}),
    };
    partition.set(toPath, { ...source, record: moved });
    partition.delete(fromPath);
    return moved;
  }

  /** Nothing is ever left half-written in memory. */
  async removeOrphanChunks(_repositoryUuid: string, _options?: { olderThanMs?: number }): Promise<number> {
    return 0;
  }

  /** Removes every record of the repository; returns how many there were (the real store also counts chunks). */
  async deleteRepository(repositoryUuid: string): Promise<number> {
    const count = this.partitions.get(repositoryUuid)?.size ?? 0;
    this.partitions.delete(repositoryUuid);
    return count;
  }

  private partition(repositoryUuid: string): Map<string, Stored> {
    let partition = this.partitions.get(repositoryUuid);
    if (!partition) this.partitions.set(repositoryUuid, (partition = new Map()));
    return partition;
  }
}

/** The real store's check of a body against its record: size and sha256. */
function matchesRecord(stored: Stored): boolean {
  const body = stored.body!;
  return body.byteLength === stored.record.size && createHash('sha256').update(body).digest('hex') === stored.record.sha256;
}

/** The real store's index fields; its piece count depends on its chunk size, so here one piece holds any index. */
function indexFields(index: EntityIndexDocument): Pick<ModelRecord, 'indexChunks' | 'indexEntries' | 'indexTruncated'> {
  return {
    indexChunks: index.entries.length === 0 ? 0 : 1,
    indexEntries: index.entries.length,
    ...(index.truncated ? { indexTruncated: true } : {}),
  };
}

function clipMetadata<T extends object>(metadata: T): T {
  const clipped: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(metadata)) {
    clipped[name] =
      typeof value === 'string' && value.length > MAX_METADATA_STRING_LENGTH ? value.slice(0, MAX_METADATA_STRING_LENGTH) : value;
  }
  return clipped as T;
}
