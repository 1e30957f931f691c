/**
 * `npm run bench`: measures the hub against the Bitbucket Cloud simulator (with an injected round-trip latency),
 * dynalite and local-aws-sqs, prints a table and writes docs/BENCHMARKS.md with the machine and the date.
 *
 * Every figure is a ratio against a floor measured or computed on the same machine, so it holds on a noisy one,
 * and each is the median of several runs with min and max. Configuration (environment):
 * BENCH_RTT_MS (default 20), BENCH_AWS_RTT_MS (default 5, the verifier's round trip to DynamoDB and SQS), BENCH_RUNS
 * (default 5; the slowest scenarios run ⌈BENCH_RUNS / 2⌉ + 1 times).
 * Arguments name the sections to run (`npm run bench -- verifier bundles`); without any, all run. A partial run
 * replaces only its sections' rows in docs/BENCHMARKS.md and says so there.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, tmpdir, type as osType, release } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SendMessageCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { setTimeout as delay } from 'node:timers/promises';
import type { APIGatewayProxyEventV2, Context, SQSEvent } from 'aws-lambda';
import { build } from 'esbuild';
import { accessTokenSecretName } from '../shared/aws/access-tokens';
import { DynamoDbModelStore } from '../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../shared/aws/dynamodb-repository-store';
import { DEFAULT_MODEL_PATTERN } from '../shared/domain/repository-config';
import type { SyncRequest } from '../shared/domain/sync-request';
import { signBody } from '../shared/domain/signature';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../local/bitbucket-simulator';
import { startLocalHub, type LocalHub } from '../local/runtime';
import { TOKEN_SECRET_PREFIX } from '../local/stand-ins';
import { generateLargeModel } from '../test/fixtures/hackolade-models/generate-large-model';

const ROOT = join(__dirname, '..');
const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 20);
const AWS_RTT_MS = Number(process.env.BENCH_AWS_RTT_MS ?? 5);
const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
const SLOW_RUNS = Math.ceil(RUNS / 2) + 1;
const MODEL_DIR = join(ROOT, 'test', 'fixtures', 'hackolade-models');
const PUSH_FIXTURE = join(ROOT, 'test', 'fixtures', 'bitbucket-cloud-webhooks', 'commit_created__forced-truncated.json');
const SMALL_MODEL = readFileSync(join(MODEL_DIR, 'small-neo4j-bill-of-materials.hck.json'), 'utf8');

// The SDK's notice about future Node.js versions would only clutter the output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
/** The functions' settings: their logs and metrics would only add noise (and time) to the measurements. */
const FUNCTION_SETTINGS = {
  ...process.env,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  RETRY_BACKOFF_BASE_SECONDS: '0',
};

/** Median, min and max of a sample. */
interface Stat {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly runs: number;
}

function stat(values: readonly number[]): Stat {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length / 2;
  const median = sorted.length % 2 ? sorted[Math.floor(middle)]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  return { median, min: sorted[0]!, max: sorted.at(-1)!, runs: sorted.length };
}

/** One row of the results table. */
interface Row {
  readonly section: string;
  readonly figure: string;
  readonly value: string;
  readonly floor: string;
  readonly ratio: string;
}

