/**
 * The sync engine reading a git snapshot (the in-memory source's snapshot capability): which runs use it, that a
 * full sync writes only what differs from the stored blob ids, the fallback to REST, and checkpointing.
 */
import { DEFAULT_MODEL_PATTERN, createModelSelector } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import type { StoredModelSummary } from '../../../../../shared/domain/sync/ports';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../../support/in-memory/in-memory-source-repository';

interface World {
  repo: InMemoryRepository;
  models: InMemoryModelStore;
  state: InMemoryRepositoryStore;
}

const newWorld = (): World => ({ repo: new InMemoryRepository(), models: new InMemoryModelStore(), state: new InMemoryRepositoryStore() });

async function sync(world: World, options: Partial<SyncOptions> & { git?: boolean; maxFileBytes?: number } = {}) {
  const { git = true, maxFileBytes, ...syncOptions } = options;
  const before = world.repo.calls.length;
  const report = await syncRepository(
    { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
    { remainingTimeMs: () => 600_000, concurrency: 4, gitMinChangedModels: 3, ...syncOptions },
    { source: world.repo.source({ git, maxFileBytes }), models: world.models, state: world.state },
  );
  return { report, methods: world.repo.calls.slice(before).map((call) => call.method) };
}

async function expectReplicated(world: World): Promise<void> {
  const head = await world.repo.head();
  const files = await world.repo.readFiles(head);
  const isModel = createModelSelector({ pattern: DEFAULT_MODEL_PATTERN, hubignore: files.get('.hubignore')?.toString('utf8') ?? '' });
  const expected = Object.fromEntries([...files].filter(([path]) => isModel(path)).map(([path, bytes]) => [path, bytes.toString('utf8')]));
  const stored: Record<string, string> = {};
  for (const record of await world.models.listModels(world.repo.uuid))
    if (record.status !== 'too-large')
      stored[record.path] = (await world.models.getModel(world.repo.uuid, record.path))!.body.toString('utf8');
  expect(stored).toEqual(expected);
  const state = await world.state.getSyncState(world.repo.uuid);
  expect(state.cursor).toBe(head);
  expect(state.progress).toBeUndefined();
}

const versions = async (world: World) =>
  Object.fromEntries((await world.models.listModels(world.repo.uuid)).map((record) => [record.path, record.version]));
const models = (count: number, prefix = 'm', content = (index: number) => `{"n":${index}}`) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`${prefix}/${String(index).padStart(2, '0')}.hck.json`, content(index)]));

