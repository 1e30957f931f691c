/**
 * The sync engine on trees shaped like real repositories (issue 10 defects 6–8): symbolic links and submodules
 * named like models, folders named like models, paths longer than a DynamoDB key, files too large to store.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { syncRepository } from '../../../../../shared/domain/sync/sync-repository';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../../support/in-memory/in-memory-source-repository';

function newWorld() {
  return { repo: new InMemoryRepository(), models: new InMemoryModelStore(), state: new InMemoryRepositoryStore() };
}
type World = ReturnType<typeof newWorld>;

async function sync(world: World, options: { maxFileBytes?: number; mode?: 'full' } = {}) {
  return syncRepository(
    { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
    { remainingTimeMs: () => 600_000, concurrency: 4, ...(options.mode ? { mode: options.mode } : {}) },
    { source: world.repo.source({ maxFileBytes: options.maxFileBytes }), models: world.models, state: world.state },
  );
}

const storedPaths = async (world: World) => (await world.models.listModels(world.repo.uuid)).map((record) => record.path).sort();

describe('syncRepository on real-world trees (in memory)', () => {
  it('skips and counts symbolic links and submodules named like models, in a full sync', async () => {
    const world = newWorld();
    await world.repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'link.hck.json': { symlink: 'a.hck.json' },
      'vendor/shared.hck.json': { submodule: 'f'.repeat(40) },
    });

    const report = await sync(world);

    expect(report).toMatchObject({ outcome: 'synced', counts: { added: 1, skipped: 2, invalid: 0 } });
    expect(await storedPaths(world)).toEqual(['a.hck.json']);
  });

  it('drops a stored model that became a symbolic link, and counts it skipped, in an incremental sync', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"modelName":"A"}', 'b.hck.json': '{"modelName":"B"}' });
    await sync(world);
    await world.repo.commit({ 'b.hck.json': { symlink: 'a.hck.json' }, 'sub.hck.json': { submodule: 'e'.repeat(40) } });

    const report = await sync(world);

    expect(report).toMatchObject({ outcome: 'synced', mode: 'incremental', counts: { skipped: 2, added: 0, updated: 0 } });
    expect(await storedPaths(world)).toEqual(['a.hck.json']);
  });

  it('never takes the contents of a folder named like a model for models', async () => {
    const world = newWorld();
    await world.repo.commit({ 'old.hck.json/README.md': 'notes', 'old.hck.json/diagram.png': Buffer.from([137, 80, 78, 71]) });
    await sync(world);
    await world.repo.commit({ 'old.hck.json/inner.hck.json': '{"modelName":"I"}', 'old.hck.json/more.txt': 'x' });

    expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { added: 1, invalid: 0 } });
    expect(await storedPaths(world)).toEqual(['old.hck.json/inner.hck.json']);
    expect(await sync(world, { mode: 'full' })).toMatchObject({ outcome: 'synced', counts: { updated: 1, invalid: 0 } });
  });

  it('stores a model whose path is longer than a DynamoDB key beside the others, and removes it again', async () => {
    const world = newWorld();
    const long = `${'データ'.repeat(120)}/モデル.hck.json`; // 1,100 UTF-8 bytes
    await world.repo.commit({ [long]: '{"modelName":"L"}', 'a.hck.json': '{"modelName":"A"}' });

    expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { added: 2 } });
    expect((await world.models.getModel(world.repo.uuid, long))!.body.toString()).toBe('{"modelName":"L"}');
    await world.repo.commit({ [long]: null });
    expect(await sync(world)).toMatchObject({ outcome: 'synced', counts: { removed: 1 } });
    expect(await storedPaths(world)).toEqual(['a.hck.json']);
  });

  it('records the size Bitbucket announced for a model too large to store, not 0', async () => {
    const world = newWorld();
    await world.repo.commit({ 'huge.hck.json': Buffer.alloc(3_000, 'x') });

    expect(await sync(world, { maxFileBytes: 1_000 })).toMatchObject({ outcome: 'synced', counts: { tooLarge: 1 } });
    expect(await world.models.getRecord(world.repo.uuid, 'huge.hck.json')).toMatchObject({ status: 'too-large', size: 3_000 });
  });
});
