/**
 * Change events survive a worker that dies: the real worker path (queue poller → worker handler → Bitbucket
 * simulator over git and REST → DynamoDB through a proxy that kills it at a chosen write) with the local pipe
 * delivering events from the change records. A worker killed right after a model write, or right after the
 * records were written, is restarted; every committed change is then delivered, exactly once per idempotency key
 * after dedup. A write no commit ever covers is announced never.
 */
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../local/bitbucket-simulator';
import type { DeliveredChangeEvent } from '../../../local/change-event-pipe';
import { startQueuePoller, type QueuePoller } from '../../../local/queue-poller';
import { startLocalHub, type LocalHub } from '../../../local/runtime';
import { TOKEN_SECRET_PREFIX } from '../../../local/stand-ins';
import { createWorkerDeps } from '../../../functions/worker/deps';
import { createWorkerHandler, type WorkerHandler } from '../../../functions/worker/handler';
import { accessTokenSecretName } from '../../../shared/aws/access-tokens';
import type { ModelChangedDetail } from '../../../shared/domain/changes/change-records';
import { startCrashingProxy, type Crash } from '../../support/crashing-dynamodb-proxy';
import { generateRegisteredSecret, muteOutput, registerSecret } from '../../support/secret-hygiene';
import { storesFor } from '../../support/sync-harness';

const model = (name: string) => JSON.stringify({ modelName: name, dbVendor: 'MongoDB', appTarget: 'MONGODB', collections: [] });
/** The PutItem of a model record (not the intent written before it, in the changes table, under the same key). */
const isModelRecordPut = (operation: string, body: string) =>
  operation.endsWith('.PutItem') && body.includes('"TableName":"model-hub-models"') && body.includes('"model#');
