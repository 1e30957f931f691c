/**
 * Verification runs on the in-memory fakes: a replica that matches its head, drift injected by editing the store
 * behind the engine's back, legitimate pushes before and during the check, records without blob ids, git
 * unavailable, and a repair cut short by the deadline.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import type { SourceRepository, StoredModelSummary } from '../../../../../shared/domain/sync/ports';
import { classifyOps, describeVerification } from '../../../../../shared/domain/sync/replica-drift';
import type { VerifyOptions } from '../../../../../shared/domain/sync/sync-types';
import { verifyRepository } from '../../../../../shared/domain/sync/verify-repository';
import { syncRepository } from '../../../../../shared/domain/sync/sync-repository';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

const target = (world: World) => ({ uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN });

async function verify(world: World, options: Partial<VerifyOptions> & { git?: boolean; source?: SourceRepository } = {}) {
  const { git = true, source = world.repo.source({ git }), ...rest } = options;
  const before = world.repo.calls.length;
  const report = await verifyRepository(
    target(world),
    { remainingTimeMs: () => 600_000, concurrency: 1, ...rest },
    { source, models: world.models, state: world.state },
  );
  return { report, verification: report.verification!, methods: world.repo.calls.slice(before).map((call) => call.method) };
}

const sync = (world: World) =>
  syncRepository(
    target(world),
    { remainingTimeMs: () => 600_000 },
    { source: world.repo.source({ git: true }), models: world.models, state: world.state },
  );

const models = (count: number, content = (index: number) => `{"modelName":"m${index}"}`) =>
  Object.fromEntries(Array.from({ length: count }, (_, index) => [`m/${String(index).padStart(2, '0')}.hck.json`, content(index)]));

const versions = async (world: World) =>
  Object.fromEntries((await world.models.listModels(world.repo.uuid)).map((record) => [record.path, record.version]));

/** A synced world of five models. */
async function syncedWorld(): Promise<World> {
  const world = newWorld();
  await world.repo.commit({ ...models(5), 'readme.md': 'not a model' });
  expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { added: 5 } });
  return world;
}

