import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { accessTokenSecretName } from '../../../shared/aws/access-tokens';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../local/bitbucket-simulator';
import { startQueuePoller, type QueuePoller } from '../../../local/queue-poller';
import { startLocalHub, type LocalHub } from '../../../local/runtime';
import { createWorkerDeps } from '../../../functions/worker/deps';
import { createWorkerHandler, type WorkerHandler } from '../../../functions/worker/handler';
import { TOKEN_SECRET_PREFIX } from '../../../local/stand-ins';
import { startCrashingProxy, type Crash } from '../../support/crashing-dynamodb-proxy';
import { differences, expectedModels, orphanChunks, storedModels, storesFor } from '../../support/sync-harness';
import { capturedOutput, generateRegisteredSecret, muteOutput, registerSecret } from '../../support/secret-hygiene';

/**
 * Crash safety of the real worker path (queue poller → worker handler → Bitbucket simulator and DynamoDB): the
 * worker's DynamoDB traffic goes through a proxy that kills it at a random write — before the write reaches
 * DynamoDB, or after DynamoDB applied it but before the worker heard back — and from then on fails every
 * request, as a dead process would. The worker is then stopped and restarted (a cold container: its adapters are
 * rebuilt), and the message is redelivered. After each push the stored models must equal the branch head byte
 * for byte, no sync may be left in progress, and no chunk may be left unreferenced.
 */

const MODEL_DIR = join(__dirname, '..', '..', 'fixtures', 'hackolade-models');
const REAL_MODELS = readdirSync(MODEL_DIR)
  .filter((name) => name.endsWith('.hck.json'))
  .sort()
  .map((name) => readFileSync(join(MODEL_DIR, name), 'utf8'));
/** Deterministic incompressible bytes: a body that stays over the inline limit once compressed, so it is chunked. */
function noise(seed: number, bytes: number): string {
  const parts: Buffer[] = [];
  for (let index = 0; parts.length * 32 < bytes; index++) parts.push(createHash('sha256').update(`${seed}:${index}`).digest());
  return Buffer.concat(parts).subarray(0, bytes).toString('base64');
}

function smallModel(seed: number): string {
  const base = REAL_MODELS[seed % REAL_MODELS.length]!;
  return base.replace(/"modelName":\s*"/, `$&v${seed} `);
}

function bigModel(seed: number): string {
  // ~1.1 MB of base64: ~820 KB compressed, three chunks.
  return JSON.stringify({ modelName: `big ${seed}`, dbVendor: 'MongoDB', collections: [], blob: noise(seed, 800_000) }, null, 4);
}

/** What one push does to the tree; `pick` values choose among the files present when it is applied. */
type Action =
  | { kind: 'add'; seed: number; big: boolean }
  | { kind: 'modify' | 'delete' | 'rename' | 'rename-modify'; pick: number; seed: number }
  | { kind: 'invalid'; pick: number }
  | { kind: 'hubignore'; ignoreArchive: boolean };

const action: fc.Arbitrary<Action> = fc.oneof(
  fc.record({ kind: fc.constant('add' as const), seed: fc.nat(1_000_000), big: fc.boolean() }),
  fc.record({
    kind: fc.constantFrom('modify' as const, 'delete' as const, 'rename' as const, 'rename-modify' as const),
    pick: fc.nat(),
    seed: fc.nat(1_000_000),
  }),
  fc.record({ kind: fc.constant('invalid' as const), pick: fc.nat() }),
  fc.record({ kind: fc.constant('hubignore' as const), ignoreArchive: fc.boolean() }),
);
// Most syncs here make 4-12 writes; the first one of a repository makes ~25.
const crash: fc.Arbitrary<Crash> = fc.record({
  atWrite: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 25 })),
  when: fc.constantFrom('before' as const, 'after' as const),
});
const push = fc.record({
  actions: fc.array(action, { minLength: 1, maxLength: 5 }),
  crashes: fc.array(crash, { minLength: 1, maxLength: 2 }),
});

