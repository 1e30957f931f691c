/**
 * An in-memory events log with the observable behaviour of DynamoDbEventLog: events filed per repository (or
 * unattributed), listed newest first, like events counted on one line a minute, and claims on accepted body
 * hashes; events and claims expire after their TTL.
 */
import { createHash, randomBytes } from 'node:crypto';
import { isAdminAction, type LoggedEvent } from '../../../shared/domain/logged-event';
import type { AcceptedDeliveries } from '../../../shared/domain/ports';

const DAY_SECONDS = 24 * 60 * 60;
const UNATTRIBUTED = 'unattributed';
const ADMIN_ACTIONS = 'admin';

interface Line {
  readonly sk: string;
  readonly json: string;
  readonly expiresAt: number;
  count?: number;
}

export class InMemoryEventLog implements AcceptedDeliveries {
  /** Every event recorded or counted, in order (tests read it directly). */
  readonly recorded: LoggedEvent[] = [];
  private readonly partitions = new Map<string, Map<string, Line>>();
  private readonly claims = new Map<string, { claimId: string; expiresAt: number }>();
  private readonly eventTtlSeconds: number;
  private readonly acceptedTtlSeconds: number;
  /** Calls of each method still to fail, for tests of what the verifier does when the log is down. */
  private readonly failures = new Map<'record' | 'recordCounted' | 'claimAccepted' | 'releaseAccepted', number>();

  constructor(options: { eventTtlDays?: number; acceptedTtlDays?: number } = {}) {
    this.eventTtlSeconds = Math.round((options.eventTtlDays ?? 30) * DAY_SECONDS);
    this.acceptedTtlSeconds = Math.round((options.acceptedTtlDays ?? 7) * DAY_SECONDS);
  }

  /** Makes the next `times` calls of `method` reject, as DynamoDB does when it is unavailable. */
  failNext(method: 'record' | 'recordCounted' | 'claimAccepted' | 'releaseAccepted', times = 1): void {
    this.failures.set(method, times);
  }

  async record(event: LoggedEvent): Promise<void> {
    this.failIfAsked('record');
    const sk = `${event.at}#${event.eventId ?? randomBytes(4).toString('hex')}`;
    this.partition(event).set(sk, { sk, json: JSON.stringify(event), expiresAt: this.expiry(event.at, this.eventTtlSeconds) });
    this.recorded.push(JSON.parse(JSON.stringify(event)) as LoggedEvent);
  }

  async recordCounted(event: LoggedEvent): Promise<void> {
    this.failIfAsked('recordCounted');
    const minute = new Date(Math.floor(new Date(event.at).getTime() / 60_000) * 60_000).toISOString();
    const sk = `${minute}#counted#${createHash('sha256')
      .update(JSON.stringify([event.kind, event.outcome, event.reason]))
      .digest('hex')
      .slice(0, 16)}`;
    const lines = this.partition(event);
    const line = lines.get(sk) ?? { sk, json: JSON.stringify(event), expiresAt: this.expiry(minute, this.eventTtlSeconds), count: 0 };
    line.count = (line.count ?? 0) + 1;
    lines.set(sk, line);
    this.recorded.push(JSON.parse(JSON.stringify(event)) as LoggedEvent);
  }

  /**
   * Newest first; `repositoryUuid` omitted lists the unattributed deliveries, `adminActions` the admins' actions;
   * expired events are not returned.
   */
  async list(options: { repositoryUuid?: string; adminActions?: boolean; limit?: number; since?: string } = {}): Promise<LoggedEvent[]> {
    const now = Math.floor(Date.now() / 1000);
    const name = options.adminActions ? ADMIN_ACTIONS : (options.repositoryUuid ?? UNATTRIBUTED);
    return [...(this.partitions.get(name)?.values() ?? [])]
      .filter((line) => options.since === undefined || line.sk >= options.since)
      .sort((a, b) => (a.sk < b.sk ? 1 : a.sk > b.sk ? -1 : 0))
      .filter((line) => line.expiresAt > now)
      .slice(0, options.limit ?? 50)
      .map((line) => ({ ...(JSON.parse(line.json) as LoggedEvent), ...(line.count !== undefined ? { count: line.count } : {}) }));
  }

  async claimAccepted(bodySha256: string, claim: { at: Date; claimId: string }): Promise<boolean> {
    this.failIfAsked('claimAccepted');
    const held = this.claims.get(bodySha256);
    if (held && held.expiresAt > Math.floor(claim.at.getTime() / 1000)) return false;
    this.claims.set(bodySha256, { claimId: claim.claimId, expiresAt: this.expiry(claim.at.toISOString(), this.acceptedTtlSeconds) });
    return true;
  }

  async releaseAccepted(bodySha256: string, claimId: string): Promise<void> {
    this.failIfAsked('releaseAccepted');
    if (this.claims.get(bodySha256)?.claimId === claimId) this.claims.delete(bodySha256);
  }

  private partition(event: LoggedEvent): Map<string, Line> {
    const name = isAdminAction(event) ? ADMIN_ACTIONS : (event.attributed !== false && event.repository?.uuid) || UNATTRIBUTED;
    const lines = this.partitions.get(name) ?? new Map<string, Line>();
    this.partitions.set(name, lines);
    return lines;
  }

  private expiry(at: string, ttlSeconds: number): number {
    return Math.floor(new Date(at).getTime() / 1000) + ttlSeconds;
  }

  private failIfAsked(method: 'record' | 'recordCounted' | 'claimAccepted' | 'releaseAccepted'): void {
    const left = this.failures.get(method) ?? 0;
    if (left <= 0) return;
    this.failures.set(method, left - 1);
    throw new Error(`${method} failed (a fault injected by the test)`);
  }
}
