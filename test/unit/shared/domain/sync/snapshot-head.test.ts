/**
 * A git snapshot is only taken as the branch head when REST names its commit the head (issue 17, item 1): a git
 * side that lands elsewhere (a tag named like the branch, a lagging replica) makes every kind of run read over
 * REST and say why, and a verification compare over REST, never report "no drift" at the wrong commit.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import type { SourceRepository } from '../../../../../shared/domain/sync/ports';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { verifyRepository } from '../../../../../shared/domain/sync/verify-repository';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

const target = (world: World) => ({ uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN });

async function run(world: World, options: Partial<SyncOptions> & { verify?: boolean; source?: SourceRepository } = {}) {
  const { verify, source = world.repo.source({ git: true }), ...rest } = options;
  const before = world.repo.calls.length;
  const report = await (verify ? verifyRepository : syncRepository)(
    target(world),
    { remainingTimeMs: () => 600_000, concurrency: 2, gitMinChangedModels: 2, ...rest },
    { source, models: world.models, state: world.state },
  );
  return { report, methods: world.repo.calls.slice(before).map((call) => call.method) };
}

const NOT_HEAD = /^git unavailable, read over REST: the git fetch of main landed on [0-9a-f]{12}, not on the branch's head [0-9a-f]{12}/;

describe('a snapshot whose commit is not the head REST names', () => {
  it('is refused by initial, full, reselecting and large-push syncs: each reads over REST and says why', async () => {
    const world = newWorld();
    const old = await world.repo.commit({ 'a.hck.json': '{"v":"old"}', 'b.hck.json': '{"v":"old"}', 'c.hck.json': '{"v":"old"}' });
    world.repo.addFault({ method: 'snapshot', kind: 'git-not-head', commit: old });
    await world.repo.commit({ 'a.hck.json': '{"v":"head"}', 'd.hck.json': '{"v":"head"}' });
    const atHeadOverRest = async () => ({
      outcome: 'synced',
      transport: 'rest',
      toCommit: await world.repo.head(),
      transportFallback: expect.stringMatching(NOT_HEAD),
    });

    expect((await run(world)).report).toMatchObject({ ...(await atHeadOverRest()), mode: 'full' });
    await expectReplicated(world);
    expect((await run(world, { mode: 'full' })).report).toMatchObject(await atHeadOverRest());
    await expectReplicated(world);

    await world.repo.commit({ '.hubignore': 'c.hck.json\n' });
    expect((await run(world)).report).toMatchObject({ ...(await atHeadOverRest()), mode: 'reselect', counts: { removed: 1 } });
    await expectReplicated(world);

    await world.repo.commit({ 'a.hck.json': '{"v":"pushed"}', 'b.hck.json': '{"v":"pushed"}', 'e.hck.json': '{"v":"pushed"}' });
    expect((await run(world)).report).toMatchObject({ ...(await atHeadOverRest()), mode: 'incremental', counts: { added: 1, updated: 2 } });
    await expectReplicated(world);
  });

  it('makes a verification compare over REST at the head, never report no drift at the snapshot commit', async () => {
    const world = newWorld();
    const old = await world.repo.commit({ 'a.hck.json': '{"v":"old"}' });
    world.repo.addFault({ method: 'snapshot', kind: 'git-not-head', commit: old });
    const head = await world.repo.commit({ 'a.hck.json': '{"v":"head"}', 'b.hck.json': '{"v":"head"}' });

    const { report } = await run(world, { verify: true });

    expect(report).toMatchObject({ outcome: 'synced', transport: 'rest', toCommit: head });
    expect(report.verification).toMatchObject({ status: 'no-drift', via: 'rest', commit: head, models: 2 });
    await expectReplicated(world);
  });

  it('is taken when REST, asked again, names it the head: a push landed between the head read and the fetch', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"v":1}' });
    const source = world.repo.source({ git: true });
    const snapshot = source.snapshot!.bind(source);
    let pushes = 1;
    source.snapshot = async (branch) => {
      if (pushes-- > 0) await world.repo.commit({ 'b.hck.json': '{"v":"during"}' });
      return snapshot(branch);
    };

    const { report, methods } = await run(world, { source });

    expect(report).toMatchObject({ outcome: 'synced', transport: 'git', toCommit: await world.repo.head(), counts: { added: 2 } });
    expect(report.transportFallback).toBeUndefined();
    expect(methods).toEqual(['getMainBranch', 'getBranchHead', 'snapshot', 'getBranchHead']);
    await expectReplicated(world);
  });
});