/** Turns actions into one commit's changes against the current tree (model paths only; non-models ride along). */
function changesFor(
  actions: readonly Action[],
  tree: Map<string, string>,
): { changes: Record<string, string | null>; renames: Array<[string, string]> } {
  const changes: Record<string, string | null> = {};
  const renames: Array<[string, string]> = [];
  const touched = new Set<string>();
  let counter = tree.size;
  for (const step of actions) {
    const models = [...tree.keys()].filter((path) => path.endsWith('.hck.json') && !touched.has(path)).sort();
    const picked = 'pick' in step && models.length > 0 ? models[step.pick % models.length]! : undefined;
    const isBig = (path: string) => path.startsWith('big/');
    switch (step.kind) {
      case 'add': {
        const path = `${step.big ? 'big' : step.seed % 3 === 0 ? 'archive' : 'models'}/added-${counter++}-${step.seed}.hck.json`;
        changes[path] = step.big ? bigModel(step.seed) : smallModel(step.seed);
        touched.add(path);
        break;
      }
      case 'modify':
        if (!picked) break;
        changes[picked] = isBig(picked) ? bigModel(step.seed) : smallModel(step.seed);
        touched.add(picked);
        break;
      case 'delete':
        if (!picked) break;
        changes[picked] = null;
        touched.add(picked);
        break;
      case 'rename':
      case 'rename-modify': {
        if (!picked) break;
        const to = picked.replace(/\.hck\.json$/, `-r${step.seed}.hck.json`);
        renames.push([picked, to]);
        if (step.kind === 'rename-modify') changes[to] = isBig(picked) ? bigModel(step.seed + 1) : smallModel(step.seed + 1);
        touched.add(picked).add(to);
        break;
      }
      case 'invalid':
        if (!picked) break;
        changes[picked] = '{"modelName": "half-saved",';
        touched.add(picked);
        break;
      case 'hubignore':
        changes['.hubignore'] = step.ignoreArchive ? 'archive/\n' : '# nothing ignored\n';
        break;
    }
  }
  return { changes, renames };
}

function applyToTree(tree: Map<string, string>, changes: Record<string, string | null>, renames: Array<[string, string]>): void {
  for (const [from, to] of renames) {
    tree.set(to, tree.get(from)!);
    tree.delete(from);
  }
  for (const [path, content] of Object.entries(changes)) {
    if (content === null) tree.delete(path);
    else tree.set(path, content);
  }
}

