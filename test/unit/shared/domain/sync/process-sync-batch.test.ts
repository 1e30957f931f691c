import type { SyncRequestResult } from '../../../../../shared/domain/sync/handle-sync-request';
import {
  retryBackoffSeconds,
  retrySchedule,
  startSyncBatch,
  type SyncBatchPorts,
} from '../../../../../shared/domain/sync/process-sync-batch';
import type { SyncRequest } from '../../../../../shared/domain/sync-request';
import type { SyncReport } from '../../../../../shared/domain/sync/sync-repository';

const request = (uuid: string, id: string, trigger: SyncRequest['trigger'] = 'push'): SyncRequest => ({
  version: 1,
  trigger,
  repository: { uuid, fullName: `acme/${uuid}` },
  requestUuid: id,
  requestedAt: '2026-01-01T00:00:00.000Z',
});

const report = (outcome: SyncReport['outcome'], continued = false): SyncReport => ({
  outcome,
  fromCommit: null,
  counts: { added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0, skipped: 0 },
  opsApplied: 0,
  opsRemaining: 0,
  continued,
  readHead: !continued,
});
const result = (outcome: SyncRequestResult['outcome'], continued = false): SyncRequestResult => ({
  outcome,
  report: outcome === 'not-added' || outcome === 'skipped' ? undefined : report(outcome, continued),
  apiCalls: 2,
  gitRequests: 0,
  bytesReceived: 10,
  durationMs: 1,
});

/** An in-memory stand-in for the sync and the queue: answers each repository's syncs in turn and records calls. */
function fakePorts(answers: Record<string, Array<SyncRequestResult | Error>>) {
  const synced: string[] = [];
  const postponed: string[] = [];
  const budgets: Array<{ concurrency: number; safetyMarginMs: number; remaining: number }> = [];
  const ports: SyncBatchPorts = {
    async sync(message, budget) {
      synced.push(message.requestUuid);
      budgets.push({ concurrency: budget.concurrency, safetyMarginMs: budget.safetyMarginMs, remaining: budget.remainingTimeMs() });
      const answer = answers[message.repository.uuid]!.shift()!;
      if (answer instanceof Error) throw answer;
      return answer;
    },
    async postpone(message) {
      postponed.push(message.requestUuid);
    },
  };
  return { ports, synced, postponed, budgets };
}

const plenty = { safetyMarginMs: 60_000, fetchConcurrency: 8, remainingTimeMs: () => 600_000 };

