import type { SyncState, SyncStateStore } from '../../../../../shared/domain/sync/ports';
import { SyncRunRecord } from '../../../../../shared/domain/sync/sync-run-record';

/** An in-memory SyncStateStore (our port) with the same revision rule as the DynamoDB one. */
class MemoryStateStore implements SyncStateStore {
  readonly writes: Array<{ state: Omit<SyncState, 'revision'>; expectedRevision: number }> = [];
  constructor(private current: SyncState) {}
  async getSyncState(): Promise<SyncState> {
    return this.current;
  }
  async putSyncState(state: Omit<SyncState, 'revision'>, expectedRevision: number): Promise<SyncState> {
    if (expectedRevision !== this.current.revision) throw new Error(`revision ${expectedRevision} is stale`);
    this.writes.push({ state, expectedRevision });
    this.current = { ...state, revision: expectedRevision + 1 };
    return this.current;
  }
}

describe('SyncRunRecord', () => {
  const now = () => new Date('2026-05-06T07:08:09.000Z');
  const progress = {
    branch: 'main',
    fromCommit: null,
    toCommit: 'b',
    mode: 'full' as const,
    startedAt: 'x',
    counts: { added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0, skipped: 0 },
    invocations: 1,
  };

  it('writes each state on the revision it last saw, so consecutive saves chain', async () => {
    const store = new MemoryStateStore({ uuid: '{r}', cursor: 'a', revision: 4 });
    const record = await SyncRunRecord.open(store, '{r}', now, 'req-1');
    await record.save({ cursor: 'a', progress });
    await record.save({ cursor: 'b', lastRun: record.lastRun('synced') });
    expect(store.writes.map((write) => write.expectedRevision)).toEqual([4, 5]);
    expect(record.state).toEqual({
      uuid: '{r}',
      cursor: 'b',
      lastRun: { at: '2026-05-06T07:08:09.000Z', outcome: 'synced', requestUuid: 'req-1' },
      revision: 6,
    });
  });

  it('drops progress, parking and identity from the base of the next write', async () => {
    const store = new MemoryStateStore({ uuid: '{r}', branch: 'main', cursor: 'a', progress, notBefore: 'later', revision: 2 });
    const record = await SyncRunRecord.open(store, '{r}', now, undefined);
    expect(record.withoutProgress()).toEqual({ branch: 'main', cursor: 'a' });
  });
});
