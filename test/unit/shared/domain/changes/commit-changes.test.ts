/**
 * The change records of syncs on the in-memory fakes: one record per committed change, none for a write no commit
 * ever covered, and every committed change announced even when the worker died right after writing it.
 */
import { createHash } from 'node:crypto';
import type { FeedRecord, ModelChangedDetail } from '../../../../../shared/domain/changes/change-records';
import { ChangeCommitter } from '../../../../../shared/domain/changes/commit-changes';
import { recordingIntents } from '../../../../../shared/domain/changes/recording-intents';
import type { ModelStore } from '../../../../../shared/domain/sync/ports';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { InMemoryChangeStore } from '../../../../support/in-memory/in-memory-change-store';
import { newWorld, type World } from '../../../../support/in-memory/sync-world';

const MODEL_A = '{"modelName":"Orders","dbVendor":"MongoDB","appTarget":"MONGODB","collections":[]}';
const MODEL_B = '{"modelName":"Billing","dbVendor":"AWS DynamoDB","appTarget":"DYNAMODB"}';

function sync(world: World, changes: InMemoryChangeStore, options: Partial<SyncOptions> & { git?: boolean; models?: ModelStore } = {}) {
  const { git = false, models = world.models, ...syncOptions } = options;
  const target = { uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN };
  const scope = { repositoryUuid: target.uuid };
  return syncRepository(
    target,
    { remainingTimeMs: () => 600_000, concurrency: 1, ...syncOptions },
    {
      source: world.repo.source({ git }),
      models: recordingIntents(scope, models, changes, world.models),
      state: world.state,
      changes: new ChangeCommitter({
        scope,
        repository: { uuid: target.uuid, fullName: target.fullName },
        log: changes,
        records: world.models,
      }),
    },
  );
}

const feed = (changes: InMemoryChangeStore) => [...changes.feed.values()].sort((a, b) => (a.position < b.position ? -1 : 1));
const modelChanges = (records: FeedRecord[]) =>
  records.filter((record) => record.detailType === 'Model Changed').map((record) => record.detail as ModelChangedDetail);
const summary = (records: FeedRecord[]) =>
  modelChanges(records).map((detail) => `${detail.change} ${detail.previousPath ?? ''}${detail.previousPath ? '→' : ''}${detail.path}`);
/** Each idempotency key once: what a consumer that dedupes keeps. */
const deduped = (records: FeedRecord[]) => [...new Map(records.map((record) => [record.detail.idempotencyKey, record])).values()];
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');
const dieAfterFirstWrite = () => {
  let writes = 0;
  return () => {
    if (++writes === 1) throw new Error('the worker died here (injected)');
  };
};
/** The model store of a worker that dies the moment its first model write has landed. */
function dyingAfterFirstPut(models: ModelStore): ModelStore {
  let dead = false;
  const store = Object.create(models) as ModelStore;
  store.putModel = async (input) => {
    if (dead) throw new Error('the worker is dead');
    await models.putModel(input);
    dead = true;
    throw new Error('the worker died here (injected)');
  };
  return store;
}