const rows: Row[] = [];
const fmt = (value: number, digits = 2) => (Math.abs(value) >= 100 ? value.toFixed(0) : value.toFixed(digits));
const show = (s: Stat, unit = '', digits = 2) =>
  s.min === s.max ? `${fmt(s.median, digits)}${unit}` : `${fmt(s.median, digits)}${unit} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
const log = (line: string) => process.stderr.write(`${line}\n`);
const execFileAsync = promisify(execFile);
/**
 * A plain node for child processes: without tsx's loader hooks (inherited through NODE_OPTIONS) and logs; a bundle
 * run there reads its function environment (the hub's endpoints and names) from the process environment, as on Lambda.
 */
const childEnv = (functionEnvironment: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  ...functionEnvironment,
  NODE_OPTIONS: '',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});

/** The sections, in the order they run and appear; each name is also its command-line argument. */
const SECTIONS = {
  verifier: 'Verifier',
  bundles: 'Bundles',
  incremental: 'Incremental sync',
  'large-repository': '1 push into 2,000 models',
  storage: 'Storage',
} as const;
type SectionName = keyof typeof SECTIONS;

/** The sections named on the command line (all when none is), or an error naming the valid ones. */
function selectedSections(args: readonly string[]): ReadonlySet<SectionName> {
  const names = Object.keys(SECTIONS) as SectionName[];
  const unknown = args.filter((arg) => !names.includes(arg as SectionName));
  if (unknown.length > 0) throw new Error(`unknown bench section(s) ${unknown.join(', ')}; choose from: ${names.join(', ')}`);
  return new Set(args.length > 0 ? (args as SectionName[]) : names);
}

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const simulator = await startBitbucketSimulator();
  // Every API answer waits RTT_MS: the round trip to api.bitbucket.org from a Lambda in a nearby region.
  simulator.addFault({ kind: 'latency', delayMs: RTT_MS });
  const webhookSecret = randomUUID();
  const hub = await startLocalHub({
    webhookSecret,
    bitbucketApiUrl: simulator.apiUrl,
    worker: false,
    reconcileEverySeconds: 0,
    environment: FUNCTION_SETTINGS,
  });
  const bundleDir = mkdtempSync(join(tmpdir(), 'model-hub-bench-'));
  try {
    if (sections.has('verifier')) {
      await benchVerifier(hub, webhookSecret, AWS_RTT_MS);
      await benchVerifier(hub, webhookSecret, 0);
    }
    const bundles = sections.has('bundles') || sections.has('storage') ? await benchBundles(bundleDir, sections.has('bundles')) : {};
    if (sections.has('incremental')) await benchIncremental(simulator, hub);
    if (sections.has('large-repository')) await benchOnePushInLargeRepository(simulator, hub);
    if (sections.has('storage')) await benchStorage(simulator, hub, bundles.worker!);
  } finally {
    await hub.close();
    await simulator.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  const table = renderTable(rows);
  process.stdout.write(`${table}\n(${load})\n`);
  const document = join(ROOT, 'docs', 'BENCHMARKS.md');
  if (sections.size === Object.keys(SECTIONS).length) writeFileSync(document, renderDocument(table, seconds, load));
  else writeFileSync(document, withSectionsReplaced(readFileSync(document, 'utf8'), sections, seconds, load));
  log(`wrote docs/BENCHMARKS.md (${seconds} s)`);
}

// ---------------------------------------------------------------------------------------------------------------
// Verifier

/**
 * The verifier's time per delivery against the floor (HMAC + one SendMessage), both on the same clients. With
 * `roundTripMs`, every DynamoDB and SQS call first waits that long, as the network to the AWS services does:
 * the stand-ins run in this process, so without it calls made at the same time only share one CPU.
 */
async function benchVerifier(hub: LocalHub, secret: string, roundTripMs: number): Promise<void> {
  log(`verifier: per delivery in-process vs HMAC + one SendMessage, ${roundTripMs} ms per AWS call`);
  const payload = readFileSync(PUSH_FIXTURE);
  const { uuid, full_name: fullName } = (JSON.parse(payload.toString('utf8')) as { repository: { uuid: string; full_name: string } })
    .repository;
  if (!(await repositoriesOf(hub).getRepository(uuid)))
    await repositoriesOf(hub).addRepository({ uuid, fullName, modelPattern: DEFAULT_MODEL_PATTERN, addedAt: new Date().toISOString() });
  const { verifier } = hub.functions;
  const iterations = 40 * RUNS;
  const warmup = 20;
  const removeRoundTrips = roundTripMs > 0 ? addRoundTrip([hub.standIns.dynamodb, hub.standIns.sqs], roundTripMs) : () => undefined;

  // Each delivery is a distinct body (trailing whitespace is still the same JSON), so each one is queued, not
  // answered as a duplicate: the full path, with the replay claim, the SendMessage and the events-log write.
  // (The tabs keep the bodies of the passes with and without the round trip apart.)
  const bodyFor = (index: number) => Buffer.concat([payload, Buffer.from(' '.repeat(index + 1) + '\t'.repeat(roundTripMs))]);
  const verifierTimes: number[] = [];
  const floorTimes: number[] = [];
  // One delivery, then one floor operation, in turn: on a shared machine both see the same load.
  for (let index = 0; index < warmup + iterations; index++) {
    const body = bodyFor(index);
    const event = apiEvent(body, {
      'content-type': 'application/json',
      'x-event-key': 'repo:push',
      'x-request-uuid': randomUUID(),
      'x-attempt-number': '1',
      'x-hub-signature': signBody(secret, body),
    });
    let start = process.hrtime.bigint();
    const response = await verifier(event);
    const verifierElapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (response.statusCode !== 202 || response.body !== 'queued')
      throw new Error(`verifier answered ${response.statusCode} ${response.body}`);

    start = process.hrtime.bigint();
    createHmac('sha256', secret).update(body).digest('hex');
    await hub.standIns.sqs.send(
      new SendMessageCommand({
        QueueUrl: hub.standIns.queueUrl,
        MessageBody: '{"version":1}',
        MessageGroupId: uuid,
        MessageDeduplicationId: `floor-${randomUUID()}`,
      }),
    );
    const floorElapsed = Number(process.hrtime.bigint() - start) / 1e6;
    if (index >= warmup) {
      verifierTimes.push(verifierElapsed);
      floorTimes.push(floorElapsed);
    }
  }
  removeRoundTrips();
  const verifierStat = stat(verifierTimes);
  const floorStat = stat(floorTimes);
  const where = roundTripMs > 0 ? `${roundTripMs} ms per DynamoDB/SQS call` : 'no added round trip (one CPU for all)';
  rows.push({
    section: 'Verifier',
    figure: `time per delivery, ${kib(payload.length)} push, ${where} (${iterations} deliveries)`,
    value: show(verifierStat, ' ms'),
    floor: `${show(floorStat, ' ms')} HMAC + 1 SendMessage`,
    ratio: `${fmt(verifierStat.median / floorStat.median)}×`,
  });
}

/** The part of an SDK client's middleware stack that addRoundTrip uses. */
interface RoundTripStack {
  add(middleware: (next: (args: unknown) => Promise<unknown>) => (args: unknown) => Promise<unknown>, options: object): void;
}

/** Delays every call of the clients by `ms` (a middleware); returns what removes it again. */
function addRoundTrip(clients: ReadonlyArray<DynamoDBClient | SQSClient>, ms: number): () => void {
  const name = 'benchRoundTrip';
  for (const client of clients) {
    (client.middlewareStack as unknown as RoundTripStack).add(
      (next) => async (args) => {
        await delay(ms);
        return next(args);
      },
      { step: 'initialize', name },
    );
  }
  return () => clients.forEach((client) => client.middlewareStack.remove(name));
}

function apiEvent(body: Buffer, headers: Record<string, string>): APIGatewayProxyEventV2 {
  const now = new Date();
  return {
    version: '2.0',
    routeKey: 'POST /gateway/public/sync',
    rawPath: '/gateway/public/sync',
    rawQueryString: '',
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: randomUUID(),
      http: {
        method: 'POST',
        path: '/gateway/public/sync',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'Bitbucket-Webhooks/2.0',
      },
      routeKey: 'POST /gateway/public/sync',
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.toString('utf8'),
    isBase64Encoded: false,
  };
}

// ---------------------------------------------------------------------------------------------------------------
// Bundles and cold imports

/** Builds the bundles (the storage section runs the worker's); `report` adds their sizes and imports to the table. */
async function benchBundles(dir: string, report = true): Promise<Record<string, string>> {
  log('bundles: esbuild (minified, node20 here / node24 on Lambda) and cold import in a fresh node');
  const bundles: Record<string, string> = {};
  for (const name of ['verifier', 'worker', 'reconciler']) {
    const entry = join(ROOT, 'functions', name, 'handler.ts');
    const sizes: Record<string, number> = {};
    for (const target of ['node20', 'node24']) {
      const outfile = join(dir, `${name}-${target}.js`);
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        target,
        format: 'cjs',
        minify: true,
        outfile,
        logLevel: 'silent',
        legalComments: 'none',
      });
      sizes[target] = statSync(outfile).size;
      if (target === 'node20') bundles[name] = outfile;
    }
    if (!report) continue;
    const code = readFileSync(bundles[name]!);
    const times: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      // The import only: what a cold start pays before the handler's first line runs.
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundles[name])});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      times.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    const baseline: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      const script = `const t=process.hrtime.bigint();require('node:crypto');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      baseline.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    const importStat = stat(times);
    rows.push({
      section: 'Bundles',
      figure: `${name}: bundle size (node24 build)`,
      value: `${kib(sizes.node20!)} (${kib(sizes.node24!)})`,
      floor: `${kib(gzipSync(code).length)} gzipped`,
      ratio: '',
    });
    rows.push({
      section: 'Bundles',
      figure: `${name}: cold import of the bundle`,
      value: show(importStat, ' ms', 1),
      floor: `${show(stat(baseline), ' ms', 2)} require('node:crypto')`,
      ratio: '',
    });
  }
  return bundles;
}

