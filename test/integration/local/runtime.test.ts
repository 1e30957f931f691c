import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DynamoDbEventLog } from '../../../shared/aws/dynamodb-event-log';
import { DynamoDbRepositoryStore } from '../../../shared/aws/dynamodb-repository-store';
import { signBody } from '../../../shared/domain/signature';
import type { SyncRequest } from '../../../shared/domain/sync-request';
import { startLocalHub, type LocalHub } from '../../../local/runtime';
import { readLocalRuntime } from '../../../shared/config/local-runtime-file';
import { receiveAll } from '../../support/queue';
import { generateSecret, readWebhookFixture, SIGNED_DELIVERY_FIXTURE } from '../../support/fixtures';

const CLOUDBEERS = '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}';
const TEST_REPOS = '{3deb8c29-778a-450c-8f69-3e50a18079df}';

/** Posts raw bytes with raw headers, as Bitbucket (or an attacker) would. */
function post(url: string, body: Buffer, headers: Record<string, string | string[]>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', headers: { 'content-length': String(body.length), ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

function pushHeaders(secret: string, body: Buffer, requestUuid: string): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'Bitbucket-Webhooks/2.0',
    'X-Event-Key': 'repo:push',
    'X-Request-UUID': requestUuid,
    'X-Attempt-Number': '1',
    'X-Hook-UUID': '07a11b9b-d82a-4558-a903-8b76e2b541f5',
    'X-Hub-Signature': signBody(secret, body),
  };
}

