// `repo remove` racing a sync (issue 10, defect 4): in-flight, retried or queued work of a removed repository leaves
// no model and no sync state, and a re-added repository syncs as new. In-memory ports; dynalite in test/integration.
import { addRepository, removeRepository } from '../../../../../shared/domain/repository-lifecycle';
import type { RepositoryConfig } from '../../../../../shared/domain/repository-config';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { handleSyncRequest, newRequestUuid, type SyncRequestPorts } from '../../../../../shared/domain/sync/handle-sync-request';
import type { SyncRequest } from '../../../../../shared/domain/sync-request';
import { InMemoryEventLog } from '../../../../support/in-memory/in-memory-event-log';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../../support/in-memory/in-memory-source-repository';
import { InMemorySyncQueue } from '../../../../support/in-memory/in-memory-sync-queue';

const MODEL_COUNT = 6;
const unlimited = { remainingTimeMs: () => 900_000, concurrency: 1 };

/** The worker's wiring, with the worker's repository cache: a lookup that is not fresh answers what it saw first. */
function newWorld(options: { git?: boolean } = {}) {
  const repo = new InMemoryRepository({ fullName: 'acme/models' });
  const repositories = new InMemoryRepositoryStore();
  const models = new InMemoryModelStore();
  const events = new InMemoryEventLog();
  const queue = new InMemorySyncQueue();
  const cache = new Map<string, RepositoryConfig>();
  const ports: SyncRequestPorts = {
    findRepository: async (uuid, lookup) => {
      const cached = cache.get(uuid);
      if (cached && !lookup?.fresh) return cached;
      const config = await repositories.getRepository(uuid);
      if (config) cache.set(uuid, config);
      return config;
    },
    renameRepository: (uuid, fullName) => repositories.renameRepository(uuid, fullName),
    openSource: async () => {
      const before = repo.calls.length;
      return { source: repo.source({ git: options.git }), apiCalls: () => repo.calls.length - before, bytesReceived: () => 0 };
    },
    models,
    state: repositories,
    recordEvent: (event) => events.record(event),
    enqueueContinuation: (request) => queue.enqueue(request, { groupId: request.repository.uuid, deduplicationId: newRequestUuid() }),
  };
  const lifecycle = { repositories, models };
  const add = () =>
    addRepository(lifecycle, {
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: DEFAULT_MODEL_PATTERN,
      addedAt: new Date().toISOString(),
    });
  const remove = () => removeRepository(lifecycle, repo.uuid);
  const request = (requestUuid = newRequestUuid()): SyncRequest => ({
    version: 1,
    trigger: 'push',
    repository: { uuid: repo.uuid, fullName: repo.fullName },
    requestUuid,
    requestedAt: new Date().toISOString(),
  });
  /** What the hub holds for the repository: model paths and whether a sync state exists. */
  const stored = async () => ({
    models: (await models.listModels(repo.uuid)).map((record) => record.path),
    state: (await repositories.getSyncState(repo.uuid)).revision > 0,
  });
  /** Stored models equal the head's model files byte for byte, every record of `generation`. */
  const expectReplica = async (generation: string | undefined) => {
    const files = await repo.readFiles(await repo.head());
    const records = await models.listModels(repo.uuid);
    const stored: Record<string, string> = {};
    for (const record of records) stored[record.path] = (await models.getModel(repo.uuid, record.path))!.body.toString('utf8');
    const expected = Object.fromEntries(
      [...files].filter(([path]) => path.endsWith('.hck.json')).map(([path, bytes]) => [path, bytes.toString()]),
    );
    expect(stored).toEqual(expected);
    expect(new Set(records.map((record) => record.generation))).toEqual(new Set([generation]));
  };
  /** What a writer of `generation` leaves when it dies after its write and before the fence could undo it. */
  const strandedWrite = (generation: string | undefined, path: string, bytes: string) =>
    models.putModel({ repositoryUuid: repo.uuid, path, commit: 'stranded', bytes: Buffer.from(bytes), generation });
  return { repo, repositories, models, events, ports, add, remove, request, stored, expectReplica, strandedWrite };
}

async function commitModels(world: ReturnType<typeof newWorld>): Promise<string[]> {
  const files: Record<string, string> = {};
  for (let i = 0; i < MODEL_COUNT; i++) files[`models/m${i}.hck.json`] = JSON.stringify({ modelName: `m${i}` });
  await world.repo.commit(files);
  return Object.keys(files).sort();
}

