/**
 * An in-memory events log with the observable behaviour of DynamoDbEventLog: events filed per repository (or
 * unattributed), listed newest first, and accepted body hashes remembered; both expire after their TTL.
 */
import { randomBytes } from 'node:crypto';
import type { LoggedEvent } from '../../../shared/domain/logged-event';

const DAY_SECONDS = 24 * 60 * 60;
const UNATTRIBUTED = 'unattributed';

export class InMemoryEventLog {
  /** Every event recorded, in order (tests read it directly). */
  readonly recorded: LoggedEvent[] = [];
  private readonly partitions = new Map<string, Array<{ sk: string; json: string; expiresAt: number }>>();
  private readonly accepted = new Map<string, number>();
  private readonly eventTtlSeconds: number;
  private readonly acceptedTtlSeconds: number;

  constructor(options: { eventTtlDays?: number; acceptedTtlDays?: number } = {}) {
    this.eventTtlSeconds = Math.round((options.eventTtlDays ?? 30) * DAY_SECONDS);
    this.acceptedTtlSeconds = Math.round((options.acceptedTtlDays ?? 7) * DAY_SECONDS);
  }

  async record(event: LoggedEvent): Promise<void> {
    const partition = (event.attributed !== false && event.repository?.uuid) || UNATTRIBUTED;
    const items = this.partitions.get(partition) ?? [];
    items.push({
      sk: `${event.at}#${randomBytes(4).toString('hex')}`,
      json: JSON.stringify(event),
      expiresAt: Math.floor(new Date(event.at).getTime() / 1000) + this.eventTtlSeconds,
    });
    this.partitions.set(partition, items);
    this.recorded.push(JSON.parse(JSON.stringify(event)) as LoggedEvent);
  }

  /** Newest first; `repositoryUuid` omitted lists the unattributed deliveries; expired events are not returned. */
  async list(options: { repositoryUuid?: string; limit?: number; since?: string } = {}): Promise<LoggedEvent[]> {
    const now = Math.floor(Date.now() / 1000);
    return [...(this.partitions.get(options.repositoryUuid ?? UNATTRIBUTED) ?? [])]
      .filter((item) => options.since === undefined || item.sk >= options.since)
      .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0))
      .filter((item) => item.expiresAt > now)
      .slice(0, options.limit ?? 50)
      .map((item) => JSON.parse(item.json) as LoggedEvent);
  }

  async wasAccepted(bodySha256: string): Promise<boolean> {
    return (this.accepted.get(bodySha256) ?? 0) > Date.now() / 1000;
  }

  async rememberAccepted(bodySha256: string, at: Date): Promise<void> {
    this.accepted.set(bodySha256, Math.floor(at.getTime() / 1000) + this.acceptedTtlSeconds);
  }
}
