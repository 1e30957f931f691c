/**
 * The behaviour the verifier and worker rely on from the events log, as one suite run against DynamoDbEventLog
 * on dynalite and against the in-memory log.
 */
import { randomUUID } from 'node:crypto';
import type { LoggedEvent } from '../../../shared/domain/logged-event';
import type { AcceptedDeliveries } from '../../../shared/domain/ports';

/** What the suite exercises: the accepted-delivery claims (a domain port) and the log's own reads and writes. */
export interface EventLogUnderTest extends AcceptedDeliveries {
  /** Adds a line; an event with the `eventId` of an earlier one replaces that line. */
  record(event: LoggedEvent): Promise<void>;
  /** Counts the event on its minute's line for events like it (same kind, outcome and reason) instead of adding a line. */
  recordCounted(event: LoggedEvent): Promise<void>;
  list(options?: { repositoryUuid?: string; adminActions?: boolean; limit?: number; since?: string }): Promise<LoggedEvent[]>;
}

const DAY_MS = 24 * 60 * 60 * 1000;
const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

/** `log` returns the log under test; each test uses its own repository uuids and hashes. */
export function eventLogContract(log: () => EventLogUnderTest): void {
  it("lists a repository's events newest first, up to a limit and from a time on", async () => {
    const repository = { uuid: `{${randomUUID()}}`, fullName: 'acme/models' };
    const times = [5, 4, 3, 2, 1].map((minutes) => ago(minutes * 60_000));
    for (const [index, at] of times.entries()) await log().record({ kind: 'sync', at, repository, outcome: `run-${index}` });
    expect((await log().list({ repositoryUuid: repository.uuid })).map((event) => event.outcome)).toEqual([
      'run-4',
      'run-3',
      'run-2',
      'run-1',
      'run-0',
    ]);
    expect((await log().list({ repositoryUuid: repository.uuid, limit: 2 })).map((event) => event.outcome)).toEqual(['run-4', 'run-3']);
    expect((await log().list({ repositoryUuid: repository.uuid, since: times[3] })).map((event) => event.outcome)).toEqual([
      'run-4',
      'run-3',
    ]);
    const [newest] = await log().list({ repositoryUuid: repository.uuid, limit: 1 });
    expect(newest).toEqual({ kind: 'sync', at: times[4], repository, outcome: 'run-4' });
  });

  it('files events of unknown repositories with the unattributed ones', async () => {
    const marker = randomUUID();
    const stranger = { uuid: `{${randomUUID()}}`, fullName: 'someone/else' };
    await log().record({ kind: 'delivery', at: ago(1000), repository: stranger, attributed: false, reason: marker });
    await log().record({ kind: 'delivery', at: ago(500), outcome: 'invalid signature', reason: marker });
    expect(await log().list({ repositoryUuid: stranger.uuid })).toEqual([]);
    const unattributed = (await log().list({ limit: 1000 })).filter((event) => event.reason === marker);
    expect(unattributed.map((event) => event.kind)).toEqual(['delivery', 'delivery']);
    expect(unattributed[1]).toMatchObject({ repository: stranger, attributed: false });
  });

  it("files admin actions in the admins' log, where they outlive the repository they name", async () => {
    const repository = { uuid: `{${randomUUID()}}`, fullName: 'acme/removed' };
    const marker = randomUUID();
    await log().record({ kind: 'admin', at: ago(2000), action: 'add', actor: 'local user ada', repository, reason: marker } as LoggedEvent);
    await log().record({ kind: 'admin', at: ago(1000), action: 'rotate-secret', actor: 'local user ada', reason: marker } as LoggedEvent);
    expect(await log().list({ repositoryUuid: repository.uuid })).toEqual([]);
    expect((await log().list({ limit: 1000 })).filter((event) => event.reason === marker)).toEqual([]);
    const actions = (await log().list({ adminActions: true, limit: 1000 })).filter((event) => event.reason === marker);
    expect(actions).toEqual([
      expect.objectContaining({ action: 'rotate-secret', actor: 'local user ada' }),
      expect.objectContaining({ action: 'add', repository }),
    ]);
  });

  it('stops listing events older than their time to live', async () => {
    const repository = { uuid: `{${randomUUID()}}`, fullName: 'acme/old' };
    await log().record({ kind: 'sync', at: ago(31 * DAY_MS), repository, outcome: 'expired' });
    await log().record({ kind: 'sync', at: ago(29 * DAY_MS), repository, outcome: 'kept' });
    expect((await log().list({ repositoryUuid: repository.uuid })).map((event) => event.outcome)).toEqual(['kept']);
  });

  it('replaces the line of an event recorded again with the same id', async () => {
    const repository = { uuid: `{${randomUUID()}}`, fullName: 'acme/replaced' };
    const at = ago(1000);
    await log().record({ kind: 'delivery', at, repository, outcome: 'queued', eventId: 'delivery-1' });
    await log().record({ kind: 'delivery', at, repository, outcome: 'other', eventId: 'delivery-2' });
    await log().record({ kind: 'delivery', at, repository, outcome: 'failed', eventId: 'delivery-1' });
    const outcomes = (await log().list({ repositoryUuid: repository.uuid })).map((event) => event.outcome);
    expect(outcomes.sort()).toEqual(['failed', 'other']);
  });

  it("counts like events of one minute on one line that keeps the minute's first event", async () => {
    const marker = randomUUID();
    const minute = new Date(Math.floor(Date.now() / 60_000) * 60_000 - 10 * 60_000);
    const at = (seconds: number) => new Date(minute.getTime() + seconds * 1000).toISOString();
    const forged = (seconds: number, requestUuid: string) =>
      log().recordCounted({ kind: 'delivery', at: at(seconds), outcome: 'rejected', reason: marker, requestUuid });
    await Promise.all([forged(1, 'first'), forged(20, 'second'), forged(59, 'third')]);
    await forged(60, 'next minute');
    await log().recordCounted({ kind: 'delivery', at: at(30), outcome: 'rejected', reason: `${marker} (other)`, requestUuid: 'other' });

    const lines = (await log().list({ limit: 1000 })).filter((event) => event.reason?.startsWith(marker));
    // Newest minute first; within a minute, one line per kind of event (in no particular order).
    expect(lines).toHaveLength(3);
    expect(lines[0]).toEqual({ kind: 'delivery', at: at(60), outcome: 'rejected', reason: marker, requestUuid: 'next minute', count: 1 });
    const sameMinute = new Map(lines.slice(1).map((event) => [event.reason, event]));
    expect(sameMinute.get(`${marker} (other)`)).toMatchObject({ requestUuid: 'other', count: 1 });
    const counted = sameMinute.get(marker)!;
    expect(counted.count).toBe(3);
    // Concurrent writers race to be "first"; the line keeps one of them whole, with its own time.
    expect(['first', 'second', 'third']).toContain(counted.requestUuid);
    expect(counted.at).toBe(at({ first: 1, second: 20, third: 59 }[counted.requestUuid as 'first']));
  });

  it('claims a body hash once: a second claim fails until the first expires or is released', async () => {
    const hash = randomUUID();
    const now = new Date();
    expect(await log().claimAccepted(hash, { at: now, claimId: 'first' })).toBe(true);
    expect(await log().claimAccepted(hash, { at: now, claimId: 'replay' })).toBe(false);
    await log().releaseAccepted(hash, 'first');
    expect(await log().claimAccepted(hash, { at: now, claimId: 'retry' })).toBe(true);
    expect(await log().claimAccepted(hash, { at: now, claimId: 'replay' })).toBe(false);
  });

  it('lets only one of many concurrent claims of one body win', async () => {
    const hash = randomUUID();
    const claims = await Promise.all(
      Array.from({ length: 8 }, (_, index) => log().claimAccepted(hash, { at: new Date(), claimId: `claim-${index}` })),
    );
    expect(claims.filter(Boolean)).toHaveLength(1);
  });

  it('releases only its own claim', async () => {
    const hash = randomUUID();
    expect(await log().claimAccepted(hash, { at: new Date(), claimId: 'mine' })).toBe(true);
    await log().releaseAccepted(hash, 'not-mine');
    expect(await log().claimAccepted(hash, { at: new Date(), claimId: 'replay' })).toBe(false);
    // Releasing what is not claimed at all is no error (a retried release).
    await expect(log().releaseAccepted(randomUUID(), 'mine')).resolves.toBeUndefined();
  });

  it('treats a claim older than seven days as expired, so the body can be claimed again', async () => {
    const stale = randomUUID();
    expect(await log().claimAccepted(stale, { at: new Date(Date.now() - 8 * DAY_MS), claimId: 'old' })).toBe(true);
    expect(await log().claimAccepted(stale, { at: new Date(), claimId: 'new' })).toBe(true);
    const recent = randomUUID();
    expect(await log().claimAccepted(recent, { at: new Date(Date.now() - 6 * DAY_MS), claimId: 'old' })).toBe(true);
    expect(await log().claimAccepted(recent, { at: new Date(), claimId: 'new' })).toBe(false);
  });
}