describe('local runtime: verifier behind the local HTTP API on dynalite and local-aws-sqs', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-runtime-'));
  const secret = generateSecret();
  let hub: LocalHub;

  // The worker stays off: these tests look at what the verifier queued.
  const start = () => startLocalHub({ dataDir, webhookSecret: secret, worker: false, reconcileEverySeconds: 0 });

  beforeAll(async () => {
    hub = await start();
    const repositories = new DynamoDbRepositoryStore({ tableName: hub.standIns.env.REPOSITORIES_TABLE!, client: hub.standIns.dynamodb });
    await repositories.addRepository({
      uuid: CLOUDBEERS,
      fullName: 'cloudbeers/temp',
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
  });
  afterAll(async () => {
    await hub.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('keeps the secrets file, its credentials and runtime.json private (mode 0600)', () => {
    expect(statSync(join(dataDir, 'secrets.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'credentials.json')).mode & 0o777).toBe(0o600);
    expect(statSync(join(dataDir, 'runtime.json')).mode & 0o777).toBe(0o600);
  });

  it('uses credentials generated for its data dir, which runtime.json hands to the CLI', () => {
    const runtime = readLocalRuntime(dataDir);
    expect(runtime?.env.AWS_ACCESS_KEY_ID).toBe(hub.standIns.env.AWS_ACCESS_KEY_ID);
    expect(hub.standIns.env.AWS_ACCESS_KEY_ID).not.toBe('local');
    expect(hub.standIns.env.AWS_ACCESS_KEY_ID!.length).toBeGreaterThanOrEqual(16);
  });

  it('queues a signed push exactly once across three deliveries, also after SQS forgot its 5-minute window', async () => {
    const body = readWebhookFixture('updatePayload__normal-push');
    const first = await post(hub.webhookUrl, body, pushHeaders(secret, body, 'aaaaaaaa-0000-4000-8000-000000000001'));
    // A Bitbucket retry with the same request uuid, then a replay with a fresh one.
    const retry = await post(hub.webhookUrl, body, pushHeaders(secret, body, 'aaaaaaaa-0000-4000-8000-000000000001'));
    // Restarting the stand-ins starts a fresh SQS (no dedupe memory), as 5 minutes passing would on AWS.
    await hub.close();
    hub = await start();
    const replay = await post(hub.webhookUrl, body, pushHeaders(secret, body, 'aaaaaaaa-0000-4000-8000-000000000002'));

    expect([first, retry, replay].map((response) => `${response.status} ${response.body}`)).toEqual([
      '202 queued',
      '202 duplicate',
      '202 duplicate',
    ]);
    const messages = await receiveAll(hub.standIns.sqs, hub.standIns.queueUrl);
    expect(messages).toHaveLength(1);
    expect(messages[0]!.Attributes?.MessageGroupId).toBe(CLOUDBEERS);
    expect(JSON.parse(messages[0]!.Body!)).toMatchObject({
      trigger: 'push',
      repository: { uuid: CLOUDBEERS },
      requestUuid: 'aaaaaaaa-0000-4000-8000-000000000001',
    });

    const events = new DynamoDbEventLog({ tableName: hub.standIns.env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
    const logged = await events.list({ repositoryUuid: CLOUDBEERS });
    expect(logged.map((event) => [event.requestUuid, event.outcome]).reverse()).toEqual([
      ['aaaaaaaa-0000-4000-8000-000000000001', 'queued'],
      ['aaaaaaaa-0000-4000-8000-000000000001', 'duplicate'],
      ['aaaaaaaa-0000-4000-8000-000000000002', 'duplicate'],
    ]);
  });

  it("runs the stack's two schedules on demand: a reconciliation and a verification of every added repository", async () => {
    await receiveAll(hub.standIns.sqs, hub.standIns.queueUrl);
    expect(await hub.reconcile()).toBe(1);
    expect(await hub.verify()).toBe(1);
    const bodies = (await receiveAll(hub.standIns.sqs, hub.standIns.queueUrl)).map((message) => JSON.parse(message.Body!) as SyncRequest);
    expect(bodies.map((body) => [body.trigger, body.repository.uuid, body.verify ?? false])).toEqual([
      ['reconcile', CLOUDBEERS, false],
      ['reconcile', CLOUDBEERS, true],
    ]);
  });

  it('verifies a real delivery signed with the previous secret of a rotation, and rejects it tampered or unsigned', async () => {
    const previous = generateSecret();
    const vectorHub = hub;
    vectorHub.standIns.secrets.putSecret('model-hub/webhook-secret', JSON.stringify({ current: secret, previous }));
    // The secret is cached for minutes on Lambda; a fresh start reads the rotated value.
    await hub.close();
    hub = await startLocalHub({ dataDir, worker: false, reconcileEverySeconds: 0 });
    const body = readWebhookFixture(SIGNED_DELIVERY_FIXTURE);
    const signature = signBody(previous, body);
    const headers = {
      'Content-Type': 'application/json',
      'X-Event-Key': 'repo:push',
      'X-Request-UUID': 'bbbbbbbb-0000-4000-8000-000000000001',
    };

    const eventLog = new DynamoDbEventLog({ tableName: hub.standIns.env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
    const forgedCount = async () =>
      (await eventLog.list({ limit: 1000 }))
        .filter((event) => event.reason === 'invalid signature')
        .reduce((sum, event) => sum + (event.count ?? 0), 0);
    const forgedBefore = await forgedCount();

    const genuine = await post(hub.webhookUrl, body, { ...headers, 'X-Hub-Signature': signature });
    const tampered = await post(hub.webhookUrl, body, {
      ...headers,
      'X-Hub-Signature': signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0'),
    });
    const unsigned = await post(hub.webhookUrl, body, headers);

    // Genuine, but nfalco79/test-repos was never added: the admin sees its name in Bitbucket's "Recent events".
    expect(genuine).toEqual({ status: 403, body: `repository nfalco79/test-repos ${TEST_REPOS} is not added to this Model Hub` });
    expect(tampered).toEqual({ status: 401, body: 'invalid signature' });
    expect(unsigned).toEqual({ status: 401, body: 'invalid signature' });
    expect(await receiveAll(hub.standIns.sqs, hub.standIns.queueUrl)).toHaveLength(0);

    // All three are in the hub's unattributed events, where an admin finds them; no body is kept. The two forged
    // ones are counted on the minute's line for invalid signatures (whose first request may be another test's).
    const logged = await eventLog.list({ limit: 1000 });
    const mine = logged.filter((event) => event.requestUuid === 'bbbbbbbb-0000-4000-8000-000000000001');
    expect(mine.find((event) => event.reason === 'repository not added')).toMatchObject({
      outcome: 'rejected',
      repository: { fullName: 'nfalco79/test-repos' },
    });
    const forged = logged.filter((event) => event.reason === 'invalid signature');
    expect(forged.every((event) => event.outcome === 'rejected' && event.repository === undefined)).toBe(true);
    expect(await forgedCount()).toBe(forgedBefore + 2);
    expect(JSON.stringify(logged)).not.toContain('"push"');
  });

  it.each<[string, Buffer, Record<string, string | string[]>]>([
    ['an empty body', Buffer.alloc(0), { 'X-Event-Key': 'repo:push' }],
    [
      'binary garbage',
      Buffer.from(Array.from({ length: 4096 }, (_, index) => (index * 7919) % 256)),
      { 'Content-Type': 'application/octet-stream', 'X-Hub-Signature': `sha256=${'0'.repeat(64)}` },
    ],
    ['a wrong content type', Buffer.from('{"push":{}}'), { 'Content-Type': 'text/xml', 'X-Hub-Signature': `sha256=${'1'.repeat(64)}` }],
    ['a signature of the wrong length', Buffer.from('{}'), { 'X-Hub-Signature': 'sha256=abc' }],
    ['duplicated signature headers', Buffer.from('{}'), { 'X-Hub-Signature': [`sha256=${'2'.repeat(64)}`, `sha256=${'3'.repeat(64)}`] }],
  ])('answers 401 and queues nothing for %s', async (_case, body, headers) => {
    const response = await post(hub.webhookUrl, body, headers);
    expect(response).toEqual({ status: 401, body: 'invalid signature' });
    expect(await receiveAll(hub.standIns.sqs, hub.standIns.queueUrl)).toHaveLength(0);
  });

  it('answers 431 (not 5xx) for huge headers, before the handler runs', async () => {
    const response = await post(hub.webhookUrl, Buffer.from('{}'), { 'X-Padding': 'x'.repeat(64 * 1024) }).catch(() => ({
      status: 431,
      body: '',
    }));
    expect(response.status).toBe(431);
  });

  it('answers 404 for other routes', async () => {
    expect((await post(hub.webhookUrl.replace('/sync', '/other'), Buffer.from('{}'), {})).status).toBe(404);
  });
});
