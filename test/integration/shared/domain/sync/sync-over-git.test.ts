import { BitbucketClient } from '../../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../../shared/bitbucket/bitbucket-source';
import type { GitSnapshotOptions } from '../../../../../shared/bitbucket/bitbucket-snapshot';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/domain/repository-config';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../../local/bitbucket-simulator';
import { startStandIns, type StandIns } from '../../../../../local/stand-ins';
import { differences, expectedModels, storedModels, storesFor } from '../../../../support/sync-harness';

/** The sync engine reading git snapshots from the simulator's `git http-backend`, with dynalite behind it. */
describe('syncRepository over git', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let stores: ReturnType<typeof storesFor>;

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    stores = storesFor(standIns.dynamodb, standIns.env);
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });
  afterEach(() => simulator.clearFaults());

  let counter = 0;
  const newRepository = async () => simulator.createRepository(`acme/git-sync-${++counter}`);

  async function sync(repo: SimulatedRepository, options: Partial<SyncOptions> = {}, git: Partial<GitSnapshotOptions> = {}) {
    simulator.resetRequests();
    const client = new BitbucketClient({ baseUrl: simulator.apiUrl, token: repo.token, baseDelayMs: 1, sleep: async () => undefined });
    const source = new BitbucketSource(client, repo.fullName, { token: repo.token, ...git });
    const report = await syncRepository(
      { uuid: repo.uuid, fullName: repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
      { remainingTimeMs: () => 600_000, concurrency: 4, gitMinChangedModels: 2, ...options },
      { source, models: stores.models, state: stores.repositories },
    );
    const requests = simulator.requests.map((request) => `${request.origin} ${request.method} ${request.path.split('?')[0]}`);
    return { report, requests, rest: client.stats.requests, git: source.gitStats.requests };
  }

  async function expectReplicated(repo: SimulatedRepository): Promise<void> {
    const head = await repo.head();
    expect(differences(await expectedModels(repo, head), await storedModels(stores.models, repo.uuid))).toEqual([]);
    expect((await stores.repositories.getSyncState(repo.uuid)).cursor).toBe(head);
  }

  it('syncs a repository initially in 2 REST and 2 git requests; a full resync writes nothing', async () => {
    const repo = await newRepository();
    await repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'd/b.hck.json': '{"modelName":"B"}',
      'readme.md': 'x',
      '.hubignore': 'd/c.hck.json\n',
      'd/c.hck.json': '{}',
    });

    const first = await sync(repo);
    expect(first.report).toMatchObject({ outcome: 'synced', mode: 'full', transport: 'git', counts: { added: 2 } });
    expect(first.requests).toEqual([
      `api GET /2.0/repositories/${repo.fullName}`,
      `api GET /2.0/repositories/${repo.fullName}/refs/branches/main`,
      `git GET /${repo.fullName}.git/info/refs`,
      `git POST /${repo.fullName}.git/git-upload-pack`,
    ]);
    expect([first.rest, first.git]).toEqual([2, 2]);
    await expectReplicated(repo);

    const again = await sync(repo, { mode: 'full' });
    expect(again.report).toMatchObject({ outcome: 'synced', transport: 'git', opsApplied: 0 });
  });

  it('reads a large push from a snapshot and a one-model push over REST without any git request', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '1', 'b.hck.json': '2', 'c.hck.json': '3' });
    await sync(repo);

    await repo.commit({ 'a.hck.json': '{"v":2}', 'b.hck.json': '{"v":2}', 'c.hck.json': null }, { renames: [] });
    const large = await sync(repo);
    expect(large.report).toMatchObject({ mode: 'incremental', transport: 'git', counts: { updated: 2, removed: 1 } });
    expect([large.rest, large.git]).toEqual([3, 2]);
    await expectReplicated(repo);

    await repo.commit({ 'a.hck.json': '{"v":3}' });
    const small = await sync(repo);
    expect(small.report).toMatchObject({ mode: 'incremental', transport: 'rest', counts: { updated: 1 } });
    expect([small.rest, small.git]).toEqual([4, 0]);
    await expectReplicated(repo);
  });

  it('falls back to REST when git keeps failing (injected 503s past the retry), with the reason', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}', 'b.hck.json': '{}' });
    simulator.addFault({ pathPattern: /\.git\//, kind: 'status', status: 503 });
    const { report, requests } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', transport: 'rest', counts: { added: 2 } });
    expect(report.transportFallback).toMatch(/^git unavailable, read over REST: unavailable: .*HTTP 503/);
    expect(requests.filter((request) => request.startsWith('git'))).toHaveLength(2);
    await expectReplicated(repo);
  });

  it('falls back to REST when git refuses the token', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{}' });
    simulator.addFault({ pathPattern: /\.git\//, kind: 'status', status: 403 });
    const { report } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', transport: 'rest', counts: { added: 1 } });
    expect(report.transportFallback).toMatch(/unauthorized/);
  });

  it('reads a head whose pack is over the budget over REST, after one fetch stopped early, with the reason', async () => {
    const repo = await newRepository();
    // 4 MiB of zeros: a few KiB on the wire, 4 MiB once inflated (the 400 MiB case of the benchmark, made small).
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}', 'b.hck.json': '{}', 'assets/zeros.bin': Buffer.alloc(4 * 1024 * 1024) });
    const packLimits = { maxPackBytes: 1024 * 1024, maxObjectBytes: 1024 * 1024, maxInflatedBytes: 4 * 1024 * 1024 };
    const { report, git } = await sync(repo, {}, { packLimits });
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', transport: 'rest', counts: { added: 2 } });
    expect(report.transportFallback).toMatch(/^git skipped for this target, read over REST: too-large: .*blob object of 4194304 bytes/);
    expect(git).toBe(2);
    await expectReplicated(repo);
  });
});
