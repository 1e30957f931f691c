/**
 * The sync engine on the in-memory fakes of its ports (held to the real adapters' contracts in
 * test/support/contracts): every behaviour of test/shared/domain/sync/sync-repository.test.ts, in milliseconds.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { SyncStateConflictError } from '../../../../../shared/domain/sync/errors';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import type { SyncState } from '../../../../../shared/domain/sync/ports';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

async function sync(world: World, options: Partial<SyncOptions> & { modelPattern?: string; maxFileBytes?: number } = {}) {
  const { modelPattern = DEFAULT_MODEL_PATTERN, maxFileBytes, ...syncOptions } = options;
  const before = world.repo.calls.length;
  const report = await syncRepository(
    { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern },
    { remainingTimeMs: () => 600_000, concurrency: 4, ...syncOptions },
    { source: world.repo.source({ maxFileBytes }), models: world.models, state: world.state },
  );
  return { report, calls: world.repo.calls.slice(before) };
}

const storedPaths = async (world: World) => (await world.models.listModels(world.repo.uuid)).map((record) => record.path);
const downloads = (calls: World['repo']['calls']) => calls.filter((call) => call.method === 'getFile').map((call) => call.args[1]);

describe('syncRepository (in memory)', () => {
  it('replicates the branch head fully, selecting models by pattern', async () => {
    // Prepare
    const world = newWorld();
    await world.repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'dir/b.hck.json': '{"modelName":"B","collections":[{}]}',
      'notes/readme.md': 'not a model',
      'Ünïcode dir/with space.hck.json': '{"modelName":"Ü"}',
    });
    // Act
    const { report } = await sync(world);
    // Assess
    expect(report).toMatchObject({
      outcome: 'synced',
      mode: 'full',
      fromCommit: null,
      toCommit: await world.repo.head(),
      counts: { added: 3, updated: 0, removed: 0 },
      opsApplied: 3,
      opsRemaining: 0,
    });
    await expectReplicated(world);
  });

  it('applies add, modify and delete as a diff, and fetches a renamed model again (nothing proves its bytes unchanged)', async () => {
    const world = newWorld();
    await world.repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'dir/b.hck.json': '{"modelName":"B"}',
      'dir/c.hck.json': '{"modelName":"C"}',
    });
    await sync(world);
    await world.repo.commit(
      { 'a.hck.json': '{"modelName":"A2"}', 'dir/c.hck.json': null, 'new/d.hck.json': '{"modelName":"D"}' },
      { renames: [['dir/b.hck.json', 'moved/b.hck.json']] },
    );

    const { report, calls } = await sync(world);

    expect(report).toMatchObject({ outcome: 'synced', mode: 'incremental', counts: { added: 2, updated: 1, removed: 2, renamed: 0 } });
    expect(downloads(calls).sort()).toEqual(['a.hck.json', 'moved/b.hck.json', 'new/d.hck.json']);
    expect(calls.some((call) => call.method === 'listFiles')).toBe(false);
    await expectReplicated(world);
  });

  it('treats a rename out of the model pattern as a delete, and into it as an add', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"a":1}', 'b.json': '{"b":1}' });
    await sync(world);
    await world.repo.commit(
      {},
      {
        renames: [
          ['a.hck.json', 'a.json'],
          ['b.json', 'b.hck.json'],
        ],
      },
    );
    const { report } = await sync(world);
    expect(report).toMatchObject({ mode: 'incremental', counts: { added: 1, removed: 1, renamed: 0 } });
    await expectReplicated(world);
  });

  it('costs two API calls when the cursor is already the head', async () => {
    const world = newWorld();
    await world.repo.commit({ 'x.hck.json': '{}' });
    await sync(world);
    const { report, calls } = await sync(world);
    expect(report).toMatchObject({ outcome: 'up-to-date', fromCommit: await world.repo.head(), opsApplied: 0 });
    expect(calls.map((call) => call.method)).toEqual(['getMainBranch', 'getBranchHead']);
  });

  it('re-applies a changed .hubignore: newly ignored models disappear, un-ignored ones come back', async () => {
    const world = newWorld();
    await world.repo.commit({ 'keep/a.hck.json': '{"k":1}', 'drafts/b.hck.json': '{"d":1}', 'drafts/c.hck.json': '{"d":2}' });
    await sync(world);
    await world.repo.commit({ '.hubignore': '# work in progress\ndrafts/\n!drafts/c.hck.json\n' });
    const ignoring = await sync(world);
    expect(ignoring.report).toMatchObject({ mode: 'reselect', counts: { removed: 2 } });
    expect(await storedPaths(world)).toEqual(['keep/a.hck.json']);
    await expectReplicated(world);

    await world.repo.commit({ '.hubignore': 'drafts/c.hck.json\n' });
    const unignoring = await sync(world);
    // Only the newly selected model is fetched: the kept one did not change.
    expect(unignoring.report).toMatchObject({ mode: 'reselect', counts: { added: 1 } });
    expect(downloads(unignoring.calls)).toEqual(['.hubignore', 'drafts/b.hck.json']);
    await expectReplicated(world);
    expect((await world.state.getSyncState(world.repo.uuid)).hubignore).toBe('drafts/c.hck.json\n');
  });

  it('applies an incremental sync with the .hubignore kept at the cursor, without reading it again', async () => {
    const world = newWorld();
    await world.repo.commit({ '.hubignore': 'drafts/\n', 'a.hck.json': '{}' });
    await sync(world);
    await world.repo.commit({ 'drafts/new.hck.json': '{}', 'b.hck.json': '{}' });
    const { report, calls } = await sync(world);
    expect(report).toMatchObject({ mode: 'incremental', counts: { added: 1 } });
    expect(downloads(calls)).toEqual(['b.hck.json']);
    await expectReplicated(world);
  });

  it('syncs in full when the model pattern changed, removing models the new pattern no longer selects', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}', 'b.json': '{}', 'models/c.json': '{}' });
    await sync(world);
    const { report } = await sync(world, { modelPattern: 'models/*.json' });
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', counts: { added: 1, removed: 1 } });
    await expectReplicated(world, 'models/*.json');
  });

  it('falls back to a full sync when Bitbucket cannot compute the diff (555)', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}', 'old.hck.json': '{}' });
    await sync(world);
    await world.repo.commit({ 'a.hck.json': '{"v":2}', 'b.hck.json': '{"v":1}', 'old.hck.json': null });
    world.repo.addFault({ method: 'listChangedFiles', kind: 'diff-too-large', times: 1 });
    const { report } = await sync(world);
    expect(report).toMatchObject({
      outcome: 'synced',
      mode: 'full',
      fallbackReason: expect.stringContaining('555'),
      counts: { added: 1, updated: 1, removed: 1 },
    });
    await expectReplicated(world);
  });

  it('converges after a force-push, falling back to a full sync when the cursor commit is gone', async () => {
    const world = newWorld();
    const base = await world.repo.commit({ 'a.hck.json': '{"v":1}' });
    const abandoned = await world.repo.commit({ 'b.hck.json': '{"v":1}' });
    await sync(world);
    await world.repo.createBranch('rewrite', base);
    const rewritten = await world.repo.commit({ 'c.hck.json': '{"v":1}' }, { branch: 'rewrite' });
    await world.repo.forcePush('main', rewritten);
    world.repo.forgetCommit(abandoned);
    const { report } = await sync(world);
    expect(report).toMatchObject({
      outcome: 'synced',
      mode: 'full',
      fallbackReason: expect.stringContaining('no longer exists'),
      counts: { removed: 1 },
    });
    await expectReplicated(world);
  });

  it('syncs the new branch in full when the default branch changes, and ignores other branches', async () => {
    const world = newWorld();
    const main = await world.repo.commit({ 'a.hck.json': '{"branch":"main"}' });
    await sync(world);
    await world.repo.createBranch('develop', main);
    await world.repo.commit({ 'b.hck.json': '{"branch":"develop"}' }, { branch: 'develop' });
    expect((await sync(world)).report.outcome).toBe('up-to-date');
    world.repo.setMainBranch('develop');
    const { report } = await sync(world);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', branch: 'develop' });
    await expectReplicated(world);
  });

  it('records no-branch for an empty repository', async () => {
    const world = newWorld();
    const { report } = await sync(world);
    expect(report).toMatchObject({ outcome: 'no-branch', fromCommit: null, opsApplied: 0 });
    expect((await world.state.getSyncState(world.repo.uuid)).lastRun).toMatchObject({ outcome: 'no-branch' });
  });

  it('stops before the deadline, keeps the cursor, and resumes from the checkpointed watermark', async () => {
    const world = newWorld();
    await world.repo.commit(
      Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`m/${String(index).padStart(2, '0')}.hck.json`, `{"n":${index}}`])),
    );
    let budget = 11; // one check before planning, then one before each op
    const stopped = await sync(world, {
      concurrency: 1,
      checkpointEvery: 3,
      safetyMarginMs: 1,
      remainingTimeMs: () => (budget-- > 0 ? 1000 : 0),
    });
    expect(stopped.report).toMatchObject({ outcome: 'partial', opsApplied: 10, opsRemaining: 20 });
    const parked = await world.state.getSyncState(world.repo.uuid);
    expect(parked.cursor).toBeUndefined();
    expect(parked.progress).toMatchObject({ total: 30, done: 10, watermark: '2:m/09.hck.json', invocations: 1 });
    expect(parked.lastRun).toMatchObject({ outcome: 'partial' });

    const resumed = await sync(world);
    expect(resumed.report).toMatchObject({ outcome: 'synced', continued: true, opsApplied: 20, counts: { added: 30 } });
    // The 10 models below the watermark are not downloaded again.
    expect(downloads(resumed.calls).filter((path) => path!.startsWith('m/'))).toHaveLength(20);
    await expectReplicated(world);
  });

  it('keeps the target without planning when no time is left, and plans in the next invocation', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}' });
    const { report, calls } = await sync(world, { safetyMarginMs: 60_000, remainingTimeMs: () => 1_000 });
    expect(report).toMatchObject({ outcome: 'partial', opsApplied: 0 });
    expect(calls.map((call) => call.method)).toEqual(['getMainBranch', 'getBranchHead']);
    expect((await world.state.getSyncState(world.repo.uuid)).progress).toMatchObject({ toCommit: await world.repo.head(), invocations: 1 });
    expect((await sync(world)).report).toMatchObject({ outcome: 'synced', continued: true, counts: { added: 1 } });
    await expectReplicated(world);
  });

  it('drops saved progress when the model pattern changed, and re-selects with the new pattern', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}', 'b.json': '{}', 'c.hck.json': '{}' });
    let budget = 2;
    expect(
      (await sync(world, { concurrency: 1, safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1000 : 0) })).report.outcome,
    ).toBe('partial');
    const { report } = await sync(world, { modelPattern: '*.json' });
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', continued: false });
    expect(await storedPaths(world)).toEqual(['a.hck.json', 'b.json', 'c.hck.json']);
  });

  it('parks on a rate limit without failing, answers deferred without calling Bitbucket, and an admin sync goes ahead', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}', 'b.hck.json': '{}' });
    world.repo.addFault({ method: 'getFile', path: /^b\.hck\.json$/, kind: 'rate-limit', retryAfterMs: 3_600_000, times: 1 });
    const now = new Date('2026-06-01T12:00:00.000Z');
    const parked = await sync(world, { concurrency: 1, now: () => now });
    expect(parked.report).toMatchObject({ outcome: 'deferred', retryAfterMs: 3_600_000, opsApplied: 1, opsRemaining: 1 });
    expect(await world.state.getSyncState(world.repo.uuid)).toMatchObject({
      notBefore: '2026-06-01T13:00:00.000Z',
      progress: { done: 1 },
      lastRun: { outcome: 'deferred' },
    });

    const waiting = await sync(world, { now: () => new Date('2026-06-01T12:30:00.000Z') });
    expect(waiting.report).toMatchObject({ outcome: 'deferred', retryAfterMs: 30 * 60_000 });
    expect(waiting.calls).toEqual([]);

    const admin = await sync(world, { ignoreNotBefore: true, now: () => new Date('2026-06-01T12:31:00.000Z') });
    expect(admin.report).toMatchObject({ outcome: 'synced', continued: true });
    expect((await world.state.getSyncState(world.repo.uuid)).notBefore).toBeUndefined();
    await expectReplicated(world);
  });

  it('parks when the rate limit hits before planning, keeping the cursor', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}' });
    await sync(world);
    const cursor = (await world.state.getSyncState(world.repo.uuid)).cursor;
    world.repo.addFault({ method: 'getBranchHead', kind: 'rate-limit', retryAfterMs: 5_000, times: 1 });
    const { report } = await sync(world, { now: () => new Date('2026-06-01T12:00:00.000Z') });
    expect(report).toMatchObject({ outcome: 'deferred', retryAfterMs: 5_000, fromCommit: cursor });
    expect(await world.state.getSyncState(world.repo.uuid)).toMatchObject({ cursor, notBefore: '2026-06-01T12:00:05.000Z' });
  });

  it('records invalid JSON byte for byte, an oversized file as too large, and skips an undownloadable one', async () => {
    const world = newWorld();
    await world.repo.commit({
      'ok.hck.json': '{"ok":1}',
      'broken.hck.json': '{"modelName":',
      'huge.hck.json': Buffer.alloc(2048, 'x'),
      'lost-lfs-object.hck.json': '{"lost":1}',
    });
    world.repo.addFault({ method: 'getFile', path: /^lost-lfs-object/, kind: 'missing' });
    const { report } = await sync(world, { maxFileBytes: 1024 });
    expect(report).toMatchObject({ outcome: 'synced', counts: { added: 3, invalid: 1, tooLarge: 1, missing: 1 } });
    expect((await world.models.getModel(world.repo.uuid, 'broken.hck.json'))!).toMatchObject({
      record: { status: 'invalid' },
      body: Buffer.from('{"modelName":'),
    });
    // The size Bitbucket announced, though the download was refused.
    expect(await world.models.getRecord(world.repo.uuid, 'huge.hck.json')).toMatchObject({ status: 'too-large', size: 2048 });
    expect(await storedPaths(world)).toEqual(['broken.hck.json', 'huge.hck.json', 'ok.hck.json']);
  });

  it('rethrows a failure after checkpointing the ops already applied, and the retry resumes', async () => {
    const world = newWorld();
    await world.repo.commit(Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`m${index}.hck.json`, `{"n":${index}}`])));
    let applied = 0;
    await expect(
      sync(world, {
        concurrency: 1,
        checkpointEvery: 100,
        onOpApplied: () => {
          if (++applied === 5) throw new Error('worker stopped');
        },
      }),
    ).rejects.toThrow('worker stopped');
    expect((await world.state.getSyncState(world.repo.uuid)).progress).toMatchObject({ done: 5, watermark: '2:m4.hck.json' });
    const { report, calls } = await sync(world);
    expect(report).toMatchObject({ outcome: 'synced', opsApplied: 3 });
    expect(downloads(calls).filter((path) => path!.startsWith('m'))).toEqual(['m5.hck.json', 'm6.hck.json', 'm7.hck.json']);
    await expectReplicated(world);
  });

  it('converges when stopped after any number of applied ops', async () => {
    const world = newWorld();
    await world.repo.commit(Object.fromEntries(Array.from({ length: 8 }, (_, index) => [`m${index}.hck.json`, `{"n":${index}}`])));
    for (const stopAfter of [1, 4, 7]) {
      await world.models.deleteRepository(world.repo.uuid);
      await world.state.removeRepository(world.repo.uuid);
      let applied = 0;
      await expect(
        sync(world, {
          concurrency: 2,
          checkpointEvery: 2,
          onOpApplied: () => {
            if (++applied === stopAfter) throw new Error('worker stopped');
          },
        }),
      ).rejects.toThrow('worker stopped');
      expect((await sync(world)).report.outcome).toBe('synced');
      await expectReplicated(world);
    }
  });

  it('fails with SyncStateConflictError, without moving the cursor, when another writer changed the state meanwhile', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}' });
    let interfered = false;
    const state = {
      getSyncState: (uuid: string) => world.state.getSyncState(uuid),
      putSyncState: async (next: Omit<SyncState, 'revision'>, expected: number) => {
        if (!interfered) {
          interfered = true; // another worker writes first
          await world.state.putSyncState({ uuid: next.uuid, lastRun: { at: 'x', outcome: 'other' } }, expected);
        }
        return world.state.putSyncState(next, expected);
      },
    };
    await expect(
      syncRepository(
        { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
        { remainingTimeMs: () => 600_000 },
        { source: world.repo.source(), models: world.models, state },
      ),
    ).rejects.toBeInstanceOf(SyncStateConflictError);
    expect((await world.state.getSyncState(world.repo.uuid)).cursor).toBeUndefined();
  });

  it('re-reads the whole branch on an admin full sync, and diffs from a given commit', async () => {
    const world = newWorld();
    const first = await world.repo.commit({ 'a.hck.json': '{"v":1}' });
    await world.repo.commit({ 'b.hck.json': '{"v":1}' });
    await sync(world);
    const full = await sync(world, { mode: 'full' });
    expect(full.report).toMatchObject({ outcome: 'synced', mode: 'full', counts: { updated: 2 } });
    const fromFirst = await sync(world, { fromCommit: first });
    expect(fromFirst.report).toMatchObject({ outcome: 'synced', mode: 'incremental', fromCommit: first, counts: { updated: 1 } });
    await expectReplicated(world);
  });
});
