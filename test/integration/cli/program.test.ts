import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SimulatedRepository } from '../../../local/bitbucket-simulator';
import { DynamoDbModelStore } from '../../../shared/aws/dynamodb-model-store';
import { eventually, startCliTestBed, type CliRun, type CliTestBed } from './cli-harness';

const MODELS_DIR = join(__dirname, '..', '..', 'fixtures', 'hackolade-models');
const fixture = (name: string) => readFileSync(join(MODELS_DIR, name));
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

interface RepoListing {
  repository: string;
  uuid: string;
  branch: string | null;
  syncedCommit: string | null;
  status: string;
  lastSyncAt: string | null;
  models: number;
  reason?: string;
}
interface ModelListing {
  path: string;
  commit: string;
  size: number;
  sha256: string;
  modelName: string | null;
  dbVendor: string | null;
}
interface EventListing {
  time: string;
  kind: string;
  repository: string | null;
  outcome: string;
  reason: string;
  requestUuid: string | null;
}

describe('model-hub CLI end to end: local hub + Bitbucket simulator', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;
  let initial: string;

  beforeAll(async () => {
    // A short visibility timeout: a failed sync is retried by the queue within seconds, as later steps need.
    bed = await startCliTestBed({ visibilityTimeoutSeconds: 2 });
    repo = await bed.simulator.createRepository('acme/data-models');
    initial = await repo.commit({
      'models/bill-of-materials.hck.json': fixture('small-neo4j-bill-of-materials.hck.json'),
      'models/animal-shelter.hck.json': fixture('medium-polyglot-animal-shelter-ldm.hck.json'),
      'archive/dynamodb-book.hck.json': fixture('medium-dynamodb-book.hck.json'),
      'README.md': '# Data models\n',
    });
  });
  afterAll(async () => {
    // Secrets are never printed: no run showed the access token.
    expect(bed.transcript.join('\n')).not.toContain(repo.token);
    await bed.close();
  });

  it('adds a repository with its webhook and follows the initial full sync; adding again keeps one webhook', async () => {
    // Act
    const first = await bed.cli(['repo', 'add', 'acme/data-models', '--create-webhook'], { stdin: `${repo.token}\n` });
    const again = await bed.cli(['repo', 'add', 'acme/data-models', '--create-webhook', '--json'], {
      env: { BITBUCKET_ACCESS_TOKEN: repo.token },
    });

    // Assess
    expect(first).toMatchObject({ code: 0, stdout: '' });
    expect(first.stderr).toContain('default branch main; the token can read it');
    expect(first.stderr).toContain(`Webhook created: ${bed.hub.webhookUrl}`);
    expect(first.stderr).toMatch(/The initial full sync of acme\/data-models queued/);
    expect(first.stderr).toMatch(/^ {2}3\/3 files/m);
    expect(first.stderr).toMatch(/Synced: acme\/data-models main at [0-9a-f]{7}, 3 model\(s\)/);
    expect(again.code).toBe(0);
    expect(again.json()).toMatchObject({
      repository: 'acme/data-models',
      uuid: repo.uuid,
      branch: 'main',
      added: false,
      webhook: { action: 'updated' },
      sync: { outcome: 'up-to-date' },
    });
    expect(repo.webhooks).toHaveLength(1);
    expect(repo.webhooks[0]).toMatchObject({
      url: bed.hub.webhookUrl,
      active: true,
      events: ['repo:push'],
      secret: bed.webhookSecret().current,
    });
    // Stored once, under a token id the repository references.
    expect(Object.values(bed.tokenSecrets())).toEqual([repo.token]);

    const models = (await bed.cli(['models', 'list', 'acme/data-models', '--json'])).json<ModelListing[]>();
    expect(models.map((m) => [m.path, m.commit, m.size, m.sha256])).toEqual([
      [
        'archive/dynamodb-book.hck.json',
        initial,
        fixture('medium-dynamodb-book.hck.json').length,
        sha256(fixture('medium-dynamodb-book.hck.json')),
      ],
      [
        'models/animal-shelter.hck.json',
        initial,
        fixture('medium-polyglot-animal-shelter-ldm.hck.json').length,
        sha256(fixture('medium-polyglot-animal-shelter-ldm.hck.json')),
      ],
      [
        'models/bill-of-materials.hck.json',
        initial,
        fixture('small-neo4j-bill-of-materials.hck.json').length,
        sha256(fixture('small-neo4j-bill-of-materials.hck.json')),
      ],
    ]);
    expect(models.every((m) => typeof m.modelName === 'string' && typeof m.dbVendor === 'string')).toBe(true);
  });

  it('replicates a pushed change that Bitbucket delivers to the webhook, byte for byte', async () => {
    // Prepare
    const revised = Buffer.from(
      fixture('small-neo4j-bill-of-materials.hck.json')
        .toString('utf8')
        .replace(/"modelName":\s*"/, '$&Revised '),
      'utf8',
    );

    // Act: the simulator delivers the push to the registered hook, signed with the hook's secret.
    const head = await repo.commit({ 'models/bill-of-materials.hck.json': revised }, { message: 'Revise the BOM model' });

    // Assess
    expect(repo.deliveries.at(-1)).toMatchObject({ commit: head, status: 202, body: 'queued' });
    const listed = await eventually('the push to be synced', async () => {
      const [listing] = (await bed.cli(['repo', 'list', '--json'])).json<RepoListing[]>();
      return listing?.syncedCommit === head && listing.status === 'synced' ? listing : undefined;
    });
    expect(listed).toMatchObject({
      repository: 'acme/data-models',
      uuid: repo.uuid,
      branch: 'main',
      syncedCommit: head,
      status: 'synced',
      models: 3,
    });
    expect(Date.parse(listed.lastSyncAt!)).not.toBeNaN();
    const got = await bed.cli(['models', 'get', 'acme/data-models', 'models/bill-of-materials.hck.json']);
    expect(got.code).toBe(0);
    expect(got.stdoutBytes.equals(revised)).toBe(true);
    const table = await bed.cli(['repo', 'list']);
    expect(table.stdout).toMatch(
      new RegExp(
        `^REPOSITORY +BRANCH +SYNCED +STATUS +LAST SYNC +MODELS\\nacme/data-models +main +${head.slice(0, 7)} +synced +\\S+ +3\\n$`,
      ),
    );
  });

  it('runs the three sync actions: recent changes, entire repository, from a commit', async () => {
    const recent = await bed.cli(['sync', 'acme/data-models', '--json']);
    const full = await bed.cli(['sync', 'acme/data-models', '--full', '--json']);
    const from = await bed.cli(['sync', 'acme/data-models', '--from', initial, '--json']);

    expect(recent.code).toBe(0);
    expect(recent.json()).toMatchObject({ repository: 'acme/data-models', outcome: 'up-to-date' });
    // A full resync reads the tree over git and compares blob ids: an unchanged repository has nothing to write.
    expect(full.json()).toMatchObject({ outcome: 'synced', mode: 'full', files: 0, counts: { added: 0, updated: 0, removed: 0 } });
    expect(full.stderr).toMatch(/A full sync of acme\/data-models queued/);
    expect(from.json()).toMatchObject({ outcome: 'synced', mode: 'incremental', files: 1, counts: { updated: 1 } });
    expect(from.stderr).toMatch(/^ {2}1\/1 files/m);
  });

  it('searches models by model name, vendor and entity name', async () => {
    const byEntity = (await bed.cli(['models', 'search', 'pet color', '--json'])).json<
      Array<{ repository: string; path: string; matches: unknown[] }>
    >();
    const byVendor = await bed.cli(['models', 'search', 'neo4j']);

    expect(byEntity).toEqual([
      {
        repository: 'acme/data-models',
        path: 'models/animal-shelter.hck.json',
        modelName: expect.any(String),
        dbVendor: expect.any(String),
        matches: [{ field: 'entity', value: 'Pet Color' }],
      },
    ]);
    expect(byVendor.stdout).toContain('models/bill-of-materials.hck.json');
  });

  it('shows a rejected delivery and a failed sync in `events`, with their reasons', async () => {
    // Prepare: a forged delivery, and a sync that Bitbucket refuses (the queue's retry then succeeds).
    const forged = await repo.deliverPush(bed.hub.webhookUrl, 'not-the-secret', {
      branch: 'main',
      oldHash: initial,
      newHash: await repo.head(),
    });
    // Bitbucket refuses this repository's branch reads three times, and no more: a one-shot fault could be taken by
    // another sync the hub's poller runs first (a message redelivered on a loaded machine), and the CLI's sync would
    // then succeed; a fault that lasts until the CLI has seen the failure lets the 2-second redeliveries of the
    // failed request reach the queue's 5 receives on a loaded machine, and the request would end in the DLQ.
    // (The worker addresses the repository by its uuids, the CLI by its name.)
    const slugOrUuid = `(data-models|${encodeURIComponent(repo.uuid)})`;
    const branchReads = new RegExp(`/repositories/[^/]+/${slugOrUuid}/refs/branches/`);
    bed.simulator.addFault({ pathPattern: branchReads, kind: 'status', status: 403, times: 3 });

    // Act
    let failed: CliRun;
    try {
      failed = await bed.cli(['sync', 'acme/data-models']);
    } finally {
      bed.simulator.clearFaults();
    }
    const events = (await bed.cli(['events', '--failed', '--json'])).json<EventListing[]>();
    const table = await bed.cli(['events', '--repo', 'acme/data-models', '--since', '1h']);

    // Assess
    expect(forged.status).toBe(401);
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/error: the sync of acme\/data-models failed: BitbucketAuthError: .*HTTP 403/);
    expect(failed.stderr).toMatch(/\nnext: /);
    expect(events).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          kind: 'delivery',
          repository: null,
          outcome: 'rejected',
          reason: 'invalid signature',
          count: expect.any(Number),
        }),
        expect.objectContaining({
          kind: 'sync',
          repository: 'acme/data-models',
          outcome: 'failed',
          reason: expect.stringMatching(/BitbucketAuthError.*403/),
        }),
      ]),
    );
    expect(events.every((event) => ['rejected', 'failed'].includes(event.outcome))).toBe(true);
    expect(table.stdout).toMatch(/^TIME +KIND +REPOSITORY +OUTCOME +COMMITS +MODELS +READ VIA +DETAIL\n/);
    expect(table.stdout).toMatch(/sync +acme\/data-models +failed +.*BitbucketAuthError/);
    // The initial sync (at `repo add`) read the whole tree with one git fetch.
    // It shows the commits and what changed, and no detail that would repeat the outcome.
    expect(table.stdout).toMatch(/sync +acme\/data-models +synced +\.\.[0-9a-f]{7} +\+3 +git · \d+ REST \+ \d+ git +-$/m);
    expect(table.stdout).not.toContain('invalid signature');
    // The queue retries the failed request; the repository ends up synced again.
    // (A minute: the retry waits for the redelivery and a worker on a machine that may be busy with other suites.)
    await eventually(
      'the retried sync',
      async () => (await bed.cli(['repo', 'list', '--json'])).json<RepoListing[]>()[0]?.status === 'synced',
      60_000,
    );
  }, 120_000);

  it('refuses bad input with exit code 2 and a next step, and explains bad tokens with exit code 1', async () => {
    const limited = await bed.simulator.createRepository('acme/read-only', { scopes: ['repository'] });
    await limited.commit({ 'a.hck.json': '{}' });

    const noToken = await bed.cli(['repo', 'add', 'acme/other']);
    const badName = await bed.cli(['sync', 'not-a-repo']);
    const badCommit = await bed.cli(['sync', 'acme/data-models', '--from', 'main']);
    const both = await bed.cli(['sync', 'acme/data-models', '--full', '--from', initial]);
    const unknownCommand = await bed.cli(['repo', 'lst']);
    const badToken = await bed.cli(['repo', 'add', 'acme/data-models'], { stdin: 'not-a-valid-token' });
    const noWebhookScope = await bed.cli(['repo', 'add', 'acme/read-only', '--create-webhook'], { stdin: limited.token });
    const notAdded = await bed.cli(['models', 'list', 'acme/read-only']);

    expect(noToken).toMatchObject({ code: 2 });
    expect(noToken.stderr).toMatch(
      /error: no repository access token given\nnext: pipe it on standard input .* or set BITBUCKET_ACCESS_TOKEN/,
    );
    expect([badName.code, badCommit.code, both.code, unknownCommand.code]).toEqual([2, 2, 2, 2]);
    expect(badName.stderr).toContain('repository must be written workspace/slug');
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(
      /Bitbucket rejected the access token for acme\/data-models \(HTTP 401\)[^]*next: create a repository access token/,
    );
    expect(noWebhookScope.code).toBe(1);
    expect(noWebhookScope.stderr).toContain(
      'the access token for acme/read-only lacks the "webhook" scope (Webhooks: Read and write) (HTTP 403)',
    );
    // Nothing was stored for a token that failed the check.
    expect(notAdded.code).toBe(1);
    expect(notAdded.stderr).toContain('repository acme/read-only is not added');
    expect(limited.webhooks).toHaveLength(0);
    expect(bed.transcript.join('\n')).not.toContain(limited.token);
  });

  it('removes a repository: webhook, token and models go, and nothing is synced any more', async () => {
    const removed = await bed.cli(['repo', 'remove', 'acme/data-models']);

    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('Deleted 1 hub webhook(s) of acme/data-models in Bitbucket.');
    expect(repo.webhooks).toHaveLength(0);
    expect(bed.tokenSecrets()).toEqual({});
    expect((await bed.cli(['repo', 'list', '--json'])).json()).toEqual([]);
    expect((await bed.cli(['models', 'search', 'neo4j', '--json'])).json()).toEqual([]);
    const store = new DynamoDbModelStore({ tableName: bed.hub.standIns.env.MODELS_TABLE!, client: bed.hub.standIns.dynamodb });
    expect(await store.listModels(repo.uuid)).toEqual([]);
  });
});
