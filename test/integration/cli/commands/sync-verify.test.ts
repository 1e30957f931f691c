/**
 * `sync --verify` end to end: the CLI queues a verification on the local hub, whose worker reads the head's tree
 * from the simulator's `git http-backend`, compares it with the models in dynalite and repairs drift that a test
 * made by writing the models table behind the engine's back.
 */
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';
import type { VerificationReport } from '../../../../shared/domain/sync/sync-types';
import { tamperInlineBody } from '../../../support/tamper-model-body';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

interface VerifyResult {
  outcome: string;
  reason: string;
  verification: VerificationReport;
}

describe('sync --verify (local hub + Bitbucket simulator over git)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;
  let store: DynamoDbModelStore;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/verified-models');
    await repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'b.hck.json': '{"modelName":"B"}',
      'nested/c.hck.json': '{"modelName":"C"}',
      'README.md': '# models\n',
    });
    expect((await bed.cli(['repo', 'add', 'acme/verified-models'], { stdin: repo.token })).code).toBe(0);
    store = new DynamoDbModelStore({ tableName: bed.hub.standIns.env.MODELS_TABLE!, client: bed.hub.standIns.dynamodb });
  });
  afterAll(async () => {
    await bed.close();
  });
  afterEach(() => bed.simulator.clearFaults());

  const verify = async () => bed.cli(['sync', 'acme/verified-models', '--verify', '--json']);

  it('verifies an intact replica over git: no drift, nothing written', async () => {
    bed.simulator.resetRequests();
    const run = await verify();

    expect(run.code).toBe(0);
    expect(run.json<VerifyResult>()).toMatchObject({
      outcome: 'up-to-date',
      reason: 'verified: no drift (3 models)',
      verification: { status: 'no-drift', via: 'git', models: 3, repaired: 0, commit: await repo.head() },
    });
    expect(run.stderr).toMatch(/acme\/verified-models verified: no drift \(3 models\)\./);
    // The head's tree came from git (2 requests), no model was downloaded over REST.
    const requests = bed.simulator.requests.map((request) => `${request.origin} ${request.method} ${request.path.split('?')[0]}`);
    expect(requests.filter((request) => request.startsWith('git'))).toHaveLength(2);
    expect(requests.filter((request) => request.includes('/src/'))).toEqual([]);
  });

  it('repairs drift made in the models table, records it in the events log, and finds none the next time', async () => {
    const uuid = repo.uuid;
    const head = await repo.head();
    await store.putModel({ repositoryUuid: uuid, path: 'a.hck.json', commit: head, bytes: Buffer.from('{"modelName":"tampered"}') });
    await store.deleteModel(uuid, 'nested/c.hck.json');
    await store.putModel({ repositoryUuid: uuid, path: 'ghost.hck.json', commit: head, bytes: Buffer.from('{}') });

    const run = await verify();
    const again = await verify();

    expect(run.code).toBe(0);
    const result = run.json<VerifyResult>();
    expect(result.verification).toMatchObject({
      status: 'drift',
      via: 'git',
      repaired: 3,
      drift: { count: 3, changed: 1, missing: 1, extra: 1, paths: ['a.hck.json', 'ghost.hck.json', 'nested/c.hck.json'] },
    });
    expect(result.reason).toMatch(/^drift: 3 model\(s\) differed from [0-9a-f]{12} \(1 changed, 1 missing, 1 extra\): /);
    const events = (await bed.cli(['events', '--repo', 'acme/verified-models', '--json'])).json<Array<{ reason: string }>>();
    expect(events.map((event) => event.reason)).toContain(result.reason);
    expect((await bed.cli(['models', 'get', 'acme/verified-models', 'a.hck.json'])).stdout).toBe('{"modelName":"A"}');
    expect((await bed.cli(['models', 'get', 'acme/verified-models', 'nested/c.hck.json'])).stdout).toBe('{"modelName":"C"}');
    expect((await store.listModels(uuid)).map((model) => model.path)).toEqual(['a.hck.json', 'b.hck.json', 'nested/c.hck.json']);
    expect(again.json<VerifyResult>().verification).toMatchObject({ status: 'no-drift', repaired: 0 });
  });

  it('syncs a push made since the last sync before comparing: it is no drift', async () => {
    const pushed = await repo.commit({ 'b.hck.json': '{"modelName":"B2"}' });

    const run = await verify();

    expect(run.json<VerifyResult>()).toMatchObject({
      outcome: 'synced',
      verification: { status: 'no-drift', models: 3, repaired: 0, commit: pushed },
    });
  });

  it('compares over REST when git fails, and says so', async () => {
    bed.simulator.addFault({ pathPattern: /\.git\//, kind: 'status', status: 503 });
    await store.deleteModel(repo.uuid, 'b.hck.json');

    const run = await verify();

    expect(run.json<VerifyResult>()).toMatchObject({
      reason: expect.stringMatching(/^drift over REST: 1 model\(s\) differed .*\(1 missing\): b\.hck\.json; repaired 1$/),
      verification: { status: 'drift', via: 'rest', repaired: 1 },
    });
    expect((await bed.cli(['models', 'get', 'acme/verified-models', 'b.hck.json'])).stdout).toBe('{"modelName":"B2"}');
  });

  it('proves what a reader gets: a body edited in the table (record intact) is drift, and rewritten', async () => {
    await tamperInlineBody(bed.hub.standIns.dynamodb, bed.hub.standIns.env.MODELS_TABLE!, repo.uuid, 'a.hck.json', Buffer.from('{}'));
    const unreadable = await bed.cli(['models', 'get', 'acme/verified-models', 'a.hck.json']);
    expect(unreadable.code).not.toBe(0);
    expect(unreadable.stderr).toMatch(/does not match its record .*\n.*sync acme\/verified-models --verify/s);

    const run = await verify();

    expect(run.code).toBe(0);
    expect(run.json<VerifyResult>()).toMatchObject({
      reason: expect.stringMatching(/^drift: 1 model\(s\) differed from [0-9a-f]{12} \(1 corrupt\): a\.hck\.json; repaired 1$/),
      verification: { status: 'drift', via: 'git', repaired: 1, drift: { count: 1, corrupt: 1 } },
    });
    expect((await bed.cli(['models', 'get', 'acme/verified-models', 'a.hck.json'])).stdout).toBe('{"modelName":"A"}');
  });

  it('exits 1 with "not verified" when no model of the tree could be read', async () => {
    bed.simulator.addFault({ pathPattern: /\.git\//, kind: 'status', status: 503 });
    bed.simulator.addFault({ pathPattern: /\/src\/[0-9a-f]+\/.+\.hck\.json/, kind: 'status', status: 404 });

    const run = await verify();

    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/not verified: none of the 3 models of the tree could be read, so none was compared/);
  });
});