// ---------------------------------------------------------------------------------------------------------------
// Worker scenarios (the real handler, invoked in-process with an SQS event as Lambda would)

interface SyncMeasure {
  readonly ms: number;
  readonly requests: number;
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

async function runWorker(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  repo: SimulatedRepository,
  request: Partial<SyncRequest> = {},
): Promise<SyncMeasure> {
  const event = syncEvent(repo, request);
  const context = { getRemainingTimeInMillis: () => 900_000, functionName: 'bench', awsRequestId: randomUUID() } as unknown as Context;
  simulator.resetRequests();
  const start = process.hrtime.bigint();
  const result = await hub.functions.worker(event, context);
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  if (result.batchItemFailures.length > 0) throw new Error(`the worker failed syncing ${repo.fullName}`);
  const api = simulator.requests.filter((request) => request.origin === 'api');
  return { ms, requests: api.length, bytes: api.reduce((sum, request) => sum + request.bytes, 0) };
}

async function addedRepository(simulator: BitbucketSimulator, hub: LocalHub, name: string): Promise<SimulatedRepository> {
  const repo = await simulator.createRepository(name);
  await repositoriesOf(hub).addRepository({
    uuid: repo.uuid,
    fullName: repo.fullName,
    modelPattern: DEFAULT_MODEL_PATTERN,
    addedAt: new Date().toISOString(),
  });
  hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
  return repo;
}

/** A real small model (13.6 KiB) made distinct per path and revision. */
function modelVariant(index: number, revision: number): string {
  return SMALL_MODEL.replace(/"modelName":\s*"/, `$&m${index} r${revision} `);
}

function manyModels(count: number, revision: number, offset = 0): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, index) => [
      `models/group-${(index + offset) % 20}/model-${index + offset}.hck.json`,
      modelVariant(index + offset, revision),
    ]),
  );
}