describe('syncRepository over a git snapshot (in memory)', () => {
  it('reads an initial full sync from one snapshot: no listing, no download', async () => {
    const world = newWorld();
    await world.repo.commit({ ...models(5), 'readme.md': 'no model', '.hubignore': 'm/04.hck.json\n' });
    const { report, methods } = await sync(world);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', transport: 'git', counts: { added: 4 } });
    expect(methods).toEqual(['getMainBranch', 'getBranchHead', 'snapshot']);
    await expectReplicated(world);
  });

  it('a full resync of an unchanged repository writes nothing; of a changed one, only what differs', async () => {
    const world = newWorld();
    await world.repo.commit(models(6));
    await sync(world);
    const before = await versions(world);

    const unchanged = await sync(world, { mode: 'full' });
    expect(unchanged.report).toMatchObject({ outcome: 'synced', transport: 'git', opsApplied: 0 });
    expect(await versions(world)).toEqual(before);

    await world.repo.commit({ 'm/00.hck.json': '{"n":"changed"}', 'm/01.hck.json': null, 'm/new.hck.json': '{}' });
    const blobReads = world.repo.blobReads;
    const changed = await sync(world, { mode: 'full' });
    expect(changed.report).toMatchObject({ transport: 'git', opsApplied: 3, counts: { added: 1, updated: 1, removed: 1 } });
    expect(world.repo.blobReads - blobReads).toBe(2);
    const after = await versions(world);
    expect(Object.keys(after).filter((path) => after[path] === before[path])).toEqual([
      'm/02.hck.json',
      'm/03.hck.json',
      'm/04.hck.json',
      'm/05.hck.json',
    ]);
    await expectReplicated(world);
  });

  it('moves a renamed model exactly when the blob ids match; a renamed and edited one is fetched', async () => {
    const world = newWorld();
    await world.repo.commit(models(4));
    await sync(world);
    const before = await versions(world);
    await world.repo.commit(
      { 'm/01.hck.json': null, 'b/01.hck.json': '{"n":"edited"}' },
      { renames: [['m/00.hck.json', 'a/00.hck.json']] },
    );
    const { report } = await sync(world, { mode: 'full' });
    expect(report).toMatchObject({ transport: 'git', counts: { renamed: 1, added: 1, removed: 1 } });
    expect((await versions(world))['a/00.hck.json']).toBe(before['m/00.hck.json']);
    await expectReplicated(world);
  });

  it('keeps small pushes on REST and reads a push over the threshold from a snapshot', async () => {
    const world = newWorld();
    await world.repo.commit(models(10));
    await sync(world);

    await world.repo.commit({ 'm/00.hck.json': '{"small":1}' });
    const small = await sync(world);
    expect(small.report).toMatchObject({ mode: 'incremental', transport: 'rest', counts: { updated: 1 } });
    expect(small.methods).not.toContain('snapshot');

    await world.repo.commit(models(10, 'm', (index) => `{"large":${index}}`));
    const large = await sync(world);
    expect(large.report).toMatchObject({ mode: 'incremental', transport: 'git', counts: { updated: 10 } });
    expect(large.methods).toEqual(['getMainBranch', 'getBranchHead', 'listChangedFiles', 'snapshot']);
    await expectReplicated(world);

    await world.repo.commit(models(10, 'm', (index) => `{"again":${index}}`));
    expect((await sync(world, { gitMinChangedModels: 10 })).report.transport).toBe('rest');
  });

  it('falls back to REST with the reason when git fails, once per run, and never fails the repository for it', async () => {
    const world = newWorld();
    await world.repo.commit(models(5));
    world.repo.addFault({ method: 'snapshot', kind: 'git-unavailable' });
    const { report, methods } = await sync(world);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', transport: 'rest', counts: { added: 5 } });
    expect(report.transportFallback).toMatch(/^git unavailable, read over REST: unavailable: .*503/);
    expect(methods.filter((method) => method === 'snapshot')).toHaveLength(1);
    await expectReplicated(world);

    await world.repo.commit(models(5, 'm', (index) => `{"v":${index}}`));
    const incremental = await sync(world);
    expect(incremental.report).toMatchObject({ outcome: 'synced', mode: 'incremental', transport: 'rest', counts: { updated: 5 } });
    expect(incremental.report.transportFallback).toMatch(/git unavailable/);
    await expectReplicated(world);
  });

  it('re-reads models whose stored record has no blob id (written before ids were kept)', async () => {
    const world = newWorld();
    await world.repo.commit(models(3));
    await sync(world);
    const listModels = world.models.listModels.bind(world.models);
    world.models.listModels = async (uuid: string) =>
      (await listModels(uuid)).map(({ blobId: _blobId, ...legacy }): StoredModelSummary & typeof legacy => legacy);
    const { report } = await sync(world, { mode: 'full' });
    expect(report).toMatchObject({ transport: 'git', opsApplied: 3, counts: { updated: 3 } });
  });

  it('re-selects over git when .hubignore changes, and falls back from a 555 to a snapshot', async () => {
    const world = newWorld();
    await world.repo.commit(models(4));
    await sync(world);
    await world.repo.commit({ '.hubignore': 'm/00.hck.json\n' });
    expect((await sync(world)).report).toMatchObject({ mode: 'reselect', transport: 'git', counts: { removed: 1 } });
    await expectReplicated(world);

    await world.repo.commit({ '.hubignore': null, 'm/09.hck.json': '{}' });
    world.repo.addFault({ method: 'listChangedFiles', kind: 'diff-too-large', times: 1 });
    const { report } = await sync(world);
    expect(report).toMatchObject({ mode: 'full', transport: 'git', counts: { added: 2 } });
    expect(report.fallbackReason).toMatch(/555/);
    await expectReplicated(world);
  });

  it('records a too-large model with its blob id, so the next full sync skips it', async () => {
    const world = newWorld();
    await world.repo.commit({ 'big.hck.json': 'x'.repeat(100), 'a.hck.json': '{}' });
    expect((await sync(world, { maxFileBytes: 50 })).report.counts).toMatchObject({ added: 2, tooLarge: 1 });
    expect((await sync(world, { maxFileBytes: 50, mode: 'full' })).report).toMatchObject({ transport: 'git', opsApplied: 0 });
  });

  it('checkpoints a snapshot plan and resumes it, re-planning against a head that moved meanwhile', async () => {
    const world = newWorld();
    await world.repo.commit(models(30));
    let budget = 11; // one check before planning, then one before each op
    const stopped = await sync(world, {
      concurrency: 1,
      checkpointEvery: 3,
      safetyMarginMs: 1,
      remainingTimeMs: () => (budget-- > 0 ? 1000 : 0),
    });
    expect(stopped.report).toMatchObject({ outcome: 'partial', transport: 'git', opsApplied: 10, opsRemaining: 20 });
    expect((await world.state.getSyncState(world.repo.uuid)).progress).toMatchObject({ transport: 'git', total: 30, done: 10 });

    const blobReads = world.repo.blobReads;
    const resumed = await sync(world);
    expect(resumed.report).toMatchObject({ outcome: 'synced', continued: true, transport: 'git', opsApplied: 20, counts: { added: 30 } });
    expect(world.repo.blobReads - blobReads).toBe(20);
    await expectReplicated(world);

    await world.repo.commit(models(30, 'm', (index) => `{"v":${index}}`));
    budget = 6;
    await sync(world, { concurrency: 1, checkpointEvery: 2, safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1000 : 0) });
    const moved = await world.repo.commit({ 'm/29.hck.json': '{"moved":true}', 'm/new.hck.json': '{}' });
    const finished = await sync(world);
    expect(finished.report).toMatchObject({ outcome: 'synced', toCommit: moved, transport: 'git' });
    await expectReplicated(world);
  });
});