describe('repo remove racing a sync (in memory)', () => {
  it('a sync paused mid-way by a removal writes nothing more when it resumes, and what it wrote is gone', async () => {
    const world = newWorld();
    await commitModels(world);
    await world.add();
    let applied = 0;
    const result = await handleSyncRequest(
      world.request(),
      {
        ...unlimited,
        onOpApplied: async () => {
          if (++applied === 2) await world.remove();
        },
      },
      world.ports,
    );
    expect(result.outcome).toBe('not-added');
    expect(await world.stored()).toEqual({ models: [], state: false });
    expect(world.events.recorded.at(-1)).toMatchObject({ outcome: 'skipped', reason: expect.stringContaining('removed') });
  });

  it('a message queued before the removal, met with the repository still in the cache, writes nothing', async () => {
    const world = newWorld();
    await commitModels(world);
    await world.add();
    await handleSyncRequest(world.request(), unlimited, world.ports); // fills the cache and syncs
    await world.remove();
    const callsBefore = world.repo.calls.length;

    const result = await handleSyncRequest(world.request(), unlimited, world.ports);
    expect(result.outcome).toBe('not-added');
    expect(await world.stored()).toEqual({ models: [], state: false });
    // Re-checked before anything was asked of Bitbucket: no re-sync of a repository that is gone.
    expect(world.repo.calls.length).toBe(callsBefore);
  });

  it('a re-added repository syncs from nothing, and the removed generation paused mid-way cannot touch it', async () => {
    const world = newWorld();
    const paths = await commitModels(world);
    await world.add();
    let applied = 0;
    let readded: RepositoryConfig | undefined;
    const stale = await handleSyncRequest(
      world.request(),
      {
        ...unlimited,
        onOpApplied: async () => {
          if (++applied !== 3) return;
          await world.remove();
          readded = await world.add();
          // The new generation's own sync runs while the old one is paused.
          expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('synced');
        },
      },
      world.ports,
    );
    // The old generation's run stopped at its next write; its message then served the new generation (already synced).
    expect(stale.outcome).toBe('up-to-date');
    expect(await world.stored()).toEqual({ models: paths, state: true });
    const records = await world.models.listModels(world.repo.uuid);
    expect(new Set(records.map((record) => record.generation))).toEqual(new Set([readded!.generation]));
    expect((await world.repositories.getSyncState(world.repo.uuid)).generation).toBe(readded!.generation);
    expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('up-to-date');
  });
});

describe.each([
  ['REST', false],
  ['git', true],
])('a record an old generation wrote after the removal and re-add sweeps, then died before undoing (%s)', (_transport, git) => {
  it("does not block the new generation's full sync: it is replaced or deleted, whatever its bytes", async () => {
    const world = newWorld({ git });
    await commitModels(world);
    const old = await world.add();
    await world.remove();
    const current = await world.add();
    // Stranded on an empty store, so the old writer's own fence check let them through.
    await world.strandedWrite(old.generation, 'models/m1.hck.json', JSON.stringify({ modelName: 'm1' })); // the head's bytes
    await world.strandedWrite(old.generation, 'models/m2.hck.json', '{"modelName":"stale"}');
    await world.strandedWrite(old.generation, 'models/gone.hck.json', '{"modelName":"gone"}');
    await world.strandedWrite(old.generation, 'models/copy-of-m3.hck.json', JSON.stringify({ modelName: 'm3' })); // a move source by blob id

    expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('synced');
    await world.expectReplica(current.generation);
  });

  it('does not stop the new generation when the old writer also stranded a sync state (it is dropped, not continued)', async () => {
    const world = newWorld({ git });
    const paths = await commitModels(world);
    const old = await world.add();
    await world.remove();
    const current = await world.add();
    await world.strandedWrite(old.generation, 'models/m0.hck.json', '{"modelName":"stale"}');
    // Its first state write (expected revision 0) also met an empty store: a cursor at the head, claiming done.
    await world.repositories.putSyncState(
      {
        uuid: world.repo.uuid,
        generation: old.generation,
        branch: 'main',
        cursor: await world.repo.head(),
        pattern: DEFAULT_MODEL_PATTERN,
        hubignore: '',
      },
      0,
    );

    expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('synced');
    await world.expectReplica(current.generation);
    expect(await world.stored()).toEqual({ models: paths, state: true });
    expect((await world.repositories.getSyncState(world.repo.uuid)).generation).toBe(current.generation);
  });

  it('does not block a later incremental sync that adds its path or renames a model onto it', async () => {
    const world = newWorld({ git });
    await commitModels(world);
    const old = await world.add();
    await world.remove();
    const current = await world.add();
    expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('synced');
    // Stranded after the new generation's full sync, on paths it did not hold then.
    await world.strandedWrite(old.generation, 'models/added.hck.json', '{"modelName":"stale"}');
    await world.strandedWrite(old.generation, 'models/renamed.hck.json', '{"modelName":"stale"}');
    await world.repo.commit(
      { 'models/added.hck.json': '{"modelName":"added"}' },
      { renames: [['models/m5.hck.json', 'models/renamed.hck.json']] },
    );

    expect((await handleSyncRequest(world.request(), unlimited, world.ports)).outcome).toBe('synced');
    await world.expectReplica(current.generation);
  });
});
