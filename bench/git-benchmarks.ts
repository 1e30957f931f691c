/**
 * The git sections. "Bulk sync over git": what git buys where REST costs one request per model (initial syncs of
 * 5,000 and 10,000 models, a 1,000-model push, a full resync of an unchanged repository), each against the
 * REST-only path (GIT_SYNC=off) on the same repository, with the issue's request targets checked. "REST vs git
 * by changed models": the incremental push timed both ways for a range of N on a small and a large repository,
 * which is what GIT_MIN_CHANGED_MODELS (the point above which a diff is read from a git snapshot) is chosen from.
 */
import type { BitbucketSimulator, SimulatedRepository } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import type { SyncRequest } from '../shared/domain/sync-request';
import { fmt, inMib, rows, show, stat } from './report';
import { log, RTT_MS, RUNS, SLOW_RUNS } from './settings';
import { requestsCell, totalRequests } from './sync-benchmarks';
import {
  addedRepository,
  manyModels,
  modelsWritten,
  modelVersions,
  readdedRepository,
  runWorker,
  runWorkerBundle,
  workerWith,
  type BundleRun,
  type SyncMeasure,
} from './sync-world';

const BULK = 'Bulk sync over git';
const SWEEP = 'REST vs git by changed models';
const REST_ONLY = { GIT_SYNC: 'off' } as const;
/** Git whenever a diff plans any op: the git side of the sweep. */
const GIT_ALWAYS = { GIT_SYNC: 'on', GIT_MIN_CHANGED_MODELS: '0' } as const;
/** The issue's targets for an initial sync and a 1,000-model push over git. */
const TARGET = { rest: 10, git: 6 } as const;

/** `sync --verify`: sync to the head (nothing to do here), then compare every stored model with the head's tree. */
const VERIFY: Partial<SyncRequest> = { trigger: 'admin', verify: true };
const FULL_RESYNC: Partial<SyncRequest> = { trigger: 'admin', mode: 'full' };

const withCommas = (n: number) => n.toLocaleString('en-US');
const msCell = (measures: readonly SyncMeasure[]) => show(stat(measures.map((m) => m.ms)), ' ms', 0);
const ratio = (a: number, b: number) => (a >= b ? `1 : ${fmt(a / b, 1)}` : `${fmt(b / a, 1)} : 1`);

/** "met" or "MISSED", with the figures, for a sample against the request targets (also told on stderr). */
function targetCheck(what: string, measures: readonly SyncMeasure[], limit: { rest: number; git: number }): string {
  const rest = Math.max(...measures.map((m) => m.rest));
  const git = Math.max(...measures.map((m) => m.git));
  const met = rest <= limit.rest && git <= limit.git;
  const text = `target ≤ ${limit.rest} REST, ≤ ${limit.git} git: ${met ? 'met' : 'MISSED'}`;
  log(`${what}: ${text} (worst run ${rest} REST, ${git} git)`);
  return text;
}

