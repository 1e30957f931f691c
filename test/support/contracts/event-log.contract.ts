/**
 * The behaviour the verifier and worker rely on from the events log, as one suite run against DynamoDbEventLog
 * on dynalite and against the in-memory log.
 */
import { randomUUID } from 'node:crypto';
import type { LoggedEvent } from '../../../shared/domain/logged-event';

export interface EventLogUnderTest {
  record(event: LoggedEvent): Promise<void>;
  list(options?: { repositoryUuid?: string; limit?: number; since?: string }): Promise<LoggedEvent[]>;
  wasAccepted(bodySha256: string): Promise<boolean>;
  rememberAccepted(bodySha256: string, at: Date): Promise<void>;
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

  it('stops listing events older than their time to live', async () => {
    const repository = { uuid: `{${randomUUID()}}`, fullName: 'acme/old' };
    await log().record({ kind: 'sync', at: ago(31 * DAY_MS), repository, outcome: 'expired' });
    await log().record({ kind: 'sync', at: ago(29 * DAY_MS), repository, outcome: 'kept' });
    expect((await log().list({ repositoryUuid: repository.uuid })).map((event) => event.outcome)).toEqual(['kept']);
  });

  it('remembers an accepted body for seven days', async () => {
    const fresh = randomUUID();
    const stale = randomUUID();
    expect(await log().wasAccepted(fresh)).toBe(false);
    await log().rememberAccepted(fresh, new Date());
    await log().rememberAccepted(stale, new Date(Date.now() - 8 * DAY_MS));
    expect(await log().wasAccepted(fresh)).toBe(true);
    expect(await log().wasAccepted(stale)).toBe(false);
  });
}