describe("the worker's batch rules", () => {
  it('syncs a burst of pushes to one repository once, and still runs admin requests', async () => {
    // Prepare
    const fake = fakePorts({ a: [result('synced'), result('up-to-date')], b: [result('up-to-date')] });
    const batch = startSyncBatch(plenty, fake.ports);

    // Act
    const outcomes = [];
    for (const message of [
      request('a', 'a1'),
      request('b', 'b1'),
      request('a', 'a2'),
      request('a', 'a3', 'admin'),
      request('b', 'b2', 'reconcile'),
    ])
      outcomes.push(await batch.process(message));

    // Assess
    expect(fake.synced).toEqual(['a1', 'b1', 'a3']);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ran', 'ran', 'skipped', 'ran', 'skipped']);
    expect(outcomes[2]).toEqual({ kind: 'skipped', already: 'synced' });
    expect(fake.budgets[0]).toEqual({ concurrency: 8, safetyMarginMs: 60_000, remaining: 600_000 });
  });

  it('runs a scheduled verification even after the repository was synced in the batch', async () => {
    const fake = fakePorts({ a: [result('synced'), result('up-to-date')] });
    const batch = startSyncBatch(plenty, fake.ports);

    await batch.process(request('a', 'a1'));
    const verification = await batch.process({ ...request('a', 'a2', 'reconcile'), verify: true });

    expect(verification.kind).toBe('ran');
    expect(fake.synced).toEqual(['a1', 'a2']);
  });

  it('lets only a run that read the head cover later messages; a stopped run covers them as stopped', async () => {
    // Prepare: a continued run (it finished an older plan), a removed repository, a partial run.
    const fake = fakePorts({
      c: [result('synced', true), result('synced')],
      n: [result('not-added'), result('not-added')],
      p: [result('partial')],
    });
    const batch = startSyncBatch(plenty, fake.ports);

    // Act
    const outcomes = [];
    for (const message of [
      request('c', 'c1'),
      request('c', 'c2'),
      request('n', 'n1'),
      request('n', 'n2'),
      request('p', 'p1'),
      request('p', 'p2'),
      request('c', 'c3'),
    ])
      outcomes.push(await batch.process(message));

    // Assess
    expect(fake.synced).toEqual(['c1', 'c2', 'n1', 'n2', 'p1']);
    expect(outcomes[5]).toEqual({ kind: 'skipped', already: 'stopped' });
    expect(outcomes[6]).toEqual({ kind: 'skipped', already: 'synced' });
  });

  it('lets a later message run after a continuation stopped again, since that run never read the head', async () => {
    // Prepare: a continuation stops at the deadline again, another is parked by a rate limit.
    const fake = fakePorts({ s: [result('partial', true), result('synced')], d: [result('deferred', true), result('deferred')] });
    const batch = startSyncBatch(plenty, fake.ports);

    // Act
    const outcomes = [];
    for (const message of [request('s', 's1', 'continue'), request('s', 's2'), request('d', 'd1', 'continue'), request('d', 'd2')])
      outcomes.push(await batch.process(message));

    // Assess
    expect(fake.synced).toEqual(['s1', 's2', 'd1', 'd2']);
    expect(outcomes.map((outcome) => outcome.kind)).toEqual(['ran', 'ran', 'ran', 'ran']);
  });

  it("postpones a request it has no time to start, and skips the repository's later messages", async () => {
    // Prepare
    const fake = fakePorts({});
    const batch = startSyncBatch({ ...plenty, remainingTimeMs: () => 1_000 }, fake.ports);

    // Act
    const first = await batch.process(request('l', 'l1'));
    const second = await batch.process(request('l', 'l2'));

    // Assess
    expect([first, second]).toEqual([{ kind: 'postponed' }, { kind: 'skipped', already: 'stopped' }]);
    expect(fake.postponed).toEqual(['l1']);
    expect(fake.synced).toEqual([]);
  });

  it('reports a failed sync without marking the repository, so its next message runs', async () => {
    // Prepare
    const failure = new Error('Bitbucket answered 500');
    const fake = fakePorts({ f: [failure, result('synced')] });
    const batch = startSyncBatch(plenty, fake.ports);

    // Act
    const first = await batch.process(request('f', 'f1'));
    const second = await batch.process(request('f', 'f2'));

    // Assess
    expect(first).toEqual({ kind: 'failed', error: failure });
    expect(second.kind).toBe('ran');
  });

  it('throws when a postponement cannot be queued (the message then fails)', async () => {
    const batch = startSyncBatch(
      { ...plenty, remainingTimeMs: () => 0 },
      { sync: () => Promise.reject(new Error('not called')), postpone: () => Promise.reject(new Error('queue unavailable')) },
    );
    await expect(batch.process(request('q', 'q1'))).rejects.toThrow('queue unavailable');
  });
});

describe('retry backoff', () => {
  it('doubles from the base per receive (a count of 0 waits as the first), at most 15 minutes', () => {
    expect([0, 1, 2, 3, 4, 5, 6, 7, 9].map((count) => retryBackoffSeconds(count))).toEqual([30, 30, 60, 120, 240, 480, 900, 900, 900]);
    expect([1, 2, 3].map((count) => retryBackoffSeconds(count, 5))).toEqual([5, 10, 20]);
  });

  it('schedules only the failed messages, by their receive count, and none with a base of 0', () => {
    const messages = [
      { messageId: 'm1', receiptHandle: 'h1', receiveCount: '1' },
      { messageId: 'm2', receiptHandle: 'h2', receiveCount: '3' },
      { messageId: 'm3', receiptHandle: 'h3', receiveCount: undefined },
    ];
    expect(retrySchedule(messages, ['m2', 'm3'], 30)).toEqual([
      { messageId: 'm2', receiptHandle: 'h2', receiveCount: '3', seconds: 120 },
      { messageId: 'm3', receiptHandle: 'h3', receiveCount: undefined, seconds: 30 },
    ]);
    expect(retrySchedule(messages, ['m1'], 0)).toEqual([]);
  });
});
