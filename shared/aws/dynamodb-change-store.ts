/**
 * DynamoDB adapter of the change records (`shared/domain/changes`), in the changes table whose stream feeds the
 * EventBridge pipe. Layout:
 * - `pk = feed`, `sk = <position>`: the feed, one item per record (`detailType`, `detail` as JSON text); the only
 *   items the pipe delivers. One partition: commits are a few per minute and a partition takes 1,000 writes a second.
 * - `pk = open`, `sk = <repository uuid>#<generation>`: marks of commits in progress (`startedAt`).
 * - `pk = intent#<repository uuid>#<generation>`, `sk = model key of the path`: intents of uncommitted writes.
 * Every read is consistent: the feed's horizon protocol (`feed-position.ts`) relies on seeing acknowledged writes.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import type { FeedRecord } from '../domain/changes/change-records';
import type { ChangeFeed, ChangeIntent, ChangeLog, ChangeScope, OpenCommit } from '../domain/changes/ports';
import { batchWriteAll } from './dynamodb-batch-write';
import { modelSortKey } from './dynamodb-model-store-keys';
import { pages, queryAll } from './dynamodb-paging';
import { PARTITION_KEY, SORT_KEY } from './tables';

const DAY_SECONDS = 24 * 60 * 60;
export const FEED_PARTITION = 'feed';
const OPEN_PARTITION = 'open';
/** Sorts below every position (positions start with a year). */
const BEFORE_ALL = '0';
/** Intents wait for their commit this long (a repository blocked or parked longer loses them; a removed one's go). */
const INTENT_TTL_DAYS = 90;

type Item = Record<string, AttributeValue>;

export interface DynamoDbChangeStoreOptions {
  readonly tableName: string;
  readonly client?: DynamoDBClient;
  /** Days the feed keeps a record (and the pipe may still deliver it). @default 14 */
  readonly retentionDays?: number;
  /** Parallel batch writes. @default 4 */
  readonly writeConcurrency?: number;
}

export class DynamoDbChangeStore implements ChangeLog, ChangeFeed {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly retentionSeconds: number;
  private readonly writeConcurrency: number;

  constructor(options: DynamoDbChangeStoreOptions) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient({});
    this.retentionSeconds = Math.round((options.retentionDays ?? 14) * DAY_SECONDS);
    this.writeConcurrency = options.writeConcurrency ?? 4;
  }

  async recordIntent(scope: ChangeScope, intent: ChangeIntent): Promise<void> {
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...intentKey(scope, intent.path),
            intent: { S: JSON.stringify(intent) },
            expiresAt: expiry(INTENT_TTL_DAYS * DAY_SECONDS),
          },
          // The first intent of a path holds the committed state; later ones of the same uncommitted window do not.
          ConditionExpression: 'attribute_not_exists(#pk)',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  async pendingIntents(scope: ChangeScope): Promise<ChangeIntent[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      ExpressionAttributeValues: { ':pk': { S: intentPartition(scope) } },
      ConsistentRead: true,
    });
    return items.map((item) => JSON.parse(item.intent!.S!) as ChangeIntent);
  }

  async clearIntents(scope: ChangeScope, paths: readonly string[]): Promise<void> {
    const requests = paths.map((path) => ({ DeleteRequest: { Key: intentKey(scope, path) } }));
    await batchWriteAll(this.client, this.tableName, requests, this.writeConcurrency);
  }

  async openCommit(scope: ChangeScope, startedAt: string): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PARTITION_KEY]: { S: OPEN_PARTITION },
          [SORT_KEY]: { S: scopeKey(scope) },
          startedAt: { S: startedAt },
          expiresAt: expiry(DAY_SECONDS),
        },
      }),
    );
  }

  async closeCommit(scope: ChangeScope): Promise<void> {
    await this.client.send(
      new DeleteItemCommand({
        TableName: this.tableName,
        Key: { [PARTITION_KEY]: { S: OPEN_PARTITION }, [SORT_KEY]: { S: scopeKey(scope) } },
      }),
    );
  }

  async append(records: readonly FeedRecord[]): Promise<void> {
    const requests = records.map((record) => ({ PutRequest: { Item: this.feedItem(record) } }));
    await batchWriteAll(this.client, this.tableName, requests, this.writeConcurrency);
  }

  async readFeed(range: { after?: string; before: string; limit: number }): Promise<FeedRecord[]> {
    const records: FeedRecord[] = [];
    // BETWEEN is inclusive: the record at `after` (the last one a reader got) comes back and is dropped.
    const query = (startKey: Item | undefined) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :after AND :before',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#sk': SORT_KEY },
          ExpressionAttributeValues: {
            ':pk': { S: FEED_PARTITION },
            ':after': { S: range.after ?? BEFORE_ALL },
            ':before': { S: range.before },
          },
          ConsistentRead: true,
          Limit: range.limit + 1,
          ExclusiveStartKey: startKey,
        }),
      );
    for await (const page of pages(query)) {
      for (const item of page.Items ?? []) {
        const record = feedRecordOf(item);
        if (record.position !== range.after && record.position !== range.before) records.push(record);
      }
      if (records.length >= range.limit) break;
    }
    return records.slice(0, range.limit);
  }

  async openCommits(): Promise<OpenCommit[]> {
    const items = await queryAll(this.client, {
      TableName: this.tableName,
      KeyConditionExpression: '#pk = :pk',
      ExpressionAttributeNames: { '#pk': PARTITION_KEY },
      ExpressionAttributeValues: { ':pk': { S: OPEN_PARTITION } },
      ConsistentRead: true,
    });
    return items.map((item) => ({ scope: item[SORT_KEY]!.S!, startedAt: item.startedAt!.S! }));
  }

  private feedItem(record: FeedRecord): Item {
    const committedAt = Date.parse(record.detail.committedAt);
    return {
      [PARTITION_KEY]: { S: FEED_PARTITION },
      [SORT_KEY]: { S: record.position },
      detailType: { S: record.detailType },
      detail: { S: JSON.stringify(record.detail) },
      idempotencyKey: { S: record.detail.idempotencyKey },
      repositoryUuid: { S: record.detail.repository.uuid },
      expiresAt: { N: String(Math.floor(committedAt / 1000) + this.retentionSeconds) },
    };
  }
}

/** The record a feed item holds. */
export function feedRecordOf(item: Item): FeedRecord {
  return { position: item[SORT_KEY]!.S!, detailType: item.detailType!.S!, detail: JSON.parse(item.detail!.S!) } as FeedRecord;
}

/** A feed item as a DynamoDB stream image carries it (string attributes are all that is read). */
export type StreamImage = Record<string, { S?: string }>;

/** What the pipe puts on the bus for one record: the EventBridge detail type and detail. */
export interface ChangeEvent {
  readonly detailType: FeedRecord['detailType'];
  readonly detail: FeedRecord['detail'];
}

/** The event of a feed item's stream image (the pipe's enrichment; the local pipe reads the feed instead). */
export function changeEventOfImage(image: StreamImage): ChangeEvent {
  const { detailType, detail } = feedRecordOf(image as Item);
  return { detailType, detail };
}

const scopeKey = (scope: ChangeScope) => `${scope.repositoryUuid}#${scope.generation ?? '-'}`;
const intentPartition = (scope: ChangeScope) => `intent#${scopeKey(scope)}`;
const intentKey = (scope: ChangeScope, path: string): Item => ({
  [PARTITION_KEY]: { S: intentPartition(scope) },
  [SORT_KEY]: { S: modelSortKey(path) },
});
const expiry = (seconds: number): AttributeValue => ({ N: String(Math.floor(Date.now() / 1000) + seconds) });