describe('syncRepository when git cannot read the head (in memory)', () => {
  /** Stops the run after `ops` applied ops: one remaining-time check before planning, then one before each op. */
  const stopAfter = (ops: number): Partial<SyncOptions> => {
    let budget = ops + 1;
    return { concurrency: 1, checkpointEvery: 2, safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1000 : 0) };
  };

  it('reads a pack over the budget over REST with the reason, and its continuations do not fetch it again', async () => {
    const world = newWorld();
    await world.repo.commit(models(30));
    world.repo.addFault({ method: 'snapshot', kind: 'git-too-large' });
    const stopped = await sync(world, stopAfter(10));
    expect(stopped.report).toMatchObject({ outcome: 'partial', transport: 'rest', opsApplied: 10 });
    expect(stopped.report.transportFallback).toMatch(/^git skipped for this target, read over REST: too-large: /);
    expect((await world.state.getSyncState(world.repo.uuid)).progress).toMatchObject({
      transport: 'rest',
      gitSkipped: expect.stringMatching(/too-large/),
    });

    const resumed = await sync(world);
    expect(resumed.methods).not.toContain('snapshot');
    expect(resumed.report).toMatchObject({ outcome: 'synced', transport: 'rest', continued: true, opsApplied: 20 });
    expect(resumed.report.transportFallback).toMatch(/too-large/);
    await expectReplicated(world);
  });

  it('after a transient git failure, the next continuation of a full sync reads over git again', async () => {
    const world = newWorld();
    await world.repo.commit(models(30));
    world.repo.addFault({ method: 'snapshot', kind: 'git-unavailable', times: 1 });
    const stopped = await sync(world, stopAfter(10));
    expect(stopped.report).toMatchObject({ outcome: 'partial', transport: 'rest', opsApplied: 10 });
    expect((await world.state.getSyncState(world.repo.uuid)).progress?.gitSkipped).toBeUndefined();

    const resumed = await sync(world);
    expect(resumed.methods.filter((method) => method === 'getFile')).toEqual([]);
    // What REST wrote matches the snapshot's blob ids: only the 20 models left are read.
    expect(resumed.report).toMatchObject({ outcome: 'synced', transport: 'git', continued: true, opsApplied: 20 });
    await expectReplicated(world);
  });

  it('a git fetch that runs into the deadline keeps the target for a continuation, which reads over REST', async () => {
    const world = newWorld();
    await world.repo.commit(models(5));
    // The fetch took the invocation's time: REST has none left either.
    world.repo.addFault({ method: 'snapshot', kind: 'git-deadline' });
    world.repo.addFault({ method: 'listFiles', kind: 'deadline', times: 1 });
    world.repo.addFault({ method: 'getFile', kind: 'deadline', times: 1 });
    const stopped = await sync(world, stopAfter(0));
    expect(stopped.report).toMatchObject({ outcome: 'partial', opsApplied: 0, readHead: true });
    expect(stopped.report.transportFallback).toMatch(/^git fetch ran into the deadline, the continuation reads over REST: deadline: /);
    expect(stopped.methods).toEqual(['getMainBranch', 'getBranchHead', 'snapshot']);
    const { progress } = await world.state.getSyncState(world.repo.uuid);
    expect(progress).toMatchObject({ toCommit: await world.repo.head(), gitSkipped: expect.stringMatching(/deadline/) });

    world.repo.clearFaults();
    const resumed = await sync(world);
    expect(resumed.methods).not.toContain('snapshot');
    expect(resumed.report).toMatchObject({ outcome: 'synced', transport: 'rest', continued: true, counts: { added: 5 } });
    await expectReplicated(world);
  });

  it('a request that times out with time left fails the run as before (retried with backoff, no continuation at once)', async () => {
    const world = newWorld();
    await world.repo.commit(models(5));
    world.repo.addFault({ method: 'listFiles', kind: 'deadline', times: 1 });
    world.repo.addFault({ method: 'getFile', kind: 'deadline', times: 1 });
    await expect(sync(world, { git: false })).rejects.toThrow(/No time left/);
  });

  it('a REST listing that runs into the deadline keeps the target for a continuation instead of failing', async () => {
    const world = newWorld();
    await world.repo.commit(models(5));
    world.repo.addFault({ method: 'listFiles', kind: 'deadline', times: 1 });
    world.repo.addFault({ method: 'getFile', kind: 'deadline', times: 1 });
    const stopped = await sync(world, { git: false, ...stopAfter(0) });
    expect(stopped.report).toMatchObject({ outcome: 'partial', opsApplied: 0 });
    expect((await world.state.getSyncState(world.repo.uuid)).progress?.gitSkipped).toBeUndefined();
    const resumed = await sync(world, { git: false });
    expect(resumed.report).toMatchObject({ outcome: 'synced', continued: true, counts: { added: 5 } });
    await expectReplicated(world);
  });
});
