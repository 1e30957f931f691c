import { BitbucketClient } from '../../../../../shared/bitbucket/bitbucket-client';
import { BitbucketSource } from '../../../../../shared/bitbucket/bitbucket-source';
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../../local/bitbucket-simulator';
import { startStandIns, type StandIns } from '../../../../../local/stand-ins';
import { generateLargeModel } from '../../../../../local/generate-large-model';
import { differences, expectedModels, orphanChunks, storedModels, storesFor } from '../../../../support/sync-harness';

/** The sync engine against the Bitbucket simulator (real git, real HTTP) and dynalite. */
describe('syncRepository', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let stores: ReturnType<typeof storesFor>;

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator({ pagelen: { diffstat: 3, src: 5 } }), startStandIns()]);
    stores = storesFor(standIns.dynamodb, standIns.env);
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  let counter = 0;
  async function newRepository(): Promise<SimulatedRepository> {
    counter += 1;
    return simulator.createRepository(`acme/models-${counter}`);
  }

  function clientFor(repo: SimulatedRepository, options: Partial<ConstructorParameters<typeof BitbucketClient>[0]> = {}) {
    return new BitbucketClient({ baseUrl: simulator.apiUrl, token: repo.token, baseDelayMs: 1, sleep: async () => undefined, ...options });
  }

  async function sync(repo: SimulatedRepository, options: Partial<SyncOptions> = {}, client = clientFor(repo)) {
    const report = await syncRepository(
      { uuid: repo.uuid, fullName: repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN },
      { remainingTimeMs: () => 600_000, concurrency: 4, ...options },
      { source: new BitbucketSource(client, repo.fullName), models: stores.models, state: stores.repositories },
    );
    return { report, client };
  }

  async function expectReplicated(repo: SimulatedRepository): Promise<void> {
    const head = await repo.head();
    expect(differences(await expectedModels(repo, head), await storedModels(stores.models, repo.uuid))).toEqual([]);
    expect((await stores.repositories.getSyncState(repo.uuid)).cursor).toBe(head);
  }

  it('replicates the branch head fully, then applies add, modify, delete, rename and move as a diff', async () => {
    // Prepare
    const repo = await newRepository();
    await repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'dir/b.hck.json': '{"modelName":"B","collections":[{}]}',
      'dir/c.hck.json': '{"modelName":"C"}',
      'notes/readme.md': 'not a model',
      'Ünïcode dir/with space.hck.json': '{"modelName":"Ü"}',
    });
    // Act
    const first = await sync(repo);
    // Assess
    expect(first.report).toMatchObject({ outcome: 'synced', mode: 'full', counts: { added: 4 } });
    await expectReplicated(repo);

    await repo.commit(
      { 'a.hck.json': '{"modelName":"A2"}', 'dir/c.hck.json': null, 'new/d.hck.json': '{"modelName":"D"}' },
      { renames: [['dir/b.hck.json', 'moved/b.hck.json']] },
    );
    const second = await sync(repo);
    expect(second.report).toMatchObject({
      outcome: 'synced',
      mode: 'incremental',
      counts: { added: 2, updated: 1, removed: 2, renamed: 0 },
    });
    // Bitbucket's diffstat cannot prove a rename kept its bytes, so the renamed model is downloaded again.
    expect(simulator.requests.some((request) => request.path.includes('/src/') && request.path.endsWith('moved/b.hck.json'))).toBe(true);
    await expectReplicated(repo);
  });

  it('costs two API calls when the cursor is already the head', async () => {
    const repo = await newRepository();
    await repo.commit({ 'x.hck.json': '{}' });
    await sync(repo);
    const { report, client } = await sync(repo);
    expect(report.outcome).toBe('up-to-date');
    expect(client.stats.requests).toBe(2);
  });

  it('re-applies a changed .hubignore: newly ignored models disappear, un-ignored ones come back', async () => {
    const repo = await newRepository();
    await repo.commit({ 'keep/a.hck.json': '{"k":1}', 'drafts/b.hck.json': '{"d":1}', 'drafts/c.hck.json': '{"d":2}' });
    await sync(repo);
    await repo.commit({ '.hubignore': '# work in progress\ndrafts/\n!drafts/c.hck.json\n' });
    const ignoring = await sync(repo);
    expect(ignoring.report).toMatchObject({ mode: 'reselect', counts: { removed: 2 } });
    await expectReplicated(repo);
    expect([...(await storedModels(stores.models, repo.uuid)).keys()]).toEqual(['keep/a.hck.json']);

    await repo.commit({ '.hubignore': 'drafts/c.hck.json\n' });
    const unignoring = await sync(repo);
    expect(unignoring.report).toMatchObject({ mode: 'reselect', counts: { added: 1 } });
    await expectReplicated(repo);
  });

  it('converges after a force-push, and falls back to a full sync when the cursor commit is gone', async () => {
    const repo = await newRepository();
    const base = await repo.commit({ 'a.hck.json': '{"v":1}' });
    const abandoned = await repo.commit({ 'b.hck.json': '{"v":1}' });
    await sync(repo);
    await repo.createBranch('rewrite', base);
    const rewritten = await repo.commit({ 'c.hck.json': '{"v":1}' }, { branch: 'rewrite' });
    await repo.forcePush('main', rewritten);
    repo.forgetCommit(abandoned);
    const { report } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', fallbackReason: expect.stringContaining('no longer exists') });
    await expectReplicated(repo);
  });

  it('falls back to a full sync when Bitbucket cannot compute the diff (555)', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{"v":1}' });
    await sync(repo);
    await repo.commit({ 'a.hck.json': '{"v":2}', 'b.hck.json': '{"v":1}' });
    simulator.addFault({ pathPattern: new RegExp(`${repo.fullName}/diffstat/`), kind: 'status', status: 555, times: 1 });
    const { report } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', fallbackReason: expect.stringContaining('555') });
    await expectReplicated(repo);
  });

  it('syncs the new branch in full when the default branch changes, and ignores pushes to other branches', async () => {
    const repo = await newRepository();
    const main = await repo.commit({ 'a.hck.json': '{"branch":"main"}' });
    await sync(repo);
    await repo.createBranch('develop', main);
    await repo.commit({ 'b.hck.json': '{"branch":"develop"}' }, { branch: 'develop' });
    expect((await sync(repo)).report.outcome).toBe('up-to-date');
    repo.setMainBranch('develop');
    const { report } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', branch: 'develop' });
    await expectReplicated(repo);
  });

  it('stops before the deadline, keeps the cursor, and resumes where it stopped', async () => {
    const repo = await newRepository();
    await repo.commit(
      Object.fromEntries(Array.from({ length: 30 }, (_, index) => [`m/${String(index).padStart(2, '0')}.hck.json`, `{"n":${index}}`])),
    );
    let budget = 11; // one check before planning, then one before each op
    const { report } = await sync(repo, {
      concurrency: 1,
      checkpointEvery: 3,
      safetyMarginMs: 1,
      remainingTimeMs: () => (budget-- > 0 ? 1000 : 0),
    });
    expect(report).toMatchObject({ outcome: 'partial', opsApplied: 10, opsRemaining: 20 });
    const parked = await stores.repositories.getSyncState(repo.uuid);
    expect(parked.cursor).toBeUndefined();
    expect(parked.progress).toMatchObject({ total: 30, done: 10 });

    const resumed = await sync(repo);
    expect(resumed.report).toMatchObject({ outcome: 'synced', opsApplied: 20, counts: { added: 30 } });
    await expectReplicated(repo);
  });

  it('drops saved progress when the model pattern changed, and re-selects with the new pattern', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{}', 'b.json': '{}', 'c.hck.json': '{}' });
    let budget = 2;
    const parked = await sync(repo, { concurrency: 1, safetyMarginMs: 1, remainingTimeMs: () => (budget-- > 0 ? 1000 : 0) });
    expect(parked.report.outcome).toBe('partial');
    // The admin widens the pattern while the sync is parked half-way.
    const report = await syncRepository(
      { uuid: repo.uuid, fullName: repo.fullName, modelPattern: '*.json' },
      { remainingTimeMs: () => 600_000 },
      { source: new BitbucketSource(clientFor(repo), repo.fullName), models: stores.models, state: stores.repositories },
    );
    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', continued: false });
    expect([...(await storedModels(stores.models, repo.uuid)).keys()].sort()).toEqual(['a.hck.json', 'b.json', 'c.hck.json']);
  });

  it('skips a listed file that cannot be downloaded (404) instead of failing the repository forever', async () => {
    const repo = await newRepository();
    await repo.commit({ 'ok.hck.json': '{"ok":1}', 'lost-lfs-object.hck.json': '{"lost":1}' });
    simulator.addFault({ pathPattern: new RegExp(`${repo.fullName}/src/[0-9a-f]+/lost-lfs-object`), kind: 'status', status: 404 });
    try {
      const { report } = await sync(repo);
      expect(report).toMatchObject({ outcome: 'synced', counts: { added: 1, missing: 1 } });
      expect([...(await storedModels(stores.models, repo.uuid)).keys()]).toEqual(['ok.hck.json']);
    } finally {
      simulator.clearFaults();
    }
  });

  it('parks on a rate limit without failing, and an admin sync goes ahead anyway', async () => {
    const repo = await newRepository();
    await repo.commit({ 'a.hck.json': '{}', 'b.hck.json': '{}' });
    simulator.addFault({
      pathPattern: new RegExp(`${repo.fullName}/src/[0-9a-f]+/b`),
      kind: 'status',
      status: 429,
      retryAfterSeconds: 3600,
      times: 1,
    });
    const parked = await sync(repo, { concurrency: 1 });
    expect(parked.report).toMatchObject({ outcome: 'deferred', retryAfterMs: 3_600_000 });
    expect((await stores.repositories.getSyncState(repo.uuid)).notBefore).toBeDefined();

    const waiting = await sync(repo);
    expect(waiting.report.outcome).toBe('deferred');
    expect(waiting.client.stats.requests).toBe(0);

    const admin = await sync(repo, { ignoreNotBefore: true });
    expect(admin.report.outcome).toBe('synced');
    await expectReplicated(repo);
  });

  it('round-trips a model of several MB exactly, records invalid JSON, and records an oversized file without failing', async () => {
    const repo = await newRepository();
    const large = generateLargeModel(5 * 1024 * 1024);
    await repo.commit({ 'big.hck.json': large, 'broken.hck.json': '{"modelName":', 'huge.hck.json': Buffer.alloc(300_000, 'x') });
    const { report } = await sync(repo);
    expect(report).toMatchObject({ outcome: 'synced', counts: { added: 3, invalid: 2 } });
    expect((await stores.models.getModel(repo.uuid, 'big.hck.json'))!.body.equals(large)).toBe(true);
    expect(await stores.models.getRecord(repo.uuid, 'broken.hck.json')).toMatchObject({ status: 'invalid' });

    // Above the size limit (32 MiB in production; 6 MiB here to keep the test light).
    await repo.commit({ 'huge.hck.json': Buffer.alloc(7 * 1024 * 1024, 'y') });
    const limited = await sync(repo, {}, clientFor(repo, { maxFileBytes: 6 * 1024 * 1024 }));
    expect(limited.report).toMatchObject({ outcome: 'synced', counts: { tooLarge: 1 } });
    expect(await stores.models.getRecord(repo.uuid, 'huge.hck.json')).toMatchObject({ status: 'too-large' });
  });

  it('converges when stopped after any number of applied ops, and leaves no orphan chunks', async () => {
    const repo = await newRepository();
    const files = Object.fromEntries(
      Array.from({ length: 8 }, (_, index) => [`m${index}.hck.json`, `{"n":${index},"pad":"${'z'.repeat(index * 50)}"}`]),
    );
    await repo.commit(files);
    for (const stopAfter of [1, 4, 7]) {
      await stores.models.deleteRepository(repo.uuid);
      await stores.repositories.removeRepository(repo.uuid);
      let applied = 0;
      const crash = sync(repo, {
        concurrency: 2,
        checkpointEvery: 2,
        onOpApplied: () => {
          if (++applied === stopAfter) throw new Error('worker stopped');
        },
      });
      await expect(crash).rejects.toThrow('worker stopped');
      const { report } = await sync(repo);
      expect(report.outcome).toBe('synced');
      await expectReplicated(repo);
      expect(await orphanChunks(standIns.dynamodb, standIns.env.MODELS_TABLE!, repo.uuid)).toEqual([]);
    }
  });
});
