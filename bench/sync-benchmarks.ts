/**
 * The worker's sections as deployed (git on, the default threshold): incremental syncs of N changed models, one
 * push into a large repository against a full resync of it, and what models cost to store (with the worker's
 * peak memory on a 32 MiB model). Every sync row counts REST and git requests apart, from the simulator's log.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../shared/domain/sync/derive-plan';
import type { BitbucketSimulator } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import { generateLargeModel } from '../local/generate-large-model';
import { fmt, inMib, kib, mib, rows, show, stat, type Stat } from './report';
import { log, ROOT, RTT_MS, RUNS, SLOW_RUNS } from './settings';
import { addedRepository, manyModels, modelsOf, runWorker, runWorkerBundle, type SyncMeasure } from './sync-world';

const MODEL_DIR = join(ROOT, 'test', 'fixtures', 'hackolade-models');

/** "3 REST + 2 git": a sample's requests as Bitbucket budgets them. */
export function requestsCell(measures: readonly SyncMeasure[]): string {
  const part = (s: Stat, what: string) => `${show(s, '', 0)} ${what}`;
  return `${part(stat(measures.map((m) => m.rest)), 'REST')} + ${part(stat(measures.map((m) => m.git)), 'git')}`;
}

/** Median of all requests of a sample, REST and git together. */
export const totalRequests = (measures: readonly SyncMeasure[]) => stat(measures.map((m) => m.rest + m.git)).median;

export async function benchIncremental(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
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
    // REST: getRepository + getBranchHead, the diffstat pages (up to 5,000 entries each; the bound is
    // ⌈N/500⌉, Bitbucket's default page), one download per changed model. Above the threshold, the same 3 REST
    // requests, then one shallow fetch over git (its 2 requests) instead of the downloads.
    const viaGit = n > DEFAULT_GIT_MIN_CHANGED_MODELS;
    const minimum = viaGit ? 3 + 2 : n + Math.ceil(n / 5000) + 2;
    const floorText = viaGit
      ? `${minimum} = 3 REST + 2 git (N > GIT_MIN_CHANGED_MODELS = ${DEFAULT_GIT_MIN_CHANGED_MODELS})`
      : `${minimum} REST = N + ⌈N/5000⌉ + 2`;
    const time = stat(measures.map((m) => m.ms));
    const ideal = (n * RTT_MS) / concurrency;
    const floorWithConstant = (3 + n / concurrency) * RTT_MS;
    rows.push({
      section: 'Incremental sync',
      figure: `N = ${n}: Bitbucket requests`,
      value: requestsCell(measures),
      floor: floorText,
      ratio: `${fmt(totalRequests(measures) / minimum)}×`,
    });
    rows.push({
      section: 'Incremental sync',
      figure: `N = ${n}: wall time${viaGit ? ' (over git)' : ''}`,
      value: show(time, ' ms', 0),
      floor: `${fmt(ideal, 1)} ms = N × RTT / ${concurrency} REST downloads (${fmt(floorWithConstant, 0)} ms with the 3 sequential calls)`,
      ratio: `${fmt(time.median / ideal, 1)}× (${fmt(time.median / floorWithConstant, 2)}×)`,
    });
  }
}

export async function benchOnePushInLargeRepository(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
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
  rows.push({
    section: '1 push into 2,000 models',
    figure: 'incremental vs full resync: requests',
    value: requestsCell(incremental),
    floor: `${requestsCell(full)} full resync`,
    ratio: `1 : ${fmt(totalRequests(full) / totalRequests(incremental), 1)}`,
  });
  for (const [what, pick, unit] of [
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

export async function benchStorage(simulator: BitbucketSimulator, hub: LocalHub, workerBundle: string): Promise<void> {
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

  // Peak memory of the deployed artefact: the worker bundle in a fresh node, syncing the repository (over REST:
  // a full sync that re-downloads every model each run, so the 32 MiB model is fetched, parsed, compressed and
  // chunked every time; over git, an unchanged model would not be read at all).
  const runs = [];
  for (let run = 0; run < SLOW_RUNS; run++)
    runs.push(await runWorkerBundle(simulator, hub, workerBundle, repo, { trigger: 'admin', mode: 'full' }, { GIT_SYNC: 'off' }));

  for (const record of await modelsOf(hub).listModels(repo.uuid)) {
    rows.push({
      section: 'Storage',
      figure: `${record.path.replace('models/', '')}: stored vs raw JSON bytes`,
      value: `${record.size >= 1 << 20 ? mib(record.storedBytes) : kib(record.storedBytes)} in ${1 + record.chunkCount} item(s)`,
      floor: record.size >= 1 << 20 ? mib(record.size) : kib(record.size),
      ratio: `${fmt((record.storedBytes / record.size) * 100, 1)} %`,
    });
  }
  const peak = stat(runs.map((r) => r.peakRss));
  const baseline = stat(runs.map((r) => r.baseRss));
  rows.push({
    section: 'Storage',
    figure: `worker peak RSS syncing the ${mib(large.length)} model (full sync over REST, ${show(stat(runs.map((r) => r.ms)), ' ms', 0)})`,
    value: show(inMib(peak), ' MiB', 0),
    floor: `${fmt(baseline.median / 2 ** 20, 0)} MiB after import; model ${mib(large.length)}`,
    ratio: `${fmt((peak.median - baseline.median) / large.length, 1)}× the model`,
  });
}
