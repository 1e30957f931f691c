/**
 * Processing one sync request on the in-memory fakes of the ports: every behaviour of
 * test/shared/domain/sync/handle-sync-request.test.ts, plus the admin and deferred paths, in milliseconds.
 */
import { BitbucketAuthError } from '../../../../../shared/bitbucket/errors';
import { handleSyncRequest, newRequestUuid, type SyncRequestPorts } from '../../../../../shared/domain/sync/handle-sync-request';
import type { SourceRepository } from '../../../../../shared/domain/sync/ports';
import type { SyncRequest } from '../../../../../shared/domain/sync-request';
import { InMemoryEventLog } from '../../../../support/in-memory/in-memory-event-log';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';
import { InMemoryRepositoryStore } from '../../../../support/in-memory/in-memory-repository-store';
import { InMemoryRepository } from '../../../../support/in-memory/in-memory-source-repository';
import { InMemorySyncQueue } from '../../../../support/in-memory/in-memory-sync-queue';

interface World {
  repo: InMemoryRepository;
  repositories: InMemoryRepositoryStore;
  models: InMemoryModelStore;
  events: InMemoryEventLog;
  queue: InMemorySyncQueue;
  lookups: Array<{ uuid: string; fresh?: boolean }>;
  /** Every rename written, and every repository a source was opened for. */
  renames: Array<[string, string, string | undefined]>;
  opened: Array<Parameters<SyncRequestPorts['openSource']>[0]>;
  ports: SyncRequestPorts;
}

/** The worker's wiring (functions/worker/handler.ts) with in-memory adapters; `broken` replaces the source. */
function newWorld(options: { broken?: SourceRepository } = {}): World {
  const repo = new InMemoryRepository({ fullName: 'acme/models' });
  const repositories = new InMemoryRepositoryStore();
  const models = new InMemoryModelStore();
  const events = new InMemoryEventLog();
  const queue = new InMemorySyncQueue();
  const lookups: World['lookups'] = [];
  const renames: World['renames'] = [];
  const opened: World['opened'] = [];
  const ports: SyncRequestPorts = {
    findRepository: async (uuid, lookup) => {
      lookups.push({ uuid, fresh: lookup?.fresh });
      const config = await repositories.getRepository(uuid);
      return (
        config && {
          uuid: config.uuid,
          fullName: config.fullName,
          modelPattern: config.modelPattern,
          generation: config.generation,
          ...(config.workspaceUuid ? { workspaceUuid: config.workspaceUuid } : {}),
        }
      );
    },
    renameRepository: (uuid, fullName, workspaceUuid) => {
      renames.push([uuid, fullName, workspaceUuid]);
      return repositories.renameRepository(uuid, fullName, workspaceUuid);
    },
    openSource: async (repository) => {
      opened.push(repository);
      const before = repo.calls.length;
      return { source: options.broken ?? repo.source(), apiCalls: () => repo.calls.length - before, bytesReceived: () => 0 };
    },
    models,
    state: repositories,
    recordEvent: (event) => events.record(event),
    enqueueContinuation: (request) =>
      queue.enqueue(request, { groupId: request.repository.uuid, deduplicationId: `continue-${newRequestUuid()}` }),
  };
  return { repo, repositories, models, events, queue, lookups, renames, opened, ports };
}

async function addRepository(world: World, fullName = world.repo.fullName, workspaceUuid?: string): Promise<void> {
  await world.repositories.addRepository({
    uuid: world.repo.uuid,
    fullName,
    ...(workspaceUuid ? { workspaceUuid } : {}),
    modelPattern: '*.hck.json',
    addedAt: '2026-01-01T00:00:00.000Z',
  });
}

const request = (world: World, overrides: Partial<SyncRequest> = {}): SyncRequest => ({
  version: 1,
  trigger: 'push',
  repository: { uuid: world.repo.uuid, fullName: world.repo.fullName },
  requestUuid: 'req-1',
  requestedAt: '2026-01-01T00:00:00.000Z',
  ...overrides,
});

const unlimited = { remainingTimeMs: () => 600_000 };

