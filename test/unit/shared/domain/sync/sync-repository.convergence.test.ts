/**
 * Regression tests of issue 10 ("the replica always converges") on the in-memory fakes: abandoned progress,
 * renames that edit content, and a failed checkpoint write. Each failed before its fix.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import type { ModelStore, SyncState, SyncStateStore } from '../../../../../shared/domain/sync/ports';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

async function sync(
  world: World,
  options: Partial<SyncOptions> & { modelPattern?: string; models?: ModelStore; state?: SyncStateStore } = {},
) {
  const { modelPattern = DEFAULT_MODEL_PATTERN, models = world.models, state = world.state, ...syncOptions } = options;
  return syncRepository(
    { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern },
    { remainingTimeMs: () => 600_000, concurrency: 1, ...syncOptions },
    { source: world.repo.source(), models, state },
  );
}

/** Stops a sync after `ops` applied ops: one time check before planning, then one before each op (concurrency 1). */
const stopAfter = (ops: number): Partial<SyncOptions> => {
  let budget = ops + 1;
  return { safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1_000 : 0) };
};

/** Seven models, three of them outside `keep/`, so narrowing the pattern to `keep/**` deletes three first. */
async function sevenModels(world: World): Promise<void> {
  await world.repo.commit({
    'keep/a.hck.json': '{"modelName":"a"}',
    'keep/b.hck.json': '{"modelName":"b"}',
    'keep/c.hck.json': '{"modelName":"c"}',
    'keep/d.hck.json': '{"modelName":"d"}',
    'x.hck.json': '{"modelName":"x"}',
    'y.hck.json': '{"modelName":"y"}',
    'z.hck.json': '{"modelName":"z"}',
  });
  expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { added: 7 } });
}
const NARROW = 'keep/*.hck.json';

describe('abandoned progress (issue 10, defect 1)', () => {
  it('re-syncs in full after a pattern change stopped at the deadline is reverted', async () => {
    const world = newWorld();
    await sevenModels(world);
    expect(await sync(world, { modelPattern: NARROW, ...stopAfter(3) })).toMatchObject({ outcome: 'partial', counts: { removed: 3 } });

    const reverted = await sync(world);

    expect(reverted).toMatchObject({ outcome: 'synced', mode: 'full' });
    await expectReplicated(world);
  });

  it('re-syncs in full after a pattern change parked by a rate limit is reverted', async () => {
    const world = newWorld();
    await sevenModels(world);
    world.repo.addFault({ method: 'getFile', kind: 'rate-limit', retryAfterMs: 1_000, times: 1 });
    const parkedAt = new Date('2026-06-01T12:00:00.000Z');
    expect(await sync(world, { modelPattern: NARROW, now: () => parkedAt })).toMatchObject({ outcome: 'deferred', counts: { removed: 3 } });

    const reverted = await sync(world, { now: () => new Date('2026-06-01T12:01:00.000Z') });

    expect(reverted).toMatchObject({ outcome: 'synced', mode: 'full' });
    await expectReplicated(world);
  });

  it('re-syncs in full after the default branch switched away and back during a long full sync', async () => {
    const world = newWorld();
    await sevenModels(world);
    const main = await world.repo.head();
    await world.repo.createBranch('develop', main);
    await world.repo.commit({ 'x.hck.json': null, 'y.hck.json': null, 'z.hck.json': null }, { branch: 'develop' });
    world.repo.setMainBranch('develop');
    // The full sync of develop deletes x, y and z first, then stops.
    expect(await sync(world, stopAfter(3))).toMatchObject({ outcome: 'partial', branch: 'develop', counts: { removed: 3 } });
    world.repo.setMainBranch('main');

    const back = await sync(world);

    expect(back).toMatchObject({ outcome: 'synced', mode: 'full', branch: 'main' });
    await expectReplicated(world);
  });

  it('re-syncs in full when an admin asks for a diff from the head while progress exists', async () => {
    const world = newWorld();
    await sevenModels(world);
    expect(await sync(world, { modelPattern: NARROW, ...stopAfter(3) })).toMatchObject({ outcome: 'partial' });

    const admin = await sync(world, { fromCommit: await world.repo.head(), ignoreNotBefore: true });

    expect(admin).toMatchObject({ outcome: 'synced', mode: 'full' });
    await expectReplicated(world);
  });

  it('finishes an admin full sync that replaces progress, and the next sync is up to date', async () => {
    const world = newWorld();
    await sevenModels(world);
    expect(await sync(world, { modelPattern: NARROW, ...stopAfter(3) })).toMatchObject({ outcome: 'partial' });

    expect(await sync(world, { mode: 'full', ignoreNotBefore: true })).toMatchObject({ outcome: 'synced', mode: 'full' });

    await expectReplicated(world);
    expect(await sync(world)).toMatchObject({ outcome: 'up-to-date' });
  });
});

