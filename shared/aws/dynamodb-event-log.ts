// DynamoDB adapter of the events log and of the accepted-delivery hashes: what the hub did and why, kept for
// admins, and the memory that makes webhook redeliveries harmless.
import { randomBytes } from 'node:crypto';
import { DynamoDBClient, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { LoggedEvent } from '../domain/logged-event';
import type { AcceptedDeliveries, EventRecorder } from '../domain/ports';
import { pages } from './dynamodb-paging';
import { PARTITION_KEY, SORT_KEY } from './tables';

export type { LoggedEvent };

const DAY_SECONDS = 24 * 60 * 60;
/** Partition for deliveries that name no trustworthy repository (e.g. a bad signature). */
export const UNATTRIBUTED = 'unattributed';

/**
 * DynamoDB adapter for the events log (`pk = events#<repository uuid>`, `sk = <time>#<random>`) and for the
 * remembered hashes of accepted webhook bodies (`pk = accepted#<sha256>`). Both expire through the table's TTL
 * attribute `expiresAt`; reads also check it, since DynamoDB deletes expired items only eventually.
 */
export class DynamoDbEventLog implements EventRecorder, AcceptedDeliveries {
  private readonly tableName: string;
  private readonly client: DynamoDBClient;
  private readonly eventTtlSeconds: number;
  private readonly acceptedTtlSeconds: number;

  /**
   * @param options.eventTtlDays how long events are kept. @default 30
   * @param options.acceptedTtlDays how long accepted body hashes are remembered against replays. @default 7
   */
  constructor(options: { tableName: string; client?: DynamoDBClient; eventTtlDays?: number; acceptedTtlDays?: number }) {
    this.tableName = options.tableName;
    this.client = options.client ?? new DynamoDBClient({});
    this.eventTtlSeconds = Math.round((options.eventTtlDays ?? 30) * DAY_SECONDS);
    this.acceptedTtlSeconds = Math.round((options.acceptedTtlDays ?? 7) * DAY_SECONDS);
  }

  async record(event: LoggedEvent): Promise<void> {
    const at = new Date(event.at);
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PARTITION_KEY]: { S: `events#${(event.attributed !== false && event.repository?.uuid) || UNATTRIBUTED}` },
          [SORT_KEY]: { S: `${event.at}#${randomBytes(4).toString('hex')}` },
          kind: { S: event.kind },
          ...(event.outcome ? { outcome: { S: event.outcome } } : {}),
          ...(event.requestUuid ? { requestUuid: { S: event.requestUuid } } : {}),
          event: { S: JSON.stringify(event) },
          expiresAt: { N: String(Math.floor(at.getTime() / 1000) + this.eventTtlSeconds) },
        },
      }),
    );
  }

  /** Newest first. `repositoryUuid` omitted lists the unattributed deliveries. */
  async list(options: { repositoryUuid?: string; limit?: number; since?: string } = {}): Promise<LoggedEvent[]> {
    const limit = options.limit ?? 50;
    const events: LoggedEvent[] = [];
    const now = Math.floor(Date.now() / 1000);
    // Each page asks only for what is still missing; expired items are skipped, so a page may yield fewer.
    const query = pages((startKey) =>
      this.client.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: options.since ? '#pk = :pk AND #sk >= :since' : '#pk = :pk',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, ...(options.since ? { '#sk': SORT_KEY } : {}) },
          ExpressionAttributeValues: {
            ':pk': { S: `events#${options.repositoryUuid ?? UNATTRIBUTED}` },
            ...(options.since ? { ':since': { S: options.since } } : {}),
          },
          ScanIndexForward: false,
          Limit: limit - events.length,
          ExclusiveStartKey: startKey,
        }),
      ),
    );
    for await (const page of query) {
      for (const item of page.Items ?? []) {
        if (Number(item.expiresAt?.N ?? Infinity) > now) events.push(JSON.parse(item.event!.S!) as LoggedEvent);
      }
      if (events.length >= limit) break;
    }
    return events;
  }

  async wasAccepted(bodySha256: string): Promise<boolean> {
    const { Item } = await this.client.send(
      new GetItemCommand({
        TableName: this.tableName,
        Key: acceptedKey(bodySha256),
        ConsistentRead: true,
      }),
    );
    return Item !== undefined && Number(Item.expiresAt?.N ?? 0) > Date.now() / 1000;
  }

  async rememberAccepted(bodySha256: string, at: Date): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          ...acceptedKey(bodySha256),
          acceptedAt: { S: at.toISOString() },
          expiresAt: { N: String(Math.floor(at.getTime() / 1000) + this.acceptedTtlSeconds) },
        },
      }),
    );
  }
}

function acceptedKey(bodySha256: string): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: `accepted#${bodySha256}` }, [SORT_KEY]: { S: 'body' } };
}
