import { BitbucketClient } from '../../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../../shared/bitbucket/bitbucket-source';
import type { GitSnapshotOptions } from '../../../../../shared/bitbucket/bitbucket-snapshot';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { verifyRepository } from '../../../../../shared/domain/sync/verify-repository';
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

  async function sync(
    repo: SimulatedRepository,
    options: Partial<SyncOptions> & { verify?: boolean; git?: boolean } = {},
    gitOptions: Partial<GitSnapshotOptions> = {},
  ) {
    simulator.resetRequests();
    const client = new BitbucketClient({ baseUrl: simulator.apiUrl, token: repo.token, baseDelayMs: 1, sleep: async () => undefined });
    const { verify, git = true, ...syncOptions } = options;
    const source = new BitbucketSource(client, repo.fullName, git ? { token: repo.token, ...gitOptions } : undefined);
    const report = await (verify ? verifyRepository : syncRepository)(
      { uuid: repo.uuid, fullName: repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
      { remainingTimeMs: () => 600_000, concurrency: 4, gitMinChangedModels: 2, ...syncOptions },
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

  it('reads Git LFS content over REST once: a full resync and a verification compare the pointers, no download', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}', 'lfs/big.hck.json': { lfs: '{"modelName":"big"}' } });
    const first = await sync(repo);
    expect(first.report).toMatchObject({ outcome: 'synced', transport: 'git', counts: { added: 2 } });
    expect(first.requests.filter((request) => request.includes('/src/') || request.startsWith('media'))).toHaveLength(2);
    await expectReplicated(repo);
    const stored = await stores.models.getModel(repo.uuid, 'lfs/big.hck.json');
    expect(stored!.body.toString()).toBe('{"modelName":"big"}');

    const again = await sync(repo, { mode: 'full' });
    expect(again.report).toMatchObject({ outcome: 'synced', transport: 'git', opsApplied: 0 });
    expect(again.requests.filter((request) => !request.startsWith('git'))).toHaveLength(2); // the repository and its head

    simulator.resetRequests();
    const client = new BitbucketClient({ baseUrl: simulator.apiUrl, token: repo.token, baseDelayMs: 1, sleep: async () => undefined });
    const verified = await verifyRepository(
      { uuid: repo.uuid, fullName: repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
      { remainingTimeMs: () => 600_000 },
      { source: new BitbucketSource(client, repo.fullName, { token: repo.token }), models: stores.models, state: stores.repositories },
    );
    expect(verified.verification).toMatchObject({ status: 'no-drift', via: 'git', models: 2, repaired: 0 });
    expect(simulator.requests.filter((request) => request.path.includes('/src/') || request.origin === 'media')).toEqual([]);
    expect((await stores.models.getModel(repo.uuid, 'lfs/big.hck.json'))!.record.version).toBe(stored!.record.version);
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

  it('reads the branch, never a tag named like it: initial, full, reselecting and large-push syncs and the verification', async () => {
    const repo = await newRepository();
    const tagged = await repo.commit({ 'a.hck.json': '{"v":"tagged"}', 'b.hck.json': '{"v":"tagged"}', 'c.hck.json': '{"v":"tagged"}' });
    await repo.createTag('main', tagged);
    const atHead = async () => ({ outcome: 'synced', transport: 'git', toCommit: await repo.head() });

    await repo.commit({ 'a.hck.json': '{"v":"head"}', 'd.hck.json': '{"v":"head"}' });
    expect((await sync(repo)).report).toMatchObject({ ...(await atHead()), mode: 'full' });
    await expectReplicated(repo);
    expect((await sync(repo, { mode: 'full' })).report).toMatchObject({ ...(await atHead()), opsApplied: 0 });

    await repo.commit({ '.hubignore': 'c.hck.json\n' });
    expect((await sync(repo)).report).toMatchObject({ ...(await atHead()), mode: 'reselect', counts: { removed: 1 } });
    await expectReplicated(repo);

    await repo.commit({ 'a.hck.json': '{"v":"pushed"}', 'b.hck.json': '{"v":"pushed"}', 'e.hck.json': '{"v":"pushed"}' });
    expect((await sync(repo)).report).toMatchObject({ ...(await atHead()), mode: 'incremental', counts: { added: 1, updated: 2 } });
    await expectReplicated(repo);

    const verified = await sync(repo, { verify: true });
    expect(verified.report.verification).toMatchObject({ status: 'no-drift', via: 'git', commit: await repo.head(), models: 4 });
    await expectReplicated(repo);
  });

  it('treats a .hubignore committed as a symbolic link as absent over git and over REST alike, and says so', async () => {
    for (const git of [true, false]) {
      const repo = await newRepository();
      await repo.commit({
        'rules.txt': 'drafts/\n',
        '.hubignore': { symlink: 'rules.txt' },
        'a.hck.json': '{"modelName":"A"}',
        'drafts/b.hck.json': '{"modelName":"B"}',
      });
      const { report } = await sync(repo, { git });
      expect(report).toMatchObject({ outcome: 'synced', transport: git ? 'git' : 'rest', counts: { added: 2 } });
      expect(report.hubignoreNotice).toMatch(/^\.hubignore is a symbolic link, not a file: not applied/);
      await expectReplicated(repo);
    }
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
