// `repo remove` racing a sync (issue 10, defect 4): in-flight, retried or queued work of a removed repository leaves
// no model and no sync state, and a re-added repository syncs as new. In-memory ports; dynalite in test/integration.
import { addRepository, removeRepository } from '../../../../../shared/domain/repository-lifecycle';
import { DEFAULT_MODEL_PATTERN, type RepositoryConfig } from '../../../../../shared/domain/repository-config';
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
function newWorld() {
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
      return { source: repo.source(), apiCalls: () => repo.calls.length - before, bytesReceived: () => 0 };
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
  return { repo, repositories, models, events, ports, add, remove, request, stored };
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
