import { BitbucketClient } from '../../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../../shared/bitbucket/bitbucket-source';
import { DynamoDbEventLog } from '../../../../../shared/aws/dynamodb-event-log';
import { handleSyncRequest, type SyncRequestPorts } from '../../../../../shared/domain/sync/handle-sync-request';
import type { SyncRequest } from '../../../../../shared/domain/sync-request';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../../local/bitbucket-simulator';
import { startStandIns, type StandIns } from '../../../../../local/stand-ins';
import { storesFor } from '../../../../support/sync-harness';

describe('handleSyncRequest', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let stores: ReturnType<typeof storesFor>;
  let events: DynamoDbEventLog;

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    stores = storesFor(standIns.dynamodb, standIns.env);
    events = new DynamoDbEventLog({ tableName: standIns.env.EVENTS_TABLE!, client: standIns.dynamodb });
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  function portsFor(
    token: (repo: SimulatedRepository) => string,
    repos: SimulatedRepository[],
    continuations: SyncRequest[] = [],
  ): SyncRequestPorts {
    return {
      findRepository: async (uuid) => {
        const config = await stores.repositories.getRepository(uuid);
        return config && { uuid: config.uuid, fullName: config.fullName, modelPattern: config.modelPattern };
      },
      renameRepository: (uuid, fullName) => stores.repositories.renameRepository(uuid, fullName),
      openSource: async (target) => {
        const repo = repos.find((candidate) => candidate.uuid === target.uuid)!;
        const client = new BitbucketClient({ baseUrl: simulator.apiUrl, token: token(repo), maxAttempts: 1 });
        return {
          source: new BitbucketSource(client, target.fullName),
          apiCalls: () => client.stats.requests,
          bytesReceived: () => client.stats.bytesReceived,
        };
      },
      models: stores.models,
      state: stores.repositories,
      recordEvent: (event) => events.record(event),
      enqueueContinuation: async (request) => void continuations.push(request),
    };
  }

  const request = (repo: SimulatedRepository, fullName = repo.fullName): SyncRequest => ({
    version: 1,
    trigger: 'push',
    repository: { uuid: repo.uuid, fullName },
    requestUuid: `req-${repo.uuid}`,
    requestedAt: new Date().toISOString(),
  });

  it('records a renamed repository under its new name, syncs it, and logs the run', async () => {
    // Prepare: the hub still knows the repository by its old name.
    const repo = await simulator.createRepository('acme/renamed');
    await repo.commit({ 'm.hck.json': '{"modelName":"M"}' });
    await stores.repositories.addRepository({
      uuid: repo.uuid,
      fullName: 'acme/old-name',
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    // Act
    const result = await handleSyncRequest(
      request(repo),
      { remainingTimeMs: () => 600_000 },
      portsFor((r) => r.token, [repo]),
    );
    // Assess
    expect(result.outcome).toBe('synced');
    expect((await stores.repositories.getRepository(repo.uuid))!.fullName).toBe('acme/renamed');
    const [run] = await events.list({ repositoryUuid: repo.uuid });
    expect(run).toMatchObject({
      kind: 'sync',
      outcome: 'synced',
      trigger: 'push',
      requestUuid: `req-${repo.uuid}`,
      counts: { added: 1 },
      apiCalls: result.apiCalls,
    });
  });

  it('skips a repository that is not added, and says so in the events log', async () => {
    const repo = await simulator.createRepository('acme/never-added');
    const result = await handleSyncRequest(
      request(repo),
      { remainingTimeMs: () => 600_000 },
      portsFor((r) => r.token, [repo]),
    );
    expect(result).toMatchObject({ outcome: 'not-added', apiCalls: 0 });
    expect((await events.list({ repositoryUuid: repo.uuid }))[0]).toMatchObject({
      outcome: 'skipped',
      reason: 'repository is not added to this hub',
    });
  });

  it('records a failed sync with its reason (a revoked token) and rethrows so the queue retries', async () => {
    const repo = await simulator.createRepository('acme/revoked');
    await repo.commit({ 'm.hck.json': '{}' });
    await stores.repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    const revoked = 'revoked-token-value-0123456789';
    await expect(
      handleSyncRequest(
        request(repo),
        { remainingTimeMs: () => 600_000 },
        portsFor(() => revoked, [repo]),
      ),
    ).rejects.toThrow(/token/i);
    const [failed] = await events.list({ repositoryUuid: repo.uuid });
    expect(failed).toMatchObject({ kind: 'sync', outcome: 'failed', reason: expect.stringContaining('BitbucketAuthError') });
    expect(JSON.stringify(failed)).not.toContain(revoked);
  });

  it('queues a continuation when the invocation runs out of time', async () => {
    const repo = await simulator.createRepository('acme/long');
    await repo.commit(Object.fromEntries(Array.from({ length: 5 }, (_, index) => [`m${index}.hck.json`, '{}'])));
    await stores.repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    const continuations: SyncRequest[] = [];
    let budget = 2;
    const result = await handleSyncRequest(
      request(repo),
      { remainingTimeMs: () => (budget-- > 0 ? 1 : 0), safetyMarginMs: 1, concurrency: 1 },
      portsFor((r) => r.token, [repo], continuations),
    );
    expect(result.outcome).toBe('partial');
    expect(continuations).toEqual([
      expect.objectContaining({
        trigger: 'continue',
        repository: { uuid: repo.uuid, fullName: repo.fullName },
        requestUuid: `req-${repo.uuid}`,
      }),
    ]);
  });
});