async function benchIncremental(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
  const concurrency = Number(process.env.FETCH_CONCURRENCY ?? 8);
  const repo = await addedRepository(simulator, hub, 'bench/incremental');
  await repo.commit({ ...manyModels(1000, 0), 'README.md': '# models\n' });
  log('incremental: initial full sync of 1,000 models');
  await runWorker(simulator, hub, repo);
  let revision = 1;
  for (const n of [1, 100, 1000]) {
    const runs = n === 1000 ? SLOW_RUNS : RUNS;
    log(`incremental: ${n} changed model(s) × ${runs} runs`);
    const measures: SyncMeasure[] = [];
    for (let run = 0; run < runs; run++) {
      await repo.commit(manyModels(n, revision++));
      measures.push(await runWorker(simulator, hub, repo));
    }
    // getRepository + getBranchHead, the diffstat pages (up to 5,000 entries each; the bound is ⌈N/500⌉,
    // Bitbucket's default page), one download per changed model.
    const minimum = n + Math.ceil(n / 5000) + 2;
    const calls = stat(measures.map((m) => m.requests));
    const time = stat(measures.map((m) => m.ms));
    const ideal = (n * RTT_MS) / concurrency;
    const floorWithConstant = (3 + n / concurrency) * RTT_MS;
    rows.push({
      section: 'Incremental sync',
      figure: `N = ${n}: Bitbucket API calls`,
      value: show(calls, '', 0),
      floor: `${minimum} = N + ⌈N/5000⌉ + 2`,
      ratio: `${fmt(calls.median / minimum)}×`,
    });
    rows.push({
      section: 'Incremental sync',
      figure: `N = ${n}: wall time`,
      value: show(time, ' ms', 0),
      floor: `${fmt(ideal, 1)} ms = N × RTT / ${concurrency} (${fmt(floorWithConstant, 0)} ms with the 3 sequential calls)`,
      ratio: `${fmt(time.median / ideal, 1)}× (${fmt(time.median / floorWithConstant, 2)}×)`,
    });
  }
}

