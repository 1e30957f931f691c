/**
 * A verification proves what a reader gets: bodies edited behind the engine's back with their records intact,
 * Git LFS models (the tree names the pointer, the store the content), and a comparison that could read nothing,
 * on the in-memory fakes.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { describeVerification } from '../../../../../shared/domain/sync/replica-drift';
import { syncRepository } from '../../../../../shared/domain/sync/sync-repository';
import type { VerifyOptions } from '../../../../../shared/domain/sync/sync-types';
import { verifyRepository } from '../../../../../shared/domain/sync/verify-repository';
import { ModelBodyInconsistentError } from '../../../../../shared/domain/sync/errors';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

const target = (world: World) => ({ uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN });
const options = (rest: Partial<VerifyOptions> = {}): VerifyOptions => ({ remainingTimeMs: () => 600_000, concurrency: 1, ...rest });
const deps = (world: World, git = true) => ({ source: world.repo.source({ git }), models: world.models, state: world.state });

async function verify(world: World, { git = true, ...rest }: Partial<VerifyOptions> & { git?: boolean } = {}) {
  const before = world.repo.calls.length;
  const report = await verifyRepository(target(world), options(rest), deps(world, git));
  return { report, verification: report.verification!, methods: world.repo.calls.slice(before).map((call) => call.method) };
}

const sync = (world: World, rest: Partial<VerifyOptions> = {}) => syncRepository(target(world), options(rest), deps(world));

const versions = async (world: World) =>
  Object.fromEntries((await world.models.listModels(world.repo.uuid)).map((record) => [record.path, record.version]));

/** A synced world of three models, `lfs/*` held in Git LFS. */
async function syncedWorld(): Promise<World> {
  const world = newWorld();
  world.repo.markLfs('lfs/big.hck.json');
  world.repo.markLfs('lfs/other.hck.json');
  await world.repo.commit({
    'a.hck.json': '{"modelName":"A"}',
    'lfs/big.hck.json': '{"modelName":"big"}',
    'lfs/other.hck.json': '{"modelName":"other"}',
  });
  expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { added: 3 } });
  return world;
}

describe('verifyRepository: what a reader gets', () => {
  it('finds a body edited behind the engine (record intact) that readers cannot get, and rewrites it', async () => {
    const world = await syncedWorld();
    world.models.tamperBody(world.repo.uuid, 'a.hck.json', Buffer.from('{"modelName":"edited"}'));
    await expect(world.models.getModel(world.repo.uuid, 'a.hck.json')).rejects.toBeInstanceOf(ModelBodyInconsistentError);

    const { verification } = await verify(world);

    expect(verification).toMatchObject({ status: 'drift', models: 3, repaired: 1, drift: { count: 1, corrupt: 1, paths: ['a.hck.json'] } });
    expect(describeVerification(verification)).toMatch(
      /^drift: 1 model\(s\) differed from [0-9a-f]{12} \(1 corrupt\): a\.hck\.json; repaired 1$/,
    );
    await expectReplicated(world);
    expect((await verify(world)).verification).toMatchObject({ status: 'no-drift', repaired: 0 });
  });

  it('hands an unreadable body its repair did not reach to the full sync, which rewrites it', async () => {
    const world = await syncedWorld();
    const uuid = world.repo.uuid;
    await world.models.deleteModel(uuid, 'a.hck.json');
    world.models.tamperBody(uuid, 'lfs/other.hck.json', Buffer.from('{}'));
    let budget = 2; // the check before comparing, then one op: the missing model, not the unreadable one
    const { verification } = await verify(world, { safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1_000 : 0) });

    expect(verification).toMatchObject({ status: 'drift', repaired: 1, repairIncomplete: true, drift: { missing: 1, corrupt: 1 } });
    expect((await world.state.getSyncState(uuid)).cursor).toBeUndefined();
    expect(await sync(world)).toMatchObject({ outcome: 'synced', mode: 'full', counts: { added: 1 } });
    await expectReplicated(world);
  });

  it('says "not verified" (not "no drift") when no model of the tree could be read', async () => {
    const world = await syncedWorld();
    world.repo.addFault({ method: 'snapshot', kind: 'git-unavailable' });
    world.repo.addFault({ method: 'getFile', kind: 'missing' });

    const { verification } = await verify(world);

    expect(verification).toMatchObject({ status: 'not-verified', models: 0, uncompared: 3, repaired: 0 });
    expect(describeVerification(verification)).toBe('not verified: none of the 3 models of the tree could be read, so none was compared');
  });
});

describe('verifyRepository and syncRepository: Git LFS over git', () => {
  it('a full resync of unchanged Git LFS models downloads and writes nothing', async () => {
    const world = await syncedWorld();
    const before = await versions(world);
    const calls = world.repo.calls.length;

    expect(await sync(world, { mode: 'full' })).toMatchObject({ outcome: 'synced', transport: 'git', opsApplied: 0 });

    expect(world.repo.calls.slice(calls).map((call) => call.method)).not.toContain('getFile');
    expect(await versions(world)).toEqual(before);
  });

  it('moves a renamed Git LFS model without downloading it, and rewrites one whose content changed', async () => {
    const world = await syncedWorld();
    world.repo.markLfs('lfs/renamed.hck.json');
    await world.repo.commit(
      { 'lfs/big.hck.json': '{"modelName":"bigger"}' },
      { renames: [['lfs/other.hck.json', 'lfs/renamed.hck.json']] },
    );
    const calls = world.repo.calls.length;

    const report = await sync(world, { mode: 'full' });

    expect(report).toMatchObject({ outcome: 'synced', transport: 'git', counts: { renamed: 1, updated: 1 } });
    expect(world.repo.calls.slice(calls).filter((call) => call.method === 'getFile')).toEqual([
      { method: 'getFile', args: [await world.repo.head(), 'lfs/big.hck.json'] },
    ]);
    await expectReplicated(world);
  });

  it('verifies Git LFS models by the sha256 their pointers name, with no download', async () => {
    const world = await syncedWorld();

    const { verification, methods } = await verify(world);

    expect(verification).toMatchObject({ status: 'no-drift', via: 'git', models: 3, repaired: 0 });
    expect(methods).not.toContain('getFile');
  });

  it('ends a repair of Git LFS drift parked by a rate limit as incomplete: the run does not fail, the next sync is full', async () => {
    const world = await syncedWorld();
    const head = await world.repo.head();
    await world.models.putModel({ repositoryUuid: world.repo.uuid, path: 'lfs/big.hck.json', commit: head, bytes: Buffer.from('{}') });
    world.repo.addFault({ method: 'getFile', kind: 'rate-limit', path: /^lfs\// });

    const { verification } = await verify(world);

    expect(verification).toMatchObject({ status: 'drift', repaired: 0, repairIncomplete: true, drift: { changed: 1 } });
    expect((await world.state.getSyncState(world.repo.uuid)).cursor).toBeUndefined();
    world.repo.clearFaults();
    expect(await sync(world)).toMatchObject({ outcome: 'synced', mode: 'full', counts: { updated: 1 } });
    await expectReplicated(world);
  });
});