async function until(condition: () => Promise<boolean> | boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('reliability: the worker crashed at random writes of a sync and restarted', () => {
  let simulator: BitbucketSimulator;
  let hub: LocalHub;
  let proxy: Awaited<ReturnType<typeof startCrashingProxy>>;
  let poller: QueuePoller;
  let worker: WorkerHandler;
  const workerClients: DynamoDBClient[] = [];
  /** Sync attempts that failed, as the worker logs them (the message then comes back after its visibility timeout). */
  const failedSyncs = () => capturedOutput().split('"message":"sync failed; the message will be retried"').length - 1;

  /**
   * A cold worker container: adapters, caches and clients built anew. Only the worker talks to DynamoDB through
   * the proxy; the test reads the truth directly. It logs at every level, so its failures can be counted.
   */
  function startWorkerContainer(): WorkerHandler {
    const { env } = hub.standIns;
    const dynamodb = new DynamoDBClient({
      endpoint: proxy.url,
      region: env.AWS_REGION,
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    workerClients.push(dynamodb);
    return createWorkerHandler(
      createWorkerDeps(
        { ...hub.environment, POWERTOOLS_LOG_LEVEL: 'DEBUG' },
        { dynamodb, sqs: hub.standIns.sqs, secretsManager: hub.standIns.secretsManager },
      ),
    );
  }

  beforeAll(async () => {
    muteOutput();
    simulator = await startBitbucketSimulator();
    // A failed message comes back after 1 s: the queue's visibility timeout, with the worker's own backoff off.
    hub = await startLocalHub({
      webhookSecret: generateRegisteredSecret(),
      bitbucketApiUrl: simulator.apiUrl,
      reconcileEverySeconds: 0,
      worker: false,
      visibilityTimeoutSeconds: 1,
      maxReceiveCount: 1000,
      environment: { POWERTOOLS_LOG_LEVEL: 'DEBUG', RETRY_BACKOFF_BASE_SECONDS: '0' },
    });
    proxy = await startCrashingProxy(hub.standIns.env.AWS_ENDPOINT_URL_DYNAMODB!);
    worker = startWorkerContainer();
    // Short polls: local-aws-sqs holds what a long poll received until the wait ends, while the timeout runs.
    poller = startQueuePoller({
      sqs: hub.standIns.sqs,
      queueUrl: hub.standIns.queueUrl,
      handler: (event, context) => worker(event, context),
      waitTimeSeconds: 0,
    });
  });

  afterAll(async () => {
    await poller?.stop();
    await hub?.close();
    await proxy?.close();
    await simulator?.close();
    for (const client of workerClients) client.destroy();
  });

  /** A fresh added repository with a few real models, one chunked model and a non-model file, committed (not synced). */
  async function seededRepository(name: string): Promise<{ repo: SimulatedRepository; tree: Map<string, string> }> {
    const { repositories } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    const repo = await simulator.createRepository(name);
    registerSecret(repo.token);
    hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    await repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    const tree = new Map<string, string>([
      ...REAL_MODELS.map((content, index) => [`${index % 2 ? 'archive' : 'models'}/real-${index}.hck.json`, content] as [string, string]),
      ['big/huge.hck.json', bigModel(7)],
      ['README.md', '# models\n'],
    ]);
    await repo.commit(Object.fromEntries(tree));
    return { repo, tree };
  }

  /**
   * Queues a sync of `head` the way the verifier does and lets the worker crash at each of `crashes` in turn,
   * restarting it after each, until the message is acknowledged with the repository at `head`.
   */
  async function syncThroughCrashes(repo: SimulatedRepository, head: string, crashes: readonly Crash[]): Promise<void> {
    const { repositories } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    const isAtHead = async () => {
      const state = await repositories.getSyncState(repo.uuid);
      return state.cursor === head && state.progress === undefined;
    };
    // local-aws-sqs counts in-flight (received, not yet deleted) messages in ApproximateNumberOfMessages.
    const queueIsEmpty = async () => {
      const { Attributes } = await hub.standIns.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: hub.standIns.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
        }),
      );
      return Attributes?.ApproximateNumberOfMessages === '0' && Attributes.ApproximateNumberOfMessagesNotVisible === '0';
    };
    const pending = [...crashes];
    let failuresSeen = failedSyncs();
    proxy.arm(pending.shift());
    await hub.standIns.sqs.send(
      new SendMessageCommand({
        QueueUrl: hub.standIns.queueUrl,
        MessageGroupId: repo.uuid,
        MessageDeduplicationId: head,
        MessageBody: JSON.stringify({
          version: 1,
          trigger: 'push',
          repository: { uuid: repo.uuid, fullName: repo.fullName },
          requestUuid: `crash-${head.slice(0, 12)}`,
          requestedAt: new Date().toISOString(),
        }),
      }),
    );
    for (;;) {
      // Done means: at the head, and the message acknowledged (a crash right after the cursor write leaves the
      // state final but the message to be redelivered, and that run can crash too).
      await until(async () => proxy.dead || ((await queueIsEmpty()) && (await isAtHead())), `the sync of ${head.slice(0, 7)}`);
      if (!proxy.dead) return;
      // The crashed invocation ends once its requests fail; then the worker restarts as a cold container
      // (adapters, caches and clients built again) and the message is redelivered after its visibility timeout.
      await until(() => failedSyncs() > failuresSeen, 'the crashed invocation to end');
      failuresSeen = failedSyncs();
      worker = startWorkerContainer();
      proxy.revive();
      proxy.arm(pending.shift());
    }
  }

  async function expectHeadStoredWithoutOrphans(repo: SimulatedRepository, head: string): Promise<void> {
    const { models } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    expect(differences(await expectedModels(repo, head), await storedModels(models, repo.uuid))).toEqual([]);
    expect(await orphanChunks(hub.standIns.dynamodb, hub.standIns.env.MODELS_TABLE!, repo.uuid)).toEqual([]);
  }

  it('converges to the branch head with no orphan chunks, whichever write the crash hits', async () => {
    let runs = 0;
    const crashesBefore = proxy.crashes;

    await fc.assert(
      fc.asyncProperty(fc.array(push, { minLength: 3, maxLength: 4 }), async (pushes) => {
        // Prepare
        const { repo, tree } = await seededRepository(`acme/crash-${runs++}`);
        for (const { actions, crashes } of pushes) {
          const { changes, renames } = changesFor(actions, tree);
          applyToTree(tree, changes, renames);
          const head = await repo.commit(changes, { renames });

          // Act
          await syncThroughCrashes(repo, head, crashes);

          // Assess
          await expectHeadStoredWithoutOrphans(repo, head);
        }
      }),
      { numRuns: 5, seed: 0xc2a5, endOnFailure: true },
    );
    // The property really crashed the worker, many times.
    expect(proxy.crashes - crashesBefore).toBeGreaterThanOrEqual(10);
  }, 240_000);

  it('leaves no orphan chunks when a resumed sync dies right after advancing the cursor', async () => {
    // Prepare: a synced repository, then a push that rewrites only the chunked model.
    const { repo } = await seededRepository('acme/crash-cleanup');
    await syncThroughCrashes(repo, await repo.head(), []);
    const head = await repo.commit({ 'big/huge.hck.json': bigModel(8) });
    const isModelRecordPut = (operation: string, body: string) => operation.endsWith('.PutItem') && body.includes('"model#');
    const isCursorAdvance = (operation: string, body: string) =>
      operation.endsWith('.PutItem') && body.includes('"sync"') && !body.includes('progress');

    const crashesBefore = proxy.crashes;

    // Act: die before the record write that would reference the new chunks (they are orphans now), then let the
    // resumed sync die right after its cursor write, before it could collect them.
    await syncThroughCrashes(repo, head, [
      { match: isModelRecordPut, when: 'before' },
      { match: isCursorAdvance, when: 'after' },
    ]);

    // Assess
    expect(proxy.crashes - crashesBefore).toBe(2);
    await expectHeadStoredWithoutOrphans(repo, head);
  }, 60_000);
});