export async function benchBulkGit(simulator: BitbucketSimulator, hub: LocalHub, workerBundle: string): Promise<void> {
  const repo = await addedRepository(simulator, hub, 'bench/bulk-git');
  await repo.commit({ ...manyModels(5000, 0), 'README.md': '# models\n' });
  await initialSyncs(simulator, hub, workerBundle, repo, 5000);
  await repo.commit(manyModels(5000, 0, 5000));
  const restInitial = await initialSyncs(simulator, hub, workerBundle, repo, 10000);

  // A push changing 1,000 models: the deployed default against REST only, in turn.
  const git = workerWith(hub, {});
  const rest = workerWith(hub, REST_ONLY);
  const pushGit: SyncMeasure[] = [];
  const pushRest: SyncMeasure[] = [];
  let revision = 1;
  for (let run = 0; run < SLOW_RUNS; run++) {
    log(`bulk git: 1,000-model push into 10,000 models, run ${run + 1}/${SLOW_RUNS} (git, then REST only)`);
    await repo.commit(manyModels(1000, revision++, run * 1000));
    pushGit.push(await runWorker(simulator, hub, repo, {}, git));
    await repo.commit(manyModels(1000, revision++, run * 1000));
    pushRest.push(await runWorker(simulator, hub, repo, {}, rest));
  }
  rows.push({
    section: BULK,
    figure: `push changing 1,000 of 10,000 models: requests (${targetCheck('1,000-model push', pushGit, TARGET)})`,
    value: requestsCell(pushGit),
    floor: `${requestsCell(pushRest)} REST only`,
    ratio: ratio(totalRequests(pushRest), totalRequests(pushGit)),
  });
  rows.push({
    section: BULK,
    figure: 'push changing 1,000 of 10,000 models: wall time',
    value: msCell(pushGit),
    floor: `${msCell(pushRest)} REST only`,
    ratio: ratio(stat(pushRest.map((m) => m.ms)).median, stat(pushGit.map((m) => m.ms)).median),
  });

  const onePush: SyncMeasure[] = [];
  for (let run = 0; run < RUNS; run++) {
    await repo.commit(manyModels(1, revision++, run * 13));
    onePush.push(await runWorker(simulator, hub, repo, {}, git));
  }
  rows.push({
    section: BULK,
    figure: `1-model push into 10,000 models: requests, wall time (${targetCheck('1-model push', onePush, { rest: 4, git: 0 })})`,
    value: `${requestsCell(onePush)}; ${msCell(onePush)}`,
    floor: `4 REST + 0 git; ${fmt(4 * RTT_MS, 0)} ms = 4 × RTT`,
    ratio: `${fmt(stat(onePush.map((m) => m.ms)).median / (4 * RTT_MS), 1)}× the time`,
  });

  // An unchanged repository verified, then read again: over git nothing is downloaded model by model, nothing written.
  const runs: Record<'verify' | 'resync', SyncMeasure[]> = { verify: [], resync: [] };
  const written: Record<'verify' | 'resync', number[]> = { verify: [], resync: [] };
  for (let run = 0; run < SLOW_RUNS; run++) {
    log(`bulk git: unchanged 10,000 models, sync --verify then a full resync, run ${run + 1}/${SLOW_RUNS}`);
    for (const [kind, request] of [
      ['verify', VERIFY],
      ['resync', FULL_RESYNC],
    ] as const) {
      const before = await modelVersions(hub, repo);
      runs[kind].push(await runWorker(simulator, hub, repo, request, git));
      written[kind].push(modelsWritten(before, await modelVersions(hub, repo)));
    }
  }
  // Over REST, comparing every model means listing and downloading each (Bitbucket's listing carries no content
  // hash), as the initial sync did: that run is the floor rather than another minutes-long one.
  const restFloor = `${requestsCell(restInitial)}; ${msCell(restInitial)} REST only (its initial sync: every model downloaded)`;
  for (const [kind, title] of [
    ['verify', '`sync --verify`'],
    ['resync', 'full resync'],
  ] as const) {
    const most = Math.max(...written[kind]);
    rows.push({
      section: BULK,
      figure: `unchanged 10,000 models, ${title}: requests, wall time; models written (must be 0: ${most === 0 ? 'met' : 'MISSED'})`,
      value: `${requestsCell(runs[kind])}; ${msCell(runs[kind])}; ${show(stat(written[kind]), '', 0)} written`,
      floor: restFloor,
      ratio: `${ratio(totalRequests(restInitial), totalRequests(runs[kind]))} requests, ${ratio(restInitial[0]!.ms, stat(runs[kind].map((m) => m.ms)).median)} time`,
    });
    if (most !== 0) log(`bulk git: ${title} of an unchanged repository wrote ${most} models (must be 0)`);
  }
}

/**
 * Initial syncs of the repository's `count` models: REST only, then over git, each into an emptied hub repository
 * (the git one leaves it synced). Returns the REST-only run.
 */