describe('verifyRepository (in memory)', () => {
  it('finds no drift in a replica that matches its head, and writes nothing', async () => {
    const world = await syncedWorld();
    const before = await versions(world);

    const { report, verification, methods } = await verify(world);

    expect(report.outcome).toBe('up-to-date');
    expect(verification).toMatchObject({ status: 'no-drift', via: 'git', models: 5, repaired: 0, backfilled: 0 });
    expect(verification.drift).toMatchObject({ count: 0, paths: [] });
    expect(describeVerification(verification)).toBe('verified: no drift (5 models)');
    expect(methods).toEqual(['getMainBranch', 'getBranchHead', 'snapshot']);
    expect(await versions(world)).toEqual(before);
  });

  it('repairs and counts drift injected into the store: an edited, a deleted and an added record', async () => {
    const world = await syncedWorld();
    const head = await world.repo.head();
    const uuid = world.repo.uuid;
    await world.models.putModel({ repositoryUuid: uuid, path: 'm/01.hck.json', commit: head, bytes: Buffer.from('{"edited":true}') });
    await world.models.deleteModel(uuid, 'm/02.hck.json');
    await world.models.putModel({ repositoryUuid: uuid, path: 'stray.hck.json', commit: head, bytes: Buffer.from('{}') });
    const untouched = (await versions(world))['m/00.hck.json'];

    const { report, verification } = await verify(world);

    expect(report.outcome).toBe('up-to-date');
    expect(verification).toMatchObject({ status: 'drift', models: 5, repaired: 3, backfilled: 0, commit: head });
    expect(verification.drift).toEqual({
      count: 3,
      changed: 1,
      missing: 1,
      extra: 1,
      misplaced: 0,
      corrupt: 0,
      paths: ['m/01.hck.json', 'm/02.hck.json', 'stray.hck.json'],
    });
    expect(describeVerification(verification)).toMatch(
      /^drift: 3 model\(s\) differed from [0-9a-f]{12} \(1 changed, 1 missing, 1 extra\): m\/01.hck.json, m\/02.hck.json, stray.hck.json; repaired 3$/,
    );
    expect((await versions(world))['m/00.hck.json']).toBe(untouched);
    await expectReplicated(world);
    // Repaired: the next verification finds nothing.
    expect((await verify(world)).verification).toMatchObject({ status: 'no-drift', repaired: 0 });
  });

  it('moves a record stored under another path back, as drift', async () => {
    const world = await syncedWorld();
    await world.models.moveModel(world.repo.uuid, 'm/03.hck.json', 'elsewhere/03.hck.json', await world.repo.head());

    const { verification } = await verify(world);

    expect(verification.drift).toMatchObject({ count: 1, misplaced: 1, paths: ['elsewhere/03.hck.json'] });
    await expectReplicated(world);
  });

  it('brings a cursor behind the head up first: the new push is synced, not counted as drift', async () => {
    const world = await syncedWorld();
    await world.repo.commit({ 'm/00.hck.json': '{"modelName":"pushed"}', 'm/04.hck.json': null, 'new.hck.json': '{}' });

    const { report, verification } = await verify(world);

    expect(report).toMatchObject({ outcome: 'synced', mode: 'incremental', counts: { added: 1, updated: 1, removed: 1 } });
    expect(verification).toMatchObject({ status: 'no-drift', models: 5, repaired: 0 });
    await expectReplicated(world);
  });

  it('syncs again and compares once more when the branch moves during the verification', async () => {
    const world = await syncedWorld();
    const source = world.repo.source({ git: true });
    const snapshot = source.snapshot!.bind(source);
    let pushes = 1;
    source.snapshot = async (branch) => {
      // A push lands after the sync read the head, before the snapshot is fetched.
      if (pushes-- > 0) await world.repo.commit({ 'm/00.hck.json': '{"modelName":"during"}' });
      return snapshot(branch);
    };

    const { report, verification } = await verify(world, { source });

    expect(report).toMatchObject({ outcome: 'synced', counts: { updated: 1 }, toCommit: await world.repo.head() });
    expect(verification).toMatchObject({ status: 'no-drift', repaired: 0 });
    await expectReplicated(world);
  });

  it('reports "not verified", never drift, when the branch keeps moving', async () => {
    const world = await syncedWorld();
    const source = world.repo.source({ git: true });
    const snapshot = source.snapshot!.bind(source);
    let push = 0;
    source.snapshot = async (branch) => {
      await world.repo.commit({ 'm/00.hck.json': `{"modelName":"push ${++push}"}` });
      return snapshot(branch);
    };

    const { verification } = await verify(world, { source });

    expect(verification).toMatchObject({ status: 'not-verified', repaired: 0 });
    expect(verification.drift).toBeUndefined();
    expect(describeVerification(verification)).toMatch(/^not verified: the branch moved during the verification/);
  });

  it('reports records without a blob id as backfilled, apart from drift', async () => {
    const world = await syncedWorld();
    const readBackModels = world.models.readBackModels.bind(world.models);
    let legacy = true;
    world.models.readBackModels = async (uuid: string) =>
      (await readBackModels(uuid)).map((record) => {
        if (!legacy || record.path === 'm/04.hck.json') return record;
        const { blobId: _blobId, ...withoutId } = record;
        return withoutId as typeof record;
      });

    const { verification } = await verify(world);
    legacy = false;

    expect(verification).toMatchObject({ status: 'no-drift', backfilled: 4, repaired: 4, drift: { count: 0 } });
    expect(describeVerification(verification)).toBe('verified: no drift (5 models; 4 backfilled with blob ids or entity indexes)');
    expect((await verify(world)).verification).toMatchObject({ status: 'no-drift', backfilled: 0, repaired: 0 });
  });

  it('rewrites valid models stored before entity indexes were kept, reported as backfilled, apart from drift', async () => {
    const world = await syncedWorld();
    for (const path of ['m/01.hck.json', 'm/03.hck.json']) world.models.forgetEntityIndex(world.repo.uuid, path);
    const lacking = async () =>
      (await world.models.listModels(world.repo.uuid)).filter((record) => record.indexChunks === undefined).map((record) => record.path);
    expect(await lacking()).toEqual(['m/01.hck.json', 'm/03.hck.json']);

    const { verification } = await verify(world);

    expect(verification).toMatchObject({ status: 'no-drift', backfilled: 2, repaired: 2, drift: { count: 0 } });
    expect(describeVerification(verification)).toBe('verified: no drift (5 models; 2 backfilled with blob ids or entity indexes)');
    expect(await lacking()).toEqual([]);
    expect((await verify(world)).verification).toMatchObject({ status: 'no-drift', backfilled: 0, repaired: 0 });
  });

  it('indexes models stored before entity indexes on the next full sync of an unchanged head', async () => {
    const world = await syncedWorld();
    world.models.forgetEntityIndex(world.repo.uuid, 'm/02.hck.json');
    await world.state.putSyncState(
      { ...(await world.state.getSyncState(world.repo.uuid)), cursor: undefined },
      (await world.state.getSyncState(world.repo.uuid)).revision,
    );

    expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { updated: 1 } });
    expect((await world.models.getRecord(world.repo.uuid, 'm/02.hck.json'))!.indexChunks).toBe(0);
  });

  it('compares over REST when git is unavailable and the repository is small', async () => {
    const world = await syncedWorld();
    await world.models.deleteModel(world.repo.uuid, 'm/02.hck.json');
    world.repo.addFault({ method: 'snapshot', kind: 'git-unavailable' });

    const { verification, methods } = await verify(world);

    expect(verification).toMatchObject({ status: 'drift', via: 'rest', models: 5, repaired: 1, drift: { missing: 1 } });
    expect(describeVerification(verification)).toMatch(/^drift over REST: 1 model/);
    expect(methods.filter((method) => method === 'getFile')).toHaveLength(6); // five models and the repair
    await expectReplicated(world);
  });

  it('records "not verified" with the reason when git is unavailable and REST would cost too much', async () => {
    const world = await syncedWorld();
    await world.models.deleteModel(world.repo.uuid, 'm/02.hck.json');
    world.repo.addFault({ method: 'snapshot', kind: 'git-unavailable' });

    const { verification, methods } = await verify(world, { restVerifyMaxModels: 4 });

    expect(verification).toMatchObject({ status: 'not-verified', repaired: 0, models: 0 });
    expect(verification.reason).toMatch(
      /^git unavailable \(unavailable: git fetch answered HTTP 503\); comparing 5 models over REST .*limit 4/,
    );
    expect(methods).not.toContain('getFile');
    // Nothing was compared, so nothing was repaired either.
    expect(await world.models.getRecord(world.repo.uuid, 'm/02.hck.json')).toBeUndefined();
  });

  it('hands a repair stopped by the deadline to a full sync: the cursor is dropped, and the next sync converges', async () => {
    const world = await syncedWorld();
    const uuid = world.repo.uuid;
    for (const path of ['m/00.hck.json', 'm/01.hck.json', 'm/02.hck.json']) await world.models.deleteModel(uuid, path);
    let budget = 2; // the check before comparing, then one op
    const { verification } = await verify(world, { safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1_000 : 0) });

    expect(verification).toMatchObject({ status: 'drift', repaired: 1, repairIncomplete: true, drift: { count: 3 } });
    expect((await world.state.getSyncState(uuid)).cursor).toBeUndefined();
    expect(await sync(world)).toMatchObject({ outcome: 'synced', mode: 'full', counts: { added: 2 } });
    await expectReplicated(world);
  });

  it('says "not verified" for an empty repository and a sync parked by a rate limit', async () => {
    const empty = newWorld();
    expect((await verify(empty)).verification).toMatchObject({
      status: 'not-verified',
      reason: expect.stringMatching(/no default branch/),
    });

    const parked = await syncedWorld();
    await parked.repo.commit({ 'm/00.hck.json': '{"v":2}' });
    parked.repo.addFault({ method: 'listChangedFiles', kind: 'rate-limit' });
    const { report, verification } = await verify(parked);
    expect(report.outcome).toBe('deferred');
    expect(verification).toMatchObject({ status: 'not-verified', reason: expect.stringMatching(/rate limit/) });
  });
});

describe('classifyOps', () => {
  it('does not call a differing tree id drift when the bytes are the stored ones (a Git LFS pointer)', async () => {
    const stored: StoredModelSummary[] = [{ path: 'lfs.hck.json', status: 'valid', blobId: 'content-id', indexChunks: 1 }];
    const op = { kind: 'put' as const, path: 'lfs.hck.json', change: 'updated' as const, blobId: 'pointer-id', key: '2:lfs.hck.json' };

    const same = await classifyOps([op], stored, async () => 'same');
    const unreadable = await classifyOps([op], stored, async () => 'unreadable');

    expect(same).toMatchObject({ repairs: [], drift: { count: 0 }, uncompared: 0 });
    expect(unreadable).toMatchObject({ repairs: [], drift: { count: 0 }, uncompared: 1 });
  });
});
