// DynamoDB adapter of the events log and of the claims on accepted-delivery hashes: what the hub did and why,
// kept for admins, and the memory that makes webhook redeliveries harmless.
import { createHash, randomBytes } from 'node:crypto';
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DynamoDBClient,
  PutItemCommand,
  QueryCommand,
  UpdateItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { isAdminAction, type LoggedEvent } from '../domain/logged-event';
import type { AcceptedDeliveries } from '../domain/ports';
import { pages } from './dynamodb-paging';
import { PARTITION_KEY, SORT_KEY } from './tables';

const DAY_SECONDS = 24 * 60 * 60;
/** Partition for deliveries that name no trustworthy repository (e.g. a bad signature). */
export const UNATTRIBUTED = 'unattributed';
/** Partition of the admins' actions (see AdminActionEvent). */
export const ADMIN_ACTIONS = 'admin';

/**
 * DynamoDB adapter for the events log (`pk = events#<repository uuid>`, `sk = <time>#<event id or random>`, or
 * `<minute>#counted#<kind of event>` for a line counting like events) and for the claims on accepted webhook
 * bodies (`pk = accepted#<sha256>`). Both expire through the table's TTL attribute `expiresAt`; reads and claims
 * also check it, since DynamoDB deletes expired items only eventually.
 */
export class DynamoDbEventLog implements AcceptedDeliveries {
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

  /** Adds a line; an event with the `eventId` of an earlier one replaces that line. */
  async record(event: LoggedEvent): Promise<void> {
    await this.client.send(
      new PutItemCommand({
        TableName: this.tableName,
        Item: {
          [PARTITION_KEY]: { S: eventPartition(event) },
          [SORT_KEY]: { S: `${event.at}#${event.eventId ?? randomBytes(4).toString('hex')}` },
          kind: { S: event.kind },
          ...(event.outcome ? { outcome: { S: event.outcome } } : {}),
          ...(event.requestUuid ? { requestUuid: { S: event.requestUuid } } : {}),
          event: { S: JSON.stringify(event) },
          expiresAt: { N: String(this.eventExpiry(event.at)) },
        },
      }),
    );
  }

  /**
   * Counts the event on its minute's line for events like it (same kind, outcome and reason) instead of adding a
   * line, so a flood of them (forged deliveries) takes one line a minute. One atomic update of the minute's line:
   * the first event's attributes are kept, `count` is added to.
   */
  async recordCounted(event: LoggedEvent): Promise<void> {
    const minute = new Date(Math.floor(Date.parse(event.at) / 60_000) * 60_000).toISOString();
    const likeness = createHash('sha256')
      .update(JSON.stringify([event.kind, event.outcome, event.reason]))
      .digest('hex')
      .slice(0, 16);
    const kept: Record<string, AttributeValue> = {
      kind: { S: event.kind },
      ...(event.outcome ? { outcome: { S: event.outcome } } : {}),
      ...(event.requestUuid ? { requestUuid: { S: event.requestUuid } } : {}),
      event: { S: JSON.stringify(event) },
      expiresAt: { N: String(this.eventExpiry(minute)) },
    };
    const names = Object.keys(kept);
    await this.client.send(
      new UpdateItemCommand({
        TableName: this.tableName,
        Key: { [PARTITION_KEY]: { S: eventPartition(event) }, [SORT_KEY]: { S: `${minute}#counted#${likeness}` } },
        UpdateExpression: `ADD #count :one SET ${names.map((name) => `#${name} = if_not_exists(#${name}, :${name})`).join(', ')}`,
        ExpressionAttributeNames: { '#count': 'count', ...Object.fromEntries(names.map((name) => [`#${name}`, name])) },
        ExpressionAttributeValues: { ':one': { N: '1' }, ...Object.fromEntries(names.map((name) => [`:${name}`, kept[name]!])) },
      }),
    );
  }

  /** Newest first. `repositoryUuid` omitted lists the unattributed deliveries; `adminActions` the admins' actions. */
  async list(options: { repositoryUuid?: string; adminActions?: boolean; limit?: number; since?: string } = {}): Promise<LoggedEvent[]> {
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
            ':pk': { S: `events#${options.adminActions ? ADMIN_ACTIONS : (options.repositoryUuid ?? UNATTRIBUTED)}` },
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
        if (Number(item.expiresAt?.N ?? Infinity) <= now) continue;
        const event = JSON.parse(item.event!.S!) as LoggedEvent;
        events.push(item.count?.N ? { ...event, count: Number(item.count.N) } : event);
      }
      if (events.length >= limit) break;
    }
    return events;
  }

  /** A PutItem that succeeds only when no item holds the hash, or the one that does has expired. */
  async claimAccepted(bodySha256: string, claim: { at: Date; claimId: string }): Promise<boolean> {
    const now = Math.floor(claim.at.getTime() / 1000);
    try {
      await this.client.send(
        new PutItemCommand({
          TableName: this.tableName,
          Item: {
            ...acceptedKey(bodySha256),
            acceptedAt: { S: claim.at.toISOString() },
            claimId: { S: claim.claimId },
            expiresAt: { N: String(now + this.acceptedTtlSeconds) },
          },
          ConditionExpression: 'attribute_not_exists(#pk) OR #expiresAt <= :now',
          ExpressionAttributeNames: { '#pk': PARTITION_KEY, '#expiresAt': 'expiresAt' },
          ExpressionAttributeValues: { ':now': { N: String(now) } },
        }),
      );
      return true;
    } catch (error) {
      if (error instanceof ConditionalCheckFailedException) return false;
      throw error;
    }
  }

  /** Deletes the claim if it is still this one's; another claim, or none, is left as it is. */
  async releaseAccepted(bodySha256: string, claimId: string): Promise<void> {
    try {
      await this.client.send(
        new DeleteItemCommand({
          TableName: this.tableName,
          Key: acceptedKey(bodySha256),
          ConditionExpression: '#claimId = :claimId',
          ExpressionAttributeNames: { '#claimId': 'claimId' },
          ExpressionAttributeValues: { ':claimId': { S: claimId } },
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  }

  private eventExpiry(at: string): number {
    return Math.floor(Date.parse(at) / 1000) + this.eventTtlSeconds;
  }
}

/** The partition of an event: the admins' actions', its repository's, or the unattributed one. */
function eventPartition(event: LoggedEvent): string {
  if (isAdminAction(event)) return `events#${ADMIN_ACTIONS}`;
  return `events#${(event.attributed !== false && event.repository?.uuid) || UNATTRIBUTED}`;
}

function acceptedKey(bodySha256: string): Record<string, AttributeValue> {
  return { [PARTITION_KEY]: { S: `accepted#${bodySha256}` }, [SORT_KEY]: { S: 'body' } };
}