async function benchOnePushInLargeRepository(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
  const repo = await addedRepository(simulator, hub, 'bench/large');
  await repo.commit({ ...manyModels(2000, 0), 'README.md': '# models\n' });
  log('large repository: initial full sync of 2,000 models');
  await runWorker(simulator, hub, repo);
  const incremental: SyncMeasure[] = [];
  const full: SyncMeasure[] = [];
  for (let run = 0; run < SLOW_RUNS; run++) {
    log(`large repository: run ${run + 1}/${SLOW_RUNS} (1-model push, then a full resync)`);
    await repo.commit(manyModels(1, run + 1, run * 7));
    incremental.push(await runWorker(simulator, hub, repo));
    full.push(await runWorker(simulator, hub, repo, { trigger: 'admin', mode: 'full' }));
  }
  for (const [what, pick, unit] of [
    ['requests', (m: SyncMeasure) => m.requests, ''],
    ['bytes received', (m: SyncMeasure) => m.bytes, ' B'],
    ['wall time', (m: SyncMeasure) => m.ms, ' ms'],
  ] as const) {
    const inc = stat(incremental.map(pick));
    const all = stat(full.map(pick));
    rows.push({
      section: '1 push into 2,000 models',
      figure: `incremental vs full resync: ${what}`,
      value: show(inc, unit, 0),
      floor: `${show(all, unit, 0)} full resync`,
      ratio: `1 : ${fmt(all.median / inc.median, 0)}`,
    });
  }
}

async function benchStorage(simulator: BitbucketSimulator, hub: LocalHub, workerBundle: string): Promise<void> {
  log('storage: the real models and a generated 32 MiB model');
  const repo = await addedRepository(simulator, hub, 'bench/storage');
  const real = readdirSync(MODEL_DIR)
    .filter((name) => name.endsWith('.hck.json'))
    .sort();
  const large = generateLargeModel(32 * 1024 * 1024);
  await repo.commit({
    ...Object.fromEntries(real.map((name) => [`models/${name}`, readFileSync(join(MODEL_DIR, name))])),
    'models/generated-32mib.hck.json': large,
  });

  // Peak memory of the deployed artefact: the worker bundle in a fresh node, syncing the repository (a full sync
  // each run, so the 32 MiB model is fetched, parsed, compressed and chunked every time).
  const peaks: number[] = [];
  const baselines: number[] = [];
  const times: number[] = [];
  for (let run = 0; run < SLOW_RUNS; run++) {
    const event = syncEvent(repo, { trigger: 'admin', mode: 'full' });
    const script = [
      // VmHWM is the peak RSS of this process image; getrusage's maxRSS survives exec on Linux and would report
      // the (much larger) benchmark process that spawned it.
      "const hwm = () => { try { return Number(/VmHWM:\\s+(\\d+)/.exec(require('node:fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch { return process.resourceUsage().maxRSS; } };",
      `const { handler } = require(${JSON.stringify(workerBundle)});`,
      'const base = hwm(); const t = Date.now();',
      `handler(${JSON.stringify(event)}, { getRemainingTimeInMillis: () => 900000, functionName: 'bench', awsRequestId: 'bench' })`,
      '.then((r) => process.stdout.write(JSON.stringify({ base, peak: hwm(), ms: Date.now() - t, failed: r.batchItemFailures.length })));',
    ].join('\n');
    // Asynchronously: the stand-ins and the simulator live in this process and must keep answering.
    const output = JSON.parse(
      (await execFileAsync(process.execPath, ['-e', script], { env: childEnv(hub.environment), maxBuffer: 1 << 20 })).stdout,
    ) as { base: number; peak: number; ms: number; failed: number };
    if (output.failed > 0) throw new Error('the worker bundle failed syncing the storage repository');
    peaks.push(output.peak * 1024);
    baselines.push(output.base * 1024);
    times.push(output.ms);
  }

  const store = new DynamoDbModelStore({ tableName: hub.standIns.env.MODELS_TABLE!, client: hub.standIns.dynamodb });
  for (const record of await store.listModels(repo.uuid)) {
    rows.push({
      section: 'Storage',
      figure: `${record.path.replace('models/', '')}: stored vs raw JSON bytes`,
      value: `${record.size >= 1 << 20 ? mib(record.storedBytes) : kib(record.storedBytes)} in ${1 + record.chunkCount} item(s)`,
      floor: record.size >= 1 << 20 ? mib(record.size) : kib(record.size),
      ratio: `${fmt((record.storedBytes / record.size) * 100, 1)} %`,
    });
  }
  const peak = stat(peaks);
  const baseline = stat(baselines);
  rows.push({
    section: 'Storage',
    figure: `worker peak RSS syncing the ${mib(large.length)} model (full sync, ${show(stat(times), ' ms', 0)})`,
    value: show({ ...peak, median: peak.median / 2 ** 20, min: peak.min / 2 ** 20, max: peak.max / 2 ** 20 }, ' MiB', 0),
    floor: `${fmt(baseline.median / 2 ** 20, 0)} MiB after import; model ${mib(large.length)}`,
    ratio: `${fmt((peak.median - baseline.median) / large.length, 1)}× the model`,
  });
}

