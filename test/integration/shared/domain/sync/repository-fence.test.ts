// `repo remove` racing a sync, on dynalite and the Bitbucket simulator (issue 10, defect 4): work of a removed
// repository leaves no model and no sync state behind, and a re-added repository syncs as new.
import { BitbucketClient } from '../../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../../shared/bitbucket/bitbucket-source';
import { DynamoDbEventLog } from '../../../../../shared/aws/dynamodb-event-log';
import { DynamoDbModelStore } from '../../../../../shared/aws/dynamodb-model-store';
import type { RepositoryConfig } from '../../../../../shared/domain/repository-config';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { addRepository, removeRepository } from '../../../../../shared/domain/repository-lifecycle';
import { handleSyncRequest, newRequestUuid, type SyncRequestPorts } from '../../../../../shared/domain/sync/handle-sync-request';
import type { SyncRequest } from '../../../../../shared/domain/sync-request';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../../local/bitbucket-simulator';
import { startStandIns, type StandIns } from '../../../../../local/stand-ins';
import { storesFor } from '../../../../support/sync-harness';

const MODEL_COUNT = 5;
const budget = { remainingTimeMs: () => 600_000, concurrency: 1 };

describe('repo remove racing a sync (dynalite)', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let stores: ReturnType<typeof storesFor> & { models: DynamoDbModelStore };
  let events: DynamoDbEventLog;

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    // Small chunks, so some models are chunked and their chunk items must go too.
    stores = {
      ...storesFor(standIns.dynamodb, standIns.env),
      models: new DynamoDbModelStore({
        tableName: standIns.env.MODELS_TABLE!,
        client: standIns.dynamodb,
        inlineLimitBytes: 64,
        chunkBytes: 64,
      }),
    };
    events = new DynamoDbEventLog({ tableName: standIns.env.EVENTS_TABLE!, client: standIns.dynamodb });
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  /** The worker's wiring, with its repository cache: a lookup that is not fresh answers what it saw first. */
  function world(repo: SimulatedRepository) {
    const cache = new Map<string, RepositoryConfig>();
    const ports: SyncRequestPorts = {
      findRepository: async (uuid, lookup) => {
        const cached = cache.get(uuid);
        if (cached && !lookup?.fresh) return cached;
        const config = await stores.repositories.getRepository(uuid);
        if (config) cache.set(uuid, config);
        return config;
      },
      renameRepository: (uuid, fullName) => stores.repositories.renameRepository(uuid, fullName),
      openSource: async (target) => {
        const client = new BitbucketClient({ baseUrl: simulator.apiUrl, token: repo.token, maxAttempts: 1 });
        return {
          source: new BitbucketSource(client, target.fullName),
          apiCalls: () => client.stats.requests,
          bytesReceived: () => client.stats.bytesReceived,
        };
      },
      models: stores.models,
      state: stores.repositories,
      recordEvent: (event) => events.record(event),
      enqueueContinuation: async () => undefined,
    };
    const lifecycle = { repositories: stores.repositories, models: stores.models };
    return {
      ports,
      add: () =>
        addRepository(lifecycle, {
          uuid: repo.uuid,
          fullName: repo.fullName,
          modelPattern: DEFAULT_MODEL_PATTERN,
          addedAt: new Date().toISOString(),
        }),
      remove: () => removeRepository(lifecycle, repo.uuid),
      request: (): SyncRequest => ({
        version: 1,
        trigger: 'push',
        repository: { uuid: repo.uuid, fullName: repo.fullName },
        requestUuid: newRequestUuid(),
        requestedAt: new Date().toISOString(),
      }),
      /** Items of the repository's models partition (records, and chunks no record references) and whether a sync state exists. */
      stored: async () => ({
        items: await countItems(repo.uuid),
        state: (await stores.repositories.getSyncState(repo.uuid)).revision > 0,
      }),
    };
  }

  /** Records plus unreferenced chunks (counted by deleting them: a test that finds any fails anyway). */
  async function countItems(uuid: string): Promise<number> {
    return (await stores.models.listModels(uuid)).length + (await stores.models.removeOrphanChunks(uuid, { olderThanMs: -60_000 }));
  }

  async function repositoryWithModels(name: string): Promise<SimulatedRepository> {
    const repo = await simulator.createRepository(name);
    const files: Record<string, string> = {};
    for (let i = 0; i < MODEL_COUNT; i++)
      files[`models/m${i}.hck.json`] = JSON.stringify({ modelName: `m${i}`, padding: 'x'.repeat(200 * i) });
    await repo.commit(files);
    return repo;
  }

  it('a sync paused by a removal writes nothing more when it resumes; no model, chunk or state remains', async () => {
    const repo = await repositoryWithModels('acme/removed-mid-sync');
    const hub = world(repo);
    await hub.add();
    let applied = 0;
    const result = await handleSyncRequest(
      hub.request(),
      {
        ...budget,
        onOpApplied: async () => {
          if (++applied === 2) await hub.remove();
        },
      },
      hub.ports,
    );
    expect(result.outcome).toBe('not-added');
    expect(await hub.stored()).toEqual({ items: 0, state: false });
  });

  it('a message met after the removal with the repository still cached writes nothing; a re-add then syncs', async () => {
    const repo = await repositoryWithModels('acme/removed-then-readded');
    const hub = world(repo);
    await hub.add();
    expect((await handleSyncRequest(hub.request(), budget, hub.ports)).outcome).toBe('synced');
    await hub.remove();

    expect((await handleSyncRequest(hub.request(), budget, hub.ports)).outcome).toBe('not-added');
    expect(await hub.stored()).toEqual({ items: 0, state: false });

    const readded = await hub.add();
    expect((await handleSyncRequest(hub.request(), budget, hub.ports)).outcome).toBe('synced');
    const records = await stores.models.listModels(repo.uuid);
    expect(records.map((record) => record.generation)).toEqual(Array.from({ length: MODEL_COUNT }, () => readded.generation));
    expect((await stores.repositories.getSyncState(repo.uuid)).generation).toBe(readded.generation);
  });
  it('a record the removed generation stranded after the removal and re-add sweeps is replaced or deleted by the new sync', async () => {
    const repo = await repositoryWithModels('acme/stranded-after-readd');
    const hub = world(repo);
    const old = await hub.add();
    await hub.remove();
    const current = await hub.add();
    // Written by the old generation's writer after both sweeps; it died before its fence could undo them.
    const files = await repo.readFiles(await repo.head());
    const strand = (path: string, bytes: Buffer) =>
      stores.models.putModel({ repositoryUuid: repo.uuid, path, commit: 'stranded', bytes, generation: old.generation });
    await strand('models/m1.hck.json', files.get('models/m1.hck.json')!);
    await strand('models/m2.hck.json', Buffer.from(JSON.stringify({ modelName: 'stale', padding: 'y'.repeat(300) })));
    await strand('models/gone.hck.json', Buffer.from('{"modelName":"gone"}'));

    expect((await handleSyncRequest(hub.request(), budget, hub.ports)).outcome).toBe('synced');
    const records = await stores.models.listModels(repo.uuid);
    expect(records.map((record) => [record.path, record.generation])).toEqual(
      [...files.keys()].sort().map((path) => [path, current.generation]),
    );
    for (const record of records)
      expect((await stores.models.getModel(repo.uuid, record.path))!.body.equals(files.get(record.path)!)).toBe(true);
    expect(await hub.stored()).toEqual({ items: MODEL_COUNT, state: true });
  });
});