async function initialSyncs(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  workerBundle: string,
  repo: SimulatedRepository,
  count: number,
): Promise<BundleRun[]> {
  const runs: Record<'rest' | 'git', BundleRun[]> = { rest: [], git: [] };
  // One run each: a 10,000-model initial sync over REST takes about a minute on two cores.
  for (const [kind, settings] of [
    ['rest', REST_ONLY],
    ['git', {}],
  ] as const) {
    log(
      `bulk git: initial sync of ${withCommas(count)} models, ${kind === 'rest' ? 'REST only' : 'git'} (worker bundle in a child process)`,
    );
    await readdedRepository(hub, repo);
    runs[kind].push(await runWorkerBundle(simulator, hub, workerBundle, repo, { trigger: 'admin', mode: 'full' }, settings));
  }
  const name = `initial sync of ${withCommas(count)} models`;
  rows.push({
    section: BULK,
    figure: `${name}: requests${count === 5000 ? ` (${targetCheck(name, runs.git, TARGET)})` : ''}`,
    value: requestsCell(runs.git),
    floor: `${requestsCell(runs.rest)} REST only`,
    ratio: ratio(totalRequests(runs.rest), totalRequests(runs.git)),
  });
  rows.push({
    section: BULK,
    figure: `${name}: wall time`,
    value: msCell(runs.git),
    floor: `${msCell(runs.rest)} REST only; ${fmt((count * RTT_MS) / 8 / 1000, 1)} s = N × RTT / 8 REST downloads`,
    ratio: ratio(runs.rest[0]!.ms, runs.git[0]!.ms),
  });
  const peak = (kind: 'rest' | 'git') => show(inMib(stat(runs[kind].map((r) => r.peakRss))), ' MiB', 0);
  const base = stat(runs.git.map((r) => r.baseRss)).median;
  rows.push({
    section: BULK,
    figure: `${name}: worker peak RSS (its bundle in a fresh node)`,
    value: peak('git'),
    floor: `${peak('rest')} REST only; ${fmt(base / 2 ** 20, 0)} MiB after import`,
    ratio: `${fmt((runs.git[0]!.peakRss - base) / 2 ** 20 / count, 3)} MiB per model`,
  });
  return runs.rest;
}

/** Changed-model counts of the sweep, and the repository sizes it runs on. */
const SWEEP_N = [1, 10, 25, 50, 100, 200, 500];
const SWEEP_SIZES = [1000, 10000];

export async function benchRestVersusGit(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
  const runs = Math.max(3, Math.ceil(RUNS / 2));
  const rest = workerWith(hub, REST_ONLY);
  const git = workerWith(hub, GIT_ALWAYS);
  for (const size of SWEEP_SIZES) {
    const repo = await addedRepository(simulator, hub, `bench/sweep-${size}`);
    await repo.commit({ ...manyModels(size, 0), 'README.md': '# models\n' });
    log(`rest vs git: initial sync of ${withCommas(size)} models`);
    await runWorker(simulator, hub, repo, {}, git);
    let revision = 1;
    let crossover: number | undefined;
    for (const n of SWEEP_N) {
      log(`rest vs git: ${n} changed of ${withCommas(size)} models × ${runs} runs each way`);
      const measures: Record<'rest' | 'git', SyncMeasure[]> = { rest: [], git: [] };
      for (let run = 0; run < runs; run++) {
        // In turn, so both see the same load; each push changes different models than the last.
        for (const [kind, worker] of [
          ['rest', rest],
          ['git', git],
        ] as const) {
          await repo.commit(manyModels(n, revision++, ((revision * 37) % Math.max(1, size - n)) | 0));
          measures[kind].push(await runWorker(simulator, hub, repo, {}, worker));
        }
      }
      const restMs = stat(measures.rest.map((m) => m.ms));
      const gitMs = stat(measures.git.map((m) => m.ms));
      if (crossover === undefined && gitMs.median <= restMs.median) crossover = n;
      rows.push({
        section: SWEEP,
        figure: `${withCommas(size)} models, N = ${n}: wall time, REST (requests) vs git (requests)`,
        value: `REST ${show(restMs, ' ms', 0)} (${requestsCell(measures.rest)})`,
        floor: `git ${show(gitMs, ' ms', 0)} (${requestsCell(measures.git)})`,
        ratio: `REST / git = ${fmt(restMs.median / gitMs.median)}`,
      });
    }
    rows.push({
      section: SWEEP,
      figure: `${withCommas(size)} models: smallest N at which git is as fast as REST`,
      value: crossover === undefined ? `none up to ${SWEEP_N.at(-1)}` : `N = ${crossover}`,
      floor: `${RTT_MS} ms RTT, ${runs} runs each way`,
      ratio: '',
    });
  }
}