describe('change records of syncs', () => {
  it('announces each added model with its ids and metadata, then the sync, with the commit they reached', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A, 'dir/b.hck.json': MODEL_B, 'readme.md': 'no model' });

    await sync(world, changes);

    const head = await world.repo.head();
    const records = feed(changes);
    expect(records.map((record) => record.detailType)).toEqual(['Model Changed', 'Model Changed', 'Repository Synced']);
    expect(modelChanges(records)[0]).toMatchObject({
      schemaVersion: 1,
      change: 'added',
      repository: { uuid: world.repo.uuid, fullName: world.repo.fullName },
      path: 'a.hck.json',
      commit: head,
      sha256: sha256(MODEL_A),
      modelName: 'Orders',
      vendor: 'MongoDB',
      target: 'MONGODB',
      status: 'valid',
    });
    expect(records[2]!.detail).toMatchObject({
      fromCommit: null,
      toCommit: head,
      mode: 'full',
      counts: { added: 2, modified: 0, removed: 0, renamed: 0 },
    });
    expect(new Set(records.map((record) => record.detail.idempotencyKey)).size).toBe(3);
    expect(changes.open.size).toBe(0);
    expect(await changes.pendingIntents({ repositoryUuid: world.repo.uuid })).toEqual([]);
  });

  it('announces modified, removed and renamed models, with the previous ids and path', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A, 'b.hck.json': MODEL_B, 'c.hck.json': '{"modelName":"C"}' });
    await sync(world, changes);
    changes.feed.clear();
    await world.repo.commit({ 'a.hck.json': MODEL_B, 'c.hck.json': null }, { renames: [['b.hck.json', 'moved/b.hck.json']] });

    await sync(world, changes, { git: true, gitMinChangedModels: 0 });

    const records = feed(changes);
    expect(summary(records)).toEqual(['modified a.hck.json', 'removed c.hck.json', 'renamed b.hck.json→moved/b.hck.json']);
    const [modified, removed, renamed] = modelChanges(records);
    expect(modified).toMatchObject({ sha256: sha256(MODEL_B), previous: { sha256: sha256(MODEL_A), modelName: 'Orders' } });
    expect(removed).toMatchObject({ sha256: sha256('{"modelName":"C"}'), modelName: 'C' });
    expect(renamed).toMatchObject({ sha256: sha256(MODEL_B), previousPath: 'b.hck.json' });
    expect(records.at(-1)!.detail).toMatchObject({ counts: { added: 0, modified: 1, removed: 1, renamed: 1 } });
  });

  it('announces nothing for a model rewritten with the bytes it had (a full resync)', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A });
    await sync(world, changes);
    changes.feed.clear();

    await sync(world, changes, { mode: 'full', ignoreNotBefore: true });

    expect(feed(changes).map((record) => record.detailType)).toEqual(['Repository Synced']);
  });

  it('announces a model written right before the worker died, although the retry has nothing left to write for it', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A, 'b.hck.json': MODEL_B });

    await expect(sync(world, changes, { git: true, models: dyingAfterFirstPut(world.models) })).rejects.toThrow('died here');
    const afterCrash = feed(changes);
    expect(await world.models.listModels(world.repo.uuid)).toHaveLength(1);
    await sync(world, changes, { git: true });

    expect(afterCrash).toEqual([]);
    expect(summary(deduped(feed(changes)))).toEqual(['added a.hck.json', 'added b.hck.json']);
  });

  it('commits again after dying between the records and the cursor, under the same idempotency keys', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A });
    const clear = changes.clearIntents.bind(changes);
    changes.clearIntents = async () => {
      throw new Error('the worker died here (injected)');
    };
    await expect(sync(world, changes)).rejects.toThrow('died here');
    changes.clearIntents = clear;

    await sync(world, changes);

    const records = feed(changes);
    expect(records).toHaveLength(4);
    expect(summary(deduped(records))).toEqual(['added a.hck.json']);
    expect(deduped(records)).toHaveLength(2);
  });

  it('announces nothing for a model that a run wrote and that was gone again before any commit', async () => {
    const world = newWorld();
    const changes = new InMemoryChangeStore();
    await world.repo.commit({ 'a.hck.json': MODEL_A });
    await sync(world, changes);
    const base = await world.repo.head();
    changes.feed.clear();
    await world.repo.commit({ 'x.hck.json': MODEL_B, 'y.hck.json': MODEL_B });
    await expect(sync(world, changes, { git: true, onOpApplied: dieAfterFirstWrite() })).rejects.toThrow('died here');
    // Before the retry the default branch changes to one without x: the interrupted target is dropped, never committed.
    await world.repo.createBranch('release', base);
    world.repo.setMainBranch('release');

    await sync(world, changes, { git: true });

    expect(feed(changes).map((record) => record.detailType)).toEqual(['Repository Synced']);
    expect(await world.models.listModels(world.repo.uuid)).toHaveLength(1);
  });
});