describe('renamed models (issue 10, defect 2)', () => {
  it('stores the new bytes of a binary model renamed and edited in one push', async () => {
    // Git reports 0 lines added and removed for a binary file (a NUL byte), whatever changed.
    const world = newWorld();
    const before = Buffer.from('{"modelName":"bin","v":1}\n\u0000\nline a\nline b\nline c\n');
    const after = Buffer.from('{"modelName":"bin","v":2}\n\u0000\nline a\nline b\nline c\n');
    await world.repo.commit({ 'old/bin.hck.json': before });
    await sync(world);
    await world.repo.commit({ 'old/bin.hck.json': null, 'new/bin.hck.json': after });

    const report = await sync(world);

    expect(report).toMatchObject({ outcome: 'synced', mode: 'incremental' });
    expect((await world.models.getModel(world.repo.uuid, 'new/bin.hck.json'))!.body).toEqual(after);
    await expectReplicated(world);
  });
});

describe('a failed checkpoint write (issue 10, defect 3)', () => {
  it('stops every worker and returns only when none is still writing', async () => {
    const world = newWorld();
    await world.repo.commit(Object.fromEntries(Array.from({ length: 40 }, (_, index) => [`m${index}.hck.json`, `{"n":${index}}`])));
    let inFlight = 0;
    let writes = 0;
    // Model writes that take a few turns of the event loop, so other workers are mid-write when a checkpoint fails.
    const slowModels: ModelStore = Object.assign(Object.create(world.models) as ModelStore, {
      putModel: async (input: Parameters<ModelStore['putModel']>[0]) => {
        inFlight += 1;
        for (let turn = 0; turn < 5; turn += 1) await new Promise((resolve) => setImmediate(resolve));
        writes += 1;
        inFlight -= 1;
        return world.models.putModel(input);
      },
    });
    let checkpoints = 0;
    const failingState: SyncStateStore = {
      getSyncState: (uuid) => world.state.getSyncState(uuid),
      putSyncState: async (next: Omit<SyncState, 'revision'>, expected: number) => {
        // The first write records the plan; the second is the first checkpoint.
        if (next.progress?.watermark !== undefined && ++checkpoints === 1) throw new Error('DynamoDB unavailable');
        return world.state.putSyncState(next, expected);
      },
    };

    await expect(sync(world, { concurrency: 4, checkpointEvery: 4, models: slowModels, state: failingState })).rejects.toThrow(
      'DynamoDB unavailable',
    );
    const writesAtReturn = writes;
    expect(inFlight).toBe(0);
    for (let turn = 0; turn < 50; turn += 1) await new Promise((resolve) => setImmediate(resolve));
    expect(writes).toBe(writesAtReturn);
    expect(writes).toBeLessThan(40);

    // The retry converges.
    expect(await sync(world, { concurrency: 4 })).toMatchObject({ outcome: 'synced' });
    await expectReplicated(world);
  });
});

describe('a push made during a long sync (issue 10, defect 5)', () => {
  it('is synced by the continuation that finishes the older plan, which then reads the head', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}', 'b.hck.json': '{"v":1}', 'c.hck.json': '{"v":1}' });
    expect(await sync(world, stopAfter(1))).toMatchObject({ outcome: 'partial', readHead: true });
    await world.repo.commit({ 'd.hck.json': '{"v":1}', 'a.hck.json': '{"v":2}' });

    const continuation = await sync(world);

    expect(continuation).toMatchObject({ outcome: 'synced', continued: true, readHead: true, toCommit: await world.repo.head() });
    await expectReplicated(world);
  });

  it('reports a continuation that stops again as not having read the head', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}', 'b.hck.json': '{"v":1}', 'c.hck.json': '{"v":1}' });
    await sync(world, stopAfter(1));
    expect(await sync(world, stopAfter(1))).toMatchObject({ outcome: 'partial', continued: true, readHead: false });
  });
});

describe('the invocation deadline (issue 10, a Bitbucket outage)', () => {
  it('stops as partial when a download is cut at the deadline, and the continuation finishes', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}', 'b.hck.json': '{"v":1}', 'c.hck.json': '{"v":1}' });
    world.repo.addFault({ method: 'getFile', path: /^b\.hck\.json$/, kind: 'deadline', times: 1 });

    expect(await sync(world)).toMatchObject({ outcome: 'partial', opsApplied: 1, opsRemaining: 2 });

    expect(await sync(world)).toMatchObject({ outcome: 'synced', continued: true });
    await expectReplicated(world);
  });

  it('fails a run whose first request is cut at the deadline, keeping the cursor', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}' });
    await sync(world);
    const cursor = (await world.state.getSyncState(world.repo.uuid)).cursor;
    world.repo.addFault({ method: 'getMainBranch', kind: 'deadline', times: 1 });

    await expect(sync(world)).rejects.toThrow('No time left');

    expect((await world.state.getSyncState(world.repo.uuid)).cursor).toBe(cursor);
  });

  it('leaves reading the head to a continuation when a finished continuation has no time left', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}', 'b.hck.json': '{"v":1}' });
    await sync(world, stopAfter(1));
    await world.repo.commit({ 'c.hck.json': '{"v":1}' });
    let budget = 2; // one check before planning, one before the last op; none left for the head
    const finished = await sync(world, { safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1_000 : 0) });
    expect(finished).toMatchObject({ outcome: 'partial', continued: true, readHead: false, opsRemaining: 0 });

    expect(await sync(world)).toMatchObject({ outcome: 'synced', readHead: true });
    await expectReplicated(world);
  });
});
