/**
 * What the sync sections share: repositories of generated models in the simulator, added to the local hub; the
 * real worker handler run on them (in-process, or its bundle in a child process for peak memory); and what a run
 * cost, counted by the simulator (the server's view: REST and git requests apart, as Bitbucket budgets them).
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Context, SQSEvent } from 'aws-lambda';
import { accessTokenSecretName } from '../shared/aws/access-tokens';
import { DynamoDbModelStore } from '../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../shared/aws/dynamodb-repository-store';
import { DEFAULT_MODEL_PATTERN } from '../shared/models/model-selection';
import type { SyncRequest } from '../shared/domain/sync-request';
import { createWorkerDeps } from '../functions/worker/deps';
import { createWorkerHandler, type WorkerHandler } from '../functions/worker/handler';
import type { BitbucketSimulator, SimulatedRepository } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import { TOKEN_SECRET_PREFIX } from '../local/stand-ins';
import { childEnv, execFileAsync, ROOT } from './settings';
import { WORKER_NODE_OPTIONS } from '../infra/constructs/worker-node-options';

const SMALL_MODEL = readFileSync(join(ROOT, 'test', 'fixtures', 'hackolade-models', 'small-neo4j-bill-of-materials.hck.json'), 'utf8');

/** What one sync cost: wall time, and the requests and bytes the simulator served. */
export interface SyncMeasure {
  readonly ms: number;
  /** REST API requests (`/2.0/...`): the per-token budget of 1,000–10,000 an hour. */
  readonly rest: number;
  /** git smart-HTTP requests: their own budget of 60,000 an hour. */
  readonly git: number;
  /** Bytes served, REST, git and the LFS media host together. */
  readonly bytes: number;
}

/** One SQS record asking the worker to sync `repo`, shaped as Lambda's event source mapping delivers it. */
function syncEvent(repo: SimulatedRepository, request: Partial<SyncRequest> = {}): SQSEvent {
  const body: SyncRequest = {
    version: 1,
    trigger: 'reconcile',
    repository: { uuid: repo.uuid, fullName: repo.fullName },
    requestUuid: randomUUID(),
    requestedAt: new Date().toISOString(),
    ...request,
  };
  return {
    Records: [
      {
        messageId: randomUUID(),
        receiptHandle: 'bench',
        body: JSON.stringify(body),
        md5OfBody: '',
        eventSource: 'aws:sqs',
        awsRegion: 'us-east-1',
        messageAttributes: {},
        eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:model-hub-sync.fifo',
        attributes: {
          ApproximateReceiveCount: '1',
          SentTimestamp: '0',
          SenderId: 'bench',
          ApproximateFirstReceiveTimestamp: '0',
          MessageGroupId: repo.uuid,
          MessageDeduplicationId: body.requestUuid,
        },
      },
    ],
  };
}

/** The simulator's requests since the last reset, counted the way Bitbucket budgets them. */
function servedRequests(simulator: BitbucketSimulator): Omit<SyncMeasure, 'ms'> {
  const count = (origin: string) => simulator.requests.filter((request) => request.origin === origin).length;
  return { rest: count('api'), git: count('git'), bytes: simulator.requests.reduce((sum, request) => sum + request.bytes, 0) };
}

/**
 * A worker "container" with settings of its own on top of the hub's (GIT_SYNC, GIT_MIN_CHANGED_MODELS), on the
 * hub's stand-ins: a REST-only and a git-enabled worker can then sync the same repository in turn.
 */
export function workerWith(hub: LocalHub, settings: Readonly<Record<string, string>>): WorkerHandler {
  const { dynamodb, sqs, secretsManager } = hub.standIns;
  return createWorkerHandler(createWorkerDeps({ ...hub.environment, ...settings }, { dynamodb, sqs, secretsManager }));
}

/** Runs `worker` (the hub's by default) on one sync request of `repo`; fails unless the sync succeeded. */
export async function runWorker(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  repo: SimulatedRepository,
  request: Partial<SyncRequest> = {},
  worker: WorkerHandler = hub.functions.worker,
): Promise<SyncMeasure> {
  const event = syncEvent(repo, request);
  const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'bench', awsRequestId: randomUUID() } as unknown as Context;
  simulator.resetRequests();
  const start = process.hrtime.bigint();
  const result = await worker(event, context);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.batchItemFailures.length > 0) throw new Error(`the worker failed syncing ${repo.fullName}`);
  return { ms, ...servedRequests(simulator) };
}

