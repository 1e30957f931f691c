/**
 * The chunk items of large model bodies (`chunk#<version>#<index>` in the repository's partition): writing,
 * reading and deleting them, and the chunk sharing rule that keeps a moved record's chunks alive.
 */
import type { DynamoDBClient, WriteRequest } from '@aws-sdk/client-dynamodb';
import type { ModelRecord, ModelStorage } from '../models/model-record';
import { batchWriteAll } from './dynamodb-batch-write';
import { MODEL_SK_PREFIX, chunkSortKey, chunkVersionPrefix, parseChunkSortKey } from './dynamodb-model-store-keys';
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
}

/** Chunk items of one models table; see `DynamoDbModelStore` for when chunks are written and released. */
export class ModelChunkStore {
  constructor(
    private readonly client: DynamoDBClient,
    private readonly tableName: string,
    private readonly writeConcurrency: number,
  ) {}

  /** Writes the chunks of a new version; on failure deletes what it can (the rest is an invisible orphan). */
  async write(repositoryUuid: string, version: string, chunks: readonly Buffer[]): Promise<void> {
    const writtenAt = n(Date.now());
    try {
      await this.batchWrite(
        chunks.map((data, index) => ({
          PutRequest: { Item: { ...key(repositoryUuid, chunkSortKey(version, index)), data: { B: data }, writtenAt } },
        })),
      );
    } catch (error) {
      // Best effort: what stays behind is invisible and removeOrphanChunks collects it.
      await this.delete(repositoryUuid, version, chunks.length).catch(() => undefined);
      throw error;
    }
  }

  /** The record's chunk bodies in index order, or undefined when some are missing (a concurrent rewrite released them). */
  async read(record: ModelRecord): Promise<Uint8Array[] | undefined> {
    const chunks = await this.query({
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      ExpressionAttributeValues: { ':pk': s(record.repositoryUuid), ':prefix': s(chunkVersionPrefix(record.version)) },
      ...projection(['data'], { '#pk': PARTITION_KEY, '#sk': SORT_KEY }, [SORT_KEY]),
    });
    // Query returns chunks in key order, and zero-padded indexes make key order index order.
    if (
      chunks.length !== record.chunkCount ||
      chunks.some((chunk, i) => parseChunkSortKey(chunk[SORT_KEY]?.S ?? '')?.index !== i || !chunk.data?.B)
    )
      return undefined;
    return chunks.map((chunk) => chunk.data!.B!);
  }

  /** Chunk keys follow from version and count, so deleting needs no read. */
  async delete(repositoryUuid: string, version: string, chunkCount: number): Promise<void> {
    const requests: WriteRequest[] = [];
    for (let index = 0; index < chunkCount; index++)
      requests.push({ DeleteRequest: { Key: key(repositoryUuid, chunkSortKey(version, index)) } });
    await this.batchWrite(requests);
  }

  /** Deletes the chunks of a record that was just replaced or deleted, unless a moved record still references them. */
  async release(repositoryUuid: string, head: RecordHead): Promise<void> {
    if (head.storage !== 'chunked' || head.chunkCount === 0) return;
    if (head.sharedChunks && (await this.isVersionReferenced(repositoryUuid, head.version))) return;
    await this.delete(repositoryUuid, head.version, head.chunkCount);
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