describe('handleSyncRequest (in memory)', () => {
  it('records a renamed repository under its new name, syncs it, and logs the run', async () => {
    // Prepare: the hub still knows the repository by its old name.
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{"modelName":"M"}' });
    await addRepository(world, 'acme/old-name');
    // Act
    const result = await handleSyncRequest(request(world), unlimited, world.ports);
    // Assess
    expect(result).toMatchObject({ outcome: 'synced', apiCalls: 4 });
    expect((await world.repositories.getRepository(world.repo.uuid))!.fullName).toBe('acme/models');
    expect((await world.models.getModel(world.repo.uuid, 'm.hck.json'))!.body.toString()).toBe('{"modelName":"M"}');
    const [run] = await world.events.list({ repositoryUuid: world.repo.uuid });
    expect(run).toMatchObject({
      kind: 'sync',
      outcome: 'synced',
      reason: 'synced',
      trigger: 'push',
      requestUuid: 'req-1',
      repository: { uuid: world.repo.uuid, fullName: 'acme/models' },
      mode: 'full',
      fromCommit: null,
      toCommit: await world.repo.head(),
      counts: { added: 1 },
      opsApplied: 1,
      opsRemaining: 0,
      apiCalls: 4,
    });
    expect(world.queue.messages).toEqual([]);
  });

  it('records what a verification found in the run\'s event: "verified: no drift", then the drift it repaired', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{"modelName":"A"}', 'b.hck.json': '{"modelName":"B"}' });
    await addRepository(world);
    await handleSyncRequest(request(world), unlimited, world.ports);
    const verify = request(world, { trigger: 'reconcile', verify: true, requestUuid: 'verify-1' });
    // Without git, two models are compared over REST (one download each).
    const clean = await handleSyncRequest(verify, unlimited, world.ports);
    await world.models.deleteModel(world.repo.uuid, 'b.hck.json');
    const drifted = await handleSyncRequest({ ...verify, requestUuid: 'verify-2' }, unlimited, world.ports);

    expect(clean.report?.verification).toMatchObject({ status: 'no-drift', models: 2 });
    const [second, first] = await world.events.list({ repositoryUuid: world.repo.uuid });
    expect(first).toMatchObject({ requestUuid: 'verify-1', outcome: 'up-to-date', reason: 'verified over REST: no drift (2 models)' });
    expect(second).toMatchObject({
      requestUuid: 'verify-2',
      reason: expect.stringMatching(/^drift over REST: 1 model\(s\) differed from [0-9a-f]{12} \(1 missing\): b\.hck\.json; repaired 1$/),
      verification: { status: 'drift', repaired: 1, drift: { count: 1, missing: 1, paths: ['b.hck.json'] } },
    });
    expect(drifted.report?.verification?.status).toBe('drift');
    expect((await world.models.getModel(world.repo.uuid, 'b.hck.json'))!.body.toString()).toBe('{"modelName":"B"}');
  });

  it('carries a verification on to the continuation of its sync', async () => {
    const world = newWorld();
    await world.repo.commit({ 'a.hck.json': '{}', 'b.hck.json': '{}', 'c.hck.json': '{}' });
    await addRepository(world);
    let budget = 2;
    const verify = request(world, { trigger: 'admin', verify: true });
    const stopped = await handleSyncRequest(
      verify,
      { remainingTimeMs: () => (budget-- > 0 ? 1 : 0), safetyMarginMs: 1, concurrency: 1 },
      world.ports,
    );

    expect(stopped.outcome).toBe('partial');
    expect(stopped.report?.verification).toMatchObject({ status: 'not-verified' });
    expect(world.queue.requests()).toEqual([
      expect.objectContaining({ trigger: 'continue', verify: true, requestUuid: verify.requestUuid }),
    ]);
    const continued = await handleSyncRequest(world.queue.requests()[0]!, unlimited, world.ports);
    expect(continued.report?.verification).toMatchObject({ status: 'no-drift', models: 3 });
  });

  it('does not rename on a request that is not a verified push', async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world, 'acme/old-name');
    await handleSyncRequest(request(world, { trigger: 'reconcile' }), unlimited, world.ports);
    expect((await world.repositories.getRepository(world.repo.uuid))!.fullName).toBe('acme/old-name');
  });

  it('records the name Bitbucket answered during a scheduled run (a rename with no push since), and logs the run under it', async () => {
    // Prepare: renamed in Bitbucket with no push; the source (addressed by uuid) reads the repository as it is now.
    const renamedSource = (world: World) =>
      Object.assign(world.repo.source(), { currentName: () => ({ fullName: 'acme/new-name', workspaceUuid: '{ws}' }) });
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world, 'acme/old-name');
    const ports: SyncRequestPorts = {
      ...world.ports,
      openSource: async () => ({ source: renamedSource(world), apiCalls: () => 0, bytesReceived: () => 0 }),
    };
    // Act
    await handleSyncRequest(
      request(world, { trigger: 'reconcile', repository: { uuid: world.repo.uuid, fullName: 'acme/old-name' } }),
      unlimited,
      ports,
    );
    await handleSyncRequest(request(world, { trigger: 'reconcile', requestUuid: 'req-2' }), unlimited, ports);
    // Assess: recorded once (the second run finds the stored name current), events under the name of now.
    expect(world.renames).toEqual([[world.repo.uuid, 'acme/new-name', '{ws}']]);
    expect(await world.repositories.getRepository(world.repo.uuid)).toMatchObject({ fullName: 'acme/new-name', workspaceUuid: '{ws}' });
    const runs = await world.events.list({ repositoryUuid: world.repo.uuid });
    expect(runs.map((run) => run.repository?.fullName)).toEqual(['acme/new-name', 'acme/new-name']);
  });

  it("fills in an older record's workspace uuid from a push, records a transfer's, and writes nothing when the push names what is stored", async () => {
    // Prepare
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world);
    const acme = '{7d3a178a-a087-4756-b2da-2f9eadf50ba8}';
    const beta = '{0b1c2d3e-a087-4756-b2da-2f9eadf50ba8}';
    const push = (fullName: string, workspaceUuid?: string) =>
      request(world, { repository: { uuid: world.repo.uuid, fullName, ...(workspaceUuid ? { workspaceUuid } : {}) } });

    // Act + Assess: an older delivery without the workspace changes nothing.
    await handleSyncRequest(push('acme/models'), unlimited, world.ports);
    expect(world.renames).toEqual([]);
    // A delivery naming the workspace fills it in, and the run's source is opened with it.
    await handleSyncRequest(push('acme/models', acme), unlimited, world.ports);
    expect(world.renames).toEqual([[world.repo.uuid, 'acme/models', acme]]);
    expect(world.opened.at(-1)).toMatchObject({ fullName: 'acme/models', workspaceUuid: acme });
    // Known already: no write.
    await handleSyncRequest(push('acme/models', acme), unlimited, world.ports);
    expect(world.renames).toHaveLength(1);
    // A transfer: new name and workspace.
    await handleSyncRequest(push('beta/models', beta), unlimited, world.ports);
    expect(await world.repositories.getRepository(world.repo.uuid)).toMatchObject({ fullName: 'beta/models', workspaceUuid: beta });
    expect(world.opened.at(-1)).toMatchObject({ fullName: 'beta/models', workspaceUuid: beta });
    // A later older-style delivery does not erase it.
    await handleSyncRequest(push('beta/models'), unlimited, world.ports);
    expect(await world.repositories.getRepository(world.repo.uuid)).toMatchObject({ workspaceUuid: beta });
    // Schedule and admin never rename: their message names the repository as stored.
    await handleSyncRequest(
      request(world, { trigger: 'reconcile', repository: { uuid: world.repo.uuid, fullName: 'x/y', workspaceUuid: acme } }),
      unlimited,
      world.ports,
    );
    expect(world.renames).toHaveLength(2);
  });

  it('skips a repository that is not added, and says so in the events log', async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    const result = await handleSyncRequest(request(world), unlimited, world.ports);
    expect(result).toMatchObject({ outcome: 'not-added', apiCalls: 0 });
    expect(world.repo.calls).toEqual([]);
    expect((await world.events.list({ repositoryUuid: world.repo.uuid }))[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'repository is not added to this hub',
      requestUuid: 'req-1',
    });
  });

  it("says in the run's event that a .hubignore committed as a symbolic link was not applied", async () => {
    const world = newWorld();
    await world.repo.commit({
      'rules.txt': 'b.hck.json\n',
      '.hubignore': { symlink: 'rules.txt' },
      'a.hck.json': '{}',
      'b.hck.json': '{}',
    });
    await addRepository(world);

    expect(await handleSyncRequest(request(world), unlimited, world.ports)).toMatchObject({ outcome: 'synced' });

    const [run] = await world.events.list({ repositoryUuid: world.repo.uuid });
    expect(run).toMatchObject({ outcome: 'synced', counts: { added: 2 } });
    expect(run!.reason).toMatch(/^\.hubignore is a symbolic link, not a file: not applied/);
  });

  it('records a failed sync with its reason (a revoked token) and rethrows so the queue retries', async () => {
    const revoked: SourceRepository = {
      getMainBranch: async () => {
        throw new BitbucketAuthError('acme/models', 401);
      },
      getBranchHead: async () => '',
      listChangedFiles: async () => [],
      listFiles: async () => [],
      getFile: async () => Buffer.alloc(0),
    };
    const world = newWorld({ broken: revoked });
    await addRepository(world);
    await expect(handleSyncRequest(request(world), unlimited, world.ports)).rejects.toBeInstanceOf(BitbucketAuthError);
    const [failed] = await world.events.list({ repositoryUuid: world.repo.uuid });
    expect(failed).toMatchObject({
      kind: 'sync',
      outcome: 'failed',
      trigger: 'push',
      reason: expect.stringMatching(/^BitbucketAuthError: Bitbucket rejected the access token/),
    });
  });

  it("rethrows the sync's own error when the events log cannot record the failure", async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world);
    const ports: SyncRequestPorts = {
      ...world.ports,
      state: {
        getSyncState: async () => {
          throw new Error('DynamoDB unavailable');
        },
        putSyncState: async () => {
          throw new Error('unused');
        },
        deleteSyncState: async () => {
          throw new Error('unused');
        },
      },
      recordEvent: async () => {
        throw new Error('events table unavailable');
      },
    };
    await expect(handleSyncRequest(request(world), unlimited, ports)).rejects.toThrow('DynamoDB unavailable');
  });

  it("queues a continuation in the repository's group when the invocation runs out of time", async () => {
    const world = newWorld();
    await world.repo.commit(Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`m${index}.hck.json`, '{}'])));
    await addRepository(world);
    let budget = 3; // one read for the source's deadline, one check before planning, one before the first op
    const result = await handleSyncRequest(
      request(world),
      { remainingTimeMs: () => (budget-- > 0 ? 1 : 0), safetyMarginMs: 1, concurrency: 1 },
      world.ports,
    );
    expect(result).toMatchObject({ outcome: 'partial', report: { opsApplied: 1, opsRemaining: 4 } });
    expect(world.queue.requests()).toEqual([
      expect.objectContaining({
        version: 1,
        trigger: 'continue',
        repository: { uuid: world.repo.uuid, fullName: world.repo.fullName },
        requestUuid: 'req-1',
      }),
    ]);
    expect(world.queue.messages[0]!.groupId).toBe(world.repo.uuid);

    // The continuation finishes the plan.
    const continued = await handleSyncRequest(world.queue.requests()[0]!, unlimited, world.ports);
    expect(continued).toMatchObject({ outcome: 'synced', report: { continued: true, opsApplied: 4, counts: { added: 5 } } });
    expect(world.events.recorded.map((event) => event.outcome)).toEqual(['partial', 'synced']);
  });

  it('queues nothing for a sync parked by the rate limit, and logs how long it waits', async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world);
    world.repo.addFault({ method: 'getBranchHead', kind: 'rate-limit', retryAfterMs: 120_000, times: 1 });
    const result = await handleSyncRequest(request(world), unlimited, world.ports);
    expect(result.outcome).toBe('deferred');
    expect(world.queue.messages).toEqual([]);
    expect(world.events.recorded[0]).toMatchObject({ outcome: 'deferred', retryAfterMs: 120_000 });
  });

  it('runs an admin request with a fresh lookup, as a full sync, even while the repository is parked', async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{"v":1}' });
    await addRepository(world);
    await handleSyncRequest(request(world), unlimited, world.ports);
    const { revision, ...synced } = await world.repositories.getSyncState(world.repo.uuid);
    await world.repositories.putSyncState({ ...synced, notBefore: '2999-01-01T00:00:00.000Z' }, revision);

    // The first lookup of each request finds the repository (later fresh ones confirm the generation after writes).
    const firstLookupOf = async (run: () => Promise<unknown>) => {
      const before = world.lookups.length;
      await run();
      return world.lookups[before]?.fresh;
    };
    let parked: unknown;
    const parkedLookup = await firstLookupOf(
      async () => (parked = await handleSyncRequest(request(world, { requestUuid: 'req-2' }), unlimited, world.ports)),
    );
    expect(parked).toMatchObject({ outcome: 'deferred', apiCalls: 0 });
    let admin: unknown;
    const adminLookup = await firstLookupOf(
      async () =>
        (admin = await handleSyncRequest(request(world, { trigger: 'admin', mode: 'full', requestUuid: 'req-3' }), unlimited, world.ports)),
    );
    expect(admin).toMatchObject({ outcome: 'synced', report: { mode: 'full', counts: { updated: 1 } } });
    expect([world.lookups[0]?.fresh, parkedLookup, adminLookup]).toEqual([false, false, true]);
    expect((await world.repositories.getSyncState(world.repo.uuid)).notBefore).toBeUndefined();
  });

  it('logs an up-to-date run as such, at two API calls', async () => {
    const world = newWorld();
    await world.repo.commit({ 'm.hck.json': '{}' });
    await addRepository(world);
    await handleSyncRequest(request(world), unlimited, world.ports);
    const again = await handleSyncRequest(request(world, { requestUuid: 'req-2' }), unlimited, world.ports);
    expect(again).toMatchObject({ outcome: 'up-to-date', apiCalls: 2 });
    expect(world.events.recorded[1]).toMatchObject({ outcome: 'up-to-date', reason: 'up-to-date', requestUuid: 'req-2', apiCalls: 2 });
  });
});