const isFeedWrite = (operation: string, body: string) => operation.endsWith('.BatchWriteItem') && body.includes('{"S":"feed"}');

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('reliability: change events of a worker killed between its writes and its events', () => {
  let simulator: BitbucketSimulator;
  let hub: LocalHub;
  let proxy: Awaited<ReturnType<typeof startCrashingProxy>>;
  let poller: QueuePoller;
  let worker: WorkerHandler;
  let failures = 0;
  const clients: DynamoDBClient[] = [];

  /** A cold worker container talking to DynamoDB through the proxy. */
  function startWorkerContainer(): WorkerHandler {
    const { env } = hub.standIns;
    const dynamodb = new DynamoDBClient({
      endpoint: proxy.url,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    clients.push(dynamodb);
    return createWorkerHandler(
      createWorkerDeps(hub.environment, { dynamodb, sqs: hub.standIns.sqs, secretsManager: hub.standIns.secretsManager }),
    );
  }

  beforeAll(async () => {
    muteOutput();
    simulator = await startBitbucketSimulator();
    hub = await startLocalHub({
      webhookSecret: generateRegisteredSecret(),
      bitbucketApiUrl: simulator.apiUrl,
      reconcileEverySeconds: 0,
      worker: false,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 1000,
      environment: { RETRY_BACKOFF_BASE_SECONDS: '0' },
    });
    proxy = await startCrashingProxy(hub.standIns.env.AWS_ENDPOINT_URL_DYNAMODB!);
    worker = startWorkerContainer();
    poller = startQueuePoller({
      sqs: hub.standIns.sqs,
      queueUrl: hub.standIns.queueUrl,
      handler: async (event, context) => {
        const response = await worker(event, context);
        failures += response?.batchItemFailures.length ?? 0;
        return response;
      },
      waitTimeSeconds: 0,
    });
  });

  afterAll(async () => {
    await poller?.stop();
    await hub?.close();
    await proxy?.close();
    await simulator?.close();
    for (const client of clients) client.destroy();
  });

  async function addedRepository(name: string, files: Record<string, string>): Promise<SimulatedRepository> {
    const repo = await simulator.createRepository(name);
    registerSecret(repo.token);
    hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    await storesFor(hub.standIns.dynamodb, hub.standIns.env).repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    await repo.commit(files);
    return repo;
  }

  const queueIsEmpty = async () => {
    const { Attributes } = await hub.standIns.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: hub.standIns.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
  };

  /** Queues a push of `repo`; the worker dies at `crash` (if any) and restarts; `beforeRestart` runs in between. */
  async function syncThroughCrash(repo: SimulatedRepository, crash?: Crash, beforeRestart?: () => Promise<void>): Promise<void> {
    const failed = failures;
    proxy.arm(crash);
    await hub.standIns.sqs.send(
      new SendMessageCommand({
        QueueUrl: hub.standIns.queueUrl,
        MessageGroupId: repo.uuid,
        MessageDeduplicationId: `${repo.uuid}-${await repo.head()}`,
        MessageBody: JSON.stringify({
          version: 1,
          trigger: 'push',
          repository: { uuid: repo.uuid, fullName: repo.fullName },
          requestUuid: `events-${(await repo.head()).slice(0, 12)}`,
          requestedAt: new Date().toISOString(),
        }),
      }),
    );
    if (crash) {
      await until(() => proxy.dead && failures > failed, 'the killed invocation to end');
      await beforeRestart?.();
      worker = startWorkerContainer();
      proxy.revive();
    }
    await until(queueIsEmpty, 'the message to be acknowledged');
    await hub.changeEvents!.drained();
  }

  const eventsOf = (repo: SimulatedRepository): DeliveredChangeEvent[] =>
    hub.changeEvents!.delivered().filter((event) => event.detail.repository.uuid === repo.uuid);
  /** What a consumer that remembers idempotency keys acts on. */
  const deduped = (events: readonly DeliveredChangeEvent[]) => [
    ...new Map(events.map((event) => [event.detail.idempotencyKey, event])).values(),
  ];
  const describe = (events: readonly DeliveredChangeEvent[]) =>
    events
      .map((event) =>
        event['detail-type'] === 'Model Changed'
          ? `${(event.detail as ModelChangedDetail).change} ${(event.detail as ModelChangedDetail).path}`
          : event['detail-type'],
      )
      .sort();

  it('delivers the event of a model written right before the worker died, once per key, though the retry no longer writes it', async () => {
    const repo = await addedRepository('acme/events-killed-after-write', {
      'models/a.hck.json': model('A'),
      'models/b.hck.json': model('B'),
      'models/c.hck.json': model('C'),
    });

    await syncThroughCrash(repo, { match: isModelRecordPut, when: 'after' });

    expect(proxy.crashes).toBeGreaterThanOrEqual(1);
    const events = eventsOf(repo);
    expect(describe(deduped(events))).toEqual([
      'Repository Synced',
      'added models/a.hck.json',
      'added models/b.hck.json',
      'added models/c.hck.json',
    ]);
    expect(deduped(events)).toHaveLength(events.length);
    expect(events.find((event) => event['detail-type'] === 'Repository Synced')!.detail).toMatchObject({
      toCommit: await repo.head(),
      counts: { added: 3, modified: 0, removed: 0, renamed: 0 },
    });
  }, 90_000);

  it('delivers again, under the same idempotency keys, what a worker killed right after writing the records commits again', async () => {
    const repo = await addedRepository('acme/events-killed-after-records', { 'a.hck.json': model('A'), 'b.hck.json': model('B') });
    await syncThroughCrash(repo);
    const before = eventsOf(repo).length;
    await repo.commit({ 'a.hck.json': model('A2'), 'b.hck.json': null, 'c.hck.json': model('C') });

    await syncThroughCrash(repo, { match: isFeedWrite, when: 'after' });

    const events = eventsOf(repo).slice(before);
    expect(describe(deduped(events))).toEqual(['Repository Synced', 'added c.hck.json', 'modified a.hck.json', 'removed b.hck.json']);
    // Delivered at least once: the first commit's records and the retry's, with the same keys.
    expect(events.length).toBeGreaterThan(deduped(events).length);
  }, 90_000);

  it('announces nothing of a write that no commit covers: the repository was removed before the retry', async () => {
    const repo = await addedRepository('acme/events-never-committed', { 'x.hck.json': model('X'), 'y.hck.json': model('Y') });

    await syncThroughCrash(repo, { match: isModelRecordPut, when: 'after' }, async () => {
      await storesFor(hub.standIns.dynamodb, hub.standIns.env).repositories.removeRepository(repo.uuid);
    });

    const { models } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    // The killed run wrote models (the writes in flight with the one it died at landed too)...
    expect((await models.listModels(repo.uuid)).length).toBeGreaterThanOrEqual(1);
    // ...and never committed them: nothing was announced.
    expect(eventsOf(repo)).toEqual([]);
  }, 90_000);
});