function repositoriesOf(hub: LocalHub): DynamoDbRepositoryStore {
  return new DynamoDbRepositoryStore({ tableName: hub.standIns.env.REPOSITORIES_TABLE!, client: hub.standIns.dynamodb });
}

// ---------------------------------------------------------------------------------------------------------------
// Output

const TABLE_HEADER = '| Section | Figure | Measured: median (min–max) | Floor / baseline | Ratio |';

function renderTable(tableRows: readonly Row[]): string {
  const lines = tableRows.map((row) => `| ${row.section} | ${row.figure} | ${row.value} | ${row.floor} | ${row.ratio} |`);
  return [TABLE_HEADER, '|---|---|---|---|---|', ...lines].join('\n');
}

function machineLine(): string {
  const cpu = cpus();
  return `${cpu[0]?.model.trim() ?? 'unknown CPU'}, ${cpu.length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, ${osType()} ${release()}, Node ${process.version}`;
}

const now = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z');

function renderDocument(table: string, seconds: number, load: string): string {
  const notes = readFileSync(join(__dirname, 'notes.md'), 'utf8');
  return [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`bench/run.ts`); do not edit by hand, re-run it.',
    '',
    `- Date: ${now()}`,
    `- Machine: ${machineLine()} (${load})`,
    `- Command: \`BENCH_RTT_MS=${RTT_MS} BENCH_RUNS=${RUNS} npm run bench\` (${seconds} s)`,
    `- Set-up: Bitbucket Cloud simulator with ${RTT_MS} ms injected on every API answer (a latency fault), dynalite and local-aws-sqs on loopback, the real handlers. Each figure is the median of ${RUNS} runs (${SLOW_RUNS} for the 1,000-model, 2,000-model and 32 MiB scenarios; the verifier ${40 * RUNS} deliveries after 20 warm-up ones), with min–max in brackets. Storage sizes are deterministic (one value).`,
    '',
    table,
    '',
    notes.trim(),
    '',
  ].join('\n');
}

/**
 * The document with the rows of the sections just measured replaced (in section order) and a line saying when,
 * on what and under which load they were; the other rows are kept as they were, the notes are read anew.
 */
function withSectionsReplaced(document: string, sections: ReadonlySet<SectionName>, seconds: number, load: string): string {
  const lines = document.split('\n');
  const headerAt = lines.indexOf(TABLE_HEADER);
  if (headerAt < 0) throw new Error('docs/BENCHMARKS.md has no results table; run the whole bench once (npm run bench)');
  let endAt = headerAt + 2;
  while (endAt < lines.length && lines[endAt]!.startsWith('| ')) endAt++;
  const measured = new Set([...sections].map((name) => SECTIONS[name] as string));
  const kept = lines.slice(headerAt + 2, endAt).map((line) => ({ section: line.split(' | ')[0]!.slice(2), line }));
  const fresh = renderTable(rows).split('\n').slice(2);
  const table = Object.values(SECTIONS).flatMap((section) =>
    measured.has(section)
      ? fresh.filter((line) => line.startsWith(`| ${section} | `))
      : kept.filter((row) => row.section === section).map((row) => row.line),
  );
  const names = [...sections].join(' ');
  const note = `- Re-measured: ${[...measured].join(', ')} on ${now()} with \`BENCH_RTT_MS=${RTT_MS} BENCH_RUNS=${RUNS} npm run bench -- ${names}\` (${seconds} s; ${machineLine()}; ${load}). The other rows are from the date above.`;
  // An earlier partial run's line goes only when all of its sections were measured again now.
  const superseded = (line: string) =>
    line.startsWith('- Re-measured: ') &&
    Object.values(SECTIONS).every((section) => !line.slice(0, line.indexOf(' on ')).includes(section) || measured.has(section));
  const head = lines.slice(0, headerAt).filter((line) => !superseded(line));
  while (head.at(-1) === '') head.pop();
  const notes = readFileSync(join(__dirname, 'notes.md'), 'utf8');
  return [...head, note, '', TABLE_HEADER, '|---|---|---|---|---|', ...table, '', notes.trim(), ''].join('\n');
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