/** What a run of the worker bundle in a fresh node reports: its resident memory after import and at its peak. */
export interface BundleRun extends SyncMeasure {
  readonly baseRss: number;
  readonly peakRss: number;
}

/**
 * Runs the deployed artefact (the worker bundle) in a fresh node on one sync request of `repo`, with the hub's
 * function environment plus `settings`: its peak RSS is then the worker's own, not the bench's.
 */
export async function runWorkerBundle(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  workerBundle: string,
  repo: SimulatedRepository,
  request: Partial<SyncRequest>,
  settings: Readonly<Record<string, string>> = {},
): Promise<BundleRun> {
  const event = syncEvent(repo, request);
  const script = [
    // VmHWM is the peak RSS of this process image; getrusage's maxRSS survives exec on Linux and would report
    // the (much larger) benchmark process that spawned it.
    "const hwm = () => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } };",
    `const { handler } = require(${JSON.stringify(workerBundle)});`,
    'const base = hwm(); const t = process.hrtime.bigint();',
    `handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 900000, functionName: 'bench', awsRequestId: 'bench' })`,
    '.then((r) => process.stdout.write(JSON.stringify({ base, peak: hwm(), ms: Number(process.hrtime.bigint() - t) / 1e6, failed: r.batchItemFailures.length })));',
  ].join('\n');
  simulator.resetRequests();
  // Asynchronously: the stand-ins and the simulator live in this process and must keep answering.
  const output = JSON.parse(
    (
      await execFileAsync(process.execPath, ['-e', script], {
        env: { ...childEnv({ ...hub.environment, ...settings }), NODE_OPTIONS: WORKER_NODE_OPTIONS },
        maxBuffer: 1 << 20,
      })
    ).stdout,
  ) as { base: number; peak: number; ms: number; failed: number };
  if (output.failed > 0) throw new Error(`the worker bundle failed syncing ${repo.fullName}`);
  return { ms: output.ms, ...servedRequests(simulator), baseRss: output.base * 1024, peakRss: output.peak * 1024 };
}

export function repositoriesOf(hub: LocalHub): DynamoDbRepositoryStore {
  return new DynamoDbRepositoryStore({ tableName: hub.standIns.env.REPOSITORIES_TABLE!, client: hub.standIns.dynamodb });
}

export function modelsOf(hub: LocalHub): DynamoDbModelStore {
  return new DynamoDbModelStore({ tableName: hub.standIns.env.MODELS_TABLE!, client: hub.standIns.dynamodb });
}

/** A new simulator repository, added to the hub with its access token. */
export async function addedRepository(simulator: BitbucketSimulator, hub: LocalHub, name: string): Promise<SimulatedRepository> {
  const repo = await simulator.createRepository(name);
  await addToHub(hub, repo);
  return repo;
}

async function addToHub(hub: LocalHub, repo: SimulatedRepository): Promise<void> {
  await repositoriesOf(hub).addRepository({
    uuid: repo.uuid,
    fullName: repo.fullName,
    modelPattern: DEFAULT_MODEL_PATTERN,
    addedAt: new Date().toISOString(),
    generation: randomUUID(),
  });
  hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
}

/** Removes the repository from the hub (configuration, sync state, models) and adds it again: its next sync is an initial one. */
export async function readdedRepository(hub: LocalHub, repo: SimulatedRepository): Promise<void> {
  await repositoriesOf(hub).removeRepository(repo.uuid);
  await modelsOf(hub).deleteRepository(repo.uuid);
  await addToHub(hub, repo);
}

/** Each stored model's record version: two of these taken around a sync tell how many models it wrote. */
export async function modelVersions(hub: LocalHub, repo: SimulatedRepository): Promise<Map<string, string>> {
  return new Map((await modelsOf(hub).listModels(repo.uuid)).map((record) => [record.path, record.version]));
}

/** How many models were written, added or removed between two {@link modelVersions}. */
export function modelsWritten(before: ReadonlyMap<string, string>, after: ReadonlyMap<string, string>): number {
  const paths = new Set([...before.keys(), ...after.keys()]);
  return [...paths].filter((path) => before.get(path) !== after.get(path)).length;
}

/** A real small model (13.6 KiB) made distinct per path and revision. */
function modelVariant(index: number, revision: number): string {
  return SMALL_MODEL.replace(/"modelName":\s*"/, `$&m${index} r${revision} `);
}

/** `count` models at stable paths (index `offset` on), all at `revision`. */
export function manyModels(count: number, revision: number, offset = 0): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `models/group-${(index + offset) % 20}/model-${index + offset}.hck.json`,
      modelVariant(index + offset, revision),
    ]),
  );
}
