/**
 * A `.hubignore` over the hub's limits (size, rules): every run ends in a decision, "blocked" with the reason in the
 * sync state, writes nothing and keeps what is stored, over REST and over git; the push that fixes the file syncs.
 */
import { DEFAULT_MODEL_PATTERN, MAX_HUBIGNORE_BYTES } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

async function sync(world: World, options: Partial<SyncOptions> & { git?: boolean } = {}) {
  const { git = false, ...syncOptions } = options;
  return syncRepository(
    { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
    { remainingTimeMs: () => 600_000, concurrency: 4, gitMinChangedModels: 3, ...syncOptions },
    { source: world.repo.source({ git }), models: world.models, state: world.state },
  );
}

/** A .hubignore one rule over the size limit, excluding `drafts/`. */
const OVERSIZED = `drafts/\n${'# long explanation of why drafts are not replicated\n'.repeat(Math.ceil(MAX_HUBIGNORE_BYTES / 50))}`;
const stored = async (world: World) =>
  Object.fromEntries((await world.models.listModels(world.repo.uuid)).map((record) => [record.path, record.version]));

describe.each([
  ['REST', false],
  ['git', true],
])('a .hubignore over the limits (%s)', (_, git) => {
  it('blocks the initial sync with the reason, writes nothing, and syncs once the file is fixed', async () => {
    const world = newWorld();
    await world.repo.commit({ '.hubignore': OVERSIZED, 'a.hck.json': '{}', 'drafts/b.hck.json': '{}' });

    const blocked = await sync(world, { git });

    expect(blocked).toMatchObject({ outcome: 'blocked', opsApplied: 0, readHead: true });
    expect(blocked.blockedReason).toMatch(/^\.hubignore is \d+ bytes, over the hub's limit of 8192: shorten it/);
    expect(await stored(world)).toEqual({});
    const state = await world.state.getSyncState(world.repo.uuid);
    expect(state).toMatchObject({ lastRun: { outcome: 'blocked', error: blocked.blockedReason } });
    expect(state.cursor).toBeUndefined();
    expect(state.hubignore).toBeUndefined();

    await world.repo.commit({ '.hubignore': 'drafts/\n' });
    expect(await sync(world, { git })).toMatchObject({ outcome: 'synced', counts: { added: 1 } });
    await expectReplicated(world);
  });

  it('blocks a push that grows it over the limits, keeping the models and cursor of before; the fix applies the push', async () => {
    const world = newWorld();
    await world.repo.commit({ '.hubignore': 'drafts/\n', 'a.hck.json': '{"v":1}', 'drafts/b.hck.json': '{}' });
    await sync(world, { git });
    const before = await stored(world);
    const { cursor } = await world.state.getSyncState(world.repo.uuid);
    await world.repo.commit({
      '.hubignore': OVERSIZED,
      'a.hck.json': '{"v":2}',
      'c.hck.json': '{}',
      'd.hck.json': '{}',
      'e.hck.json': '{}',
    });

    expect(await sync(world, { git })).toMatchObject({ outcome: 'blocked', opsApplied: 0 });
    // A second run decides the same, at once (no retry loop, nothing half-written).
    expect(await sync(world, { git })).toMatchObject({ outcome: 'blocked', opsApplied: 0 });
    expect(await stored(world)).toEqual(before);
    expect(await world.state.getSyncState(world.repo.uuid)).toMatchObject({
      cursor,
      hubignore: 'drafts/\n',
      lastRun: { outcome: 'blocked' },
    });

    await world.repo.commit({ '.hubignore': 'drafts/\nc.hck.json\n' });
    expect(await sync(world, { git })).toMatchObject({ outcome: 'synced' });
    await expectReplicated(world);
  });
});
