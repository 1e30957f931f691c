/**
 * The per-version pieces of a model record in the repository's partition: chunks of large bodies
 * (`chunk#<version>#<index>`) and of entity indexes (`index#<version>#<index>`). Writing, reading and deleting
 * them, and the chunk sharing rule that keeps a moved record's pieces alive.
 */
import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { ModelRecord, ModelStorage } from '../models/model-record';
import { batchWriteAll } from './dynamodb-batch-write';
import {
  CHUNK_SK_PREFIX,
  INDEX_SK_PREFIX,
  MODEL_SK_PREFIX,
  chunkSortKey,
  chunkVersionPrefix,
  parseChunkSortKey,
  type PiecePrefix,
} from './dynamodb-model-store-keys';
import { queryAll } from './dynamodb-paging';
import { key, n, projection, s } from './model-item-codec';
import { PARTITION_KEY, SORT_KEY } from './tables';

/** The few record attributes a write needs from the record it replaces. */
export interface RecordHead {
  readonly version: string;
  readonly storage: ModelStorage;
  readonly chunkCount: number;
  readonly sharedChunks: boolean;
  /** Generation of the repository that wrote the record (`ModelRecord.generation`). */
  readonly generation?: string;
  /** Pieces of the version's entity index (`ModelRecord.indexChunks`); 0 or absent: none stored. */
  readonly indexChunks?: number;
}

/** Chunk items of one models table; see `DynamoDbModelStore` for when chunks are written and released. */
export class ModelChunkStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly writeConcurrency: number,
  ) {}

  /**
   * Writes the chunks (or, with `prefix`, index pieces) of a new version; on failure deletes what it can (the rest
   * is an invisible orphan).
   */
  async write(repositoryUuid: string, version: string, chunks: readonly Buffer[], prefix: PiecePrefix = CHUNK_SK_PREFIX): Promise<void> {
    const writtenAt = n(Date.now());
    try {
      await this.batchWrite(
        chunks.map((data, index) => ({
          PutRequest: { Item: { ...key(repositoryUuid, chunkSortKey(version, index, prefix)), data: { B: data }, writtenAt } },
        })),
      );
    } catch (error) {
      // Best effort: what stays behind is invisible and removeOrphanChunks collects it.
      await this.delete(repositoryUuid, version, chunks.length, prefix).catch(() => undefined);
      throw error;
    }
  }

  /** The record's chunk bodies in index order, or undefined when some are missing (a concurrent rewrite released them). */
  read(record: ModelRecord): Promise<Uint8Array[] | undefined> {
    return this.readPieces(record.repositoryUuid, record.version, record.chunkCount, CHUNK_SK_PREFIX);
  }

  /** The `count` pieces of `version` under `prefix` in index order, or undefined when some are missing. */
  async readPieces(repositoryUuid: string, version: string, count: number, prefix: PiecePrefix): Promise<Uint8Array[] | undefined> {
    const chunks = await this.query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(chunkVersionPrefix(version, prefix)) },
      ...projection(['data'], { '#pk': PARTITION_KEY, '#sk': SORT_KEY }, [SORT_KEY]),
    });
    // Query returns chunks in key order, and zero-padded indexes make key order index order.
    if (
      chunks.length !== count ||
      chunks.some((chunk, i) => parseChunkSortKey(chunk[SORT_KEY]?.S ?? '', prefix)?.index !== i || !chunk.data?.B)
    )
      return undefined;
    return chunks.map((chunk) => chunk.data!.B!);
  }

  /** Chunk keys follow from version and count, so deleting needs no read. */
  async delete(repositoryUuid: string, version: string, chunkCount: number, prefix: PiecePrefix = CHUNK_SK_PREFIX): Promise<void> {
    await this.batchWrite(deletions(repositoryUuid, version, chunkCount, prefix));
  }

  /** Deletes the body chunks and index pieces of a version whose write lost (never visible, never shared). */
  async discard(repositoryUuid: string, head: RecordHead): Promise<void> {
    await this.batchWrite(versionDeletions(repositoryUuid, head));
  }

  /**
   * Deletes the chunks and index pieces of a record that was just replaced or deleted, unless a moved record still
   * references them.
   */
  async release(repositoryUuid: string, head: RecordHead): Promise<void> {
    const requests = versionDeletions(repositoryUuid, head);
    if (requests.length === 0) return;
    if (head.sharedChunks && (await this.isVersionReferenced(repositoryUuid, head.version))) return;
    await this.batchWrite(requests);
  }

  private async isVersionReferenced(repositoryUuid: string, version: string): Promise<boolean> {
    const items = await this.query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: '#version = :version',
      ExpressionAttributeValues: { ':pk': s(repositoryUuid), ':prefix': s(MODEL_SK_PREFIX), ':version': s(version) },
      ...projection([], { '#pk': PARTITION_KEY, '#sk': SORT_KEY, '#version': 'version' }, [SORT_KEY]),
    });
    return items.length > 0;
  }

  private query(input: Omit<Parameters<typeof queryAll>[1], 'TableName' | 'ConsistentRead'>) {
    return queryAll(this.client, { ...input, TableName: this.tableName, ConsistentRead: true });
  }

  private batchWrite(requests: readonly WriteRequest[]): Promise<void> {
    return batchWriteAll(this.client, this.tableName, requests, this.writeConcurrency);
  }
}

function deletions(repositoryUuid: string, version: string, count: number, prefix: PiecePrefix): WriteRequest[] {
  const requests: WriteRequest[] = [];
  for (let index = 0; index < count; index++)
    requests.push({ DeleteRequest: { Key: key(repositoryUuid, chunkSortKey(version, index, prefix)) } });
  return requests;
}

/** Deletes of every piece a record's version owns: its body chunks (when chunked) and its index pieces. */
function versionDeletions(repositoryUuid: string, head: RecordHead): WriteRequest[] {
  return [
    ...deletions(repositoryUuid, head.version, head.storage === 'chunked' ? head.chunkCount : 0, CHUNK_SK_PREFIX),
    ...deletions(repositoryUuid, head.version, head.indexChunks ?? 0, INDEX_SK_PREFIX),
  ];
}
