/**
 * The "Bounded memory" cases of what a repository's content can do to the worker (issue 17, items 8 and 9): a push
 * of 8 pathological 31 MiB models (millions of `{}` or nested arrays, which a whole-model JSON.parse turned into
 * ~1 GB each), and a `.hubignore` of backtracking rules (18 s to over 120 s per path before). Each runs the worker
 * bundle in a fresh node (peak RSS its own, against the 512 MB goal on a 1,024 MB Lambda) and checks that the
 * repository ends synced, or blocked with a reason, never failing or half-written.
 */
import type { BitbucketSimulator, SimulatedRepository } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import { DynamoDbEventLog } from '../shared/aws/dynamodb-event-log';
import type { SyncRequest } from '../shared/domain/sync-request';
import { createModelSelector, MAX_HUBIGNORE_BYTES, MAX_HUBIGNORE_RULES } from '../shared/models/model-selection';
import { fmt, inMib, rows, show, stat } from './report';
import { log } from './settings';
import { addedRepository, modelsOf, readdedRepository, repositoriesOf, runWorker, runWorkerBundle, type BundleRun } from './sync-world';

const SECTION = 'Bounded memory';
const GOAL_MIB = 512;
const MODEL_BYTES = 31 * 1024 * 1024;
/** The rule: 49 bytes, `**` and `*` alternating 8 times (12 times: over 120 s per path with `ignore`). */
const REDOS_RULE = `${'**/a*/'.repeat(12)}b`;
const DEEP_DIR = 'aaaaaaaa/'.repeat(40);

/** A 31 MiB model that is valid JSON but all structure: `n` selects empty objects or nested arrays, and its bytes. */
function pathologicalModel(n: number): Buffer {
  const tag = `{"modelName":"pathological ${n}",`;
  if (n % 2 === 0) {
    const count = Math.floor((MODEL_BYTES - tag.length - 20) / 3);
    return Buffer.from(`${tag}"collections":[${'{},'.repeat(count)}{}]}`);
  }
  const depth = Math.floor((MODEL_BYTES - tag.length - 20) / 2);
  return Buffer.from(`${tag}"views":${'['.repeat(depth)}${']'.repeat(depth)}}`);
}

/** Peak RSS of a run against the goal, and how the repository ended. */
function peakRow(figure: string, runs: readonly BundleRun[], ended: string): void {
  const peak = stat(runs.map((run) => run.peakRss));
  if (peak.max > GOAL_MIB * 2 ** 20)
    log(`bounded memory: ${figure} peaked at ${fmt(peak.max / 2 ** 20, 0)} MiB, over the ${GOAL_MIB} MiB goal`);
  rows.push({
    section: SECTION,
    figure: `${figure}: worker peak RSS (its bundle in a fresh node), ${show(stat(runs.map((r) => r.ms)), ' ms', 0)}`,
    value: show(inMib(peak), ' MiB', 0),
    floor: `goal ≤ ${GOAL_MIB} MiB; ${fmt(stat(runs.map((r) => r.baseRss)).median / 2 ** 20, 0)} MiB after import`,
    ratio: `${fmt(peak.max / 2 ** 20 / GOAL_MIB)} of the goal; ${ended}`,
  });
}

/** {@link runWorkerBundle}, and when the run fails, the reason the worker logged (the bench stops then). */
async function runBundle(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  workerBundle: string,
  repo: SimulatedRepository,
  request: Partial<SyncRequest>,
): Promise<BundleRun> {
  try {
    return await runWorkerBundle(simulator, hub, workerBundle, repo, request);
  } catch (error) {
    const events = new DynamoDbEventLog({ tableName: hub.standIns.env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
    const failed = (await events.list({ repositoryUuid: repo.uuid, limit: 5 })).find((event) => event.outcome === 'failed');
    throw new Error(`${(error as Error).message}: ${failed?.reason ?? 'no failure logged (out of memory?)'}`, { cause: error });
  }
}

/** How the repository's sync state ended: synced at `head`, or what else (which the bench reports as a failure). */
async function ending(hub: LocalHub, repo: SimulatedRepository, head: string): Promise<string> {
  const state = await repositoriesOf(hub).getSyncState(repo.uuid);
  if (state.cursor === head && state.progress === undefined) return 'synced';
  const ended = `NOT synced (${state.lastRun?.outcome ?? 'no run'}: ${state.lastRun?.error ?? ''})`;
  log(`bounded memory: ${repo.fullName} ${ended}`);
  return ended;
}

/**
 * Runs the worker bundle until the repository is synced at `head` (a "partial" run queues its continuation, which
 * this stands for), at most `maxRuns` times; returns every run and how it ended.
 */
async function untilSynced(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  workerBundle: string,
  repo: SimulatedRepository,
  head: string,
  request: Partial<SyncRequest>,
  maxRuns = 6,
): Promise<{ runs: BundleRun[]; ended: string }> {
  const runs = [await runBundle(simulator, hub, workerBundle, repo, request)];
  let ended = await ending(hub, repo, head);
  while (ended !== 'synced' && runs.length < maxRuns) {
    runs.push(await runBundle(simulator, hub, workerBundle, repo, { trigger: 'continue' }));
    ended = await ending(hub, repo, head);
  }
  return { runs, ended: `${ended} after ${runs.length} invocation(s)` };
}

/** A push of 8 pathological 31 MiB models into a synced repository (REST downloads, 8 in parallel), then a full resync over git. */
export async function benchPathologicalModels(simulator: BitbucketSimulator, hub: LocalHub, workerBundle: string): Promise<void> {
  const repo = await addedRepository(simulator, hub, 'bench/pathological-models');
  await repo.commit({ 'README.md': '# models\n' });
  await runWorker(simulator, hub, repo);
  log('bounded memory: a push of 8 pathological 31 MiB models (worker bundle in a child process)');
  const head = await repo.commit(Object.fromEntries(Array.from({ length: 8 }, (_, n) => [`models/m${n}.hck.json`, pathologicalModel(n)])));
  const push = await untilSynced(simulator, hub, workerBundle, repo, head, {});
  const valid = (await modelsOf(hub).listModels(repo.uuid)).filter((record) => record.status === 'valid').length;
  peakRow('push of 8 pathological 31 MiB models (REST)', push.runs, `${push.ended}, ${valid}/8 valid`);

  log('bounded memory: initial sync of the 8 models over git');
  await readdedRepository(hub, repo);
  const initial = await untilSynced(simulator, hub, workerBundle, repo, head, {});
  peakRow('initial sync of the 8 models (git)', initial.runs, initial.ended);
}

/**
 * A `.hubignore` at the limits made of the backtracking rule, over 40 models 40 folders deep; then one over the
 * limits (the 20,000 rules of the issue), which blocks with a reason in the sync state instead of failing for ever.
 */
export async function benchHubignore(simulator: BitbucketSimulator, hub: LocalHub, workerBundle: string): Promise<void> {
  // As many distinct copies of the rule as the limits allow.
  const lines: string[] = [];
  while (lines.length < MAX_HUBIGNORE_RULES && [...lines, `${REDOS_RULE}${lines.length}`].join('\n').length <= MAX_HUBIGNORE_BYTES)
    lines.push(`${REDOS_RULE}${lines.length}`);
  const rules = lines.length;
  const hubignore = lines.join('\n');
  selectorRows(hubignore, rules);

  const repo = await addedRepository(simulator, hub, 'bench/redos-hubignore');
  const models = Object.fromEntries(Array.from({ length: 40 }, (_, n) => [`${DEEP_DIR}m${n}.hck.json`, `{"modelName":"m${n}"}`]));
  let head = await repo.commit({ '.hubignore': hubignore, ...models });
  log(`bounded memory: initial sync under a ${rules}-rule backtracking .hubignore (worker bundle in a child process)`);
  const initial = [await runBundle(simulator, hub, workerBundle, repo, {})];
  peakRow(`initial sync of 40 models 40 folders deep, ${rules} rules \`${REDOS_RULE}…\``, initial, await ending(hub, repo, head));

  log('bounded memory: a push of a 20,000-rule .hubignore (over the limits)');
  const huge = Array.from({ length: 20_000 }, (_, n) => `${REDOS_RULE}${n}`).join('\n');
  await repo.commit({ '.hubignore': huge });
  const blocked = [await runBundle(simulator, hub, workerBundle, repo, {})];
  const state = await repositoriesOf(hub).getSyncState(repo.uuid);
  const decided = state.lastRun?.outcome === 'blocked' && state.cursor === head ? 'blocked with its reason, cursor kept' : 'NOT blocked';
  peakRow(`push of a ${fmt(Buffer.byteLength(huge) / 1024, 0)} KiB, 20,000-rule .hubignore`, blocked, decided);

  head = await repo.commit({ '.hubignore': 'drafts/\n' });
  await runWorker(simulator, hub, repo);
  rows.push({
    section: SECTION,
    figure: 'the push that fixes the .hubignore',
    value: await ending(hub, repo, head),
    floor: 'synced',
    ratio: '',
  });
}

/** In this process: the selector's cost per path under the adversarial `.hubignore` at the limits. */
function selectorRows(hubignore: string, rules: number): void {
  const isModel = createModelSelector({ hubignore });
  for (const [name, path] of [
    ['40 folders deep', `${DEEP_DIR}m.hck.json`],
    ['4 KiB, 400 folders', `${'aaaaaaaa/'.repeat(455)}m.hck.json`],
  ] as const) {
    const times: number[] = [];
    // After 3 runs that compile the matcher, as in a listing of many paths.
    for (let run = 0; run < 23; run++) {
      const start = process.hrtime.bigint();
      isModel(path);
      if (run >= 3) times.push(Number(process.hrtime.bigint() - start) / 1e6);
    }
    rows.push({
      section: SECTION,
      figure: `.hubignore of ${rules} rules \`${REDOS_RULE}…\` (${fmt(Buffer.byteLength(hubignore) / 1024, 1)} KiB): time per path, ${name}`,
      value: show(stat(times), ' ms', 2),
      floor: 'ignore 7.0.17: 18 s for 8 `**` per rule, > 120 s for 12, on one 40-deep path',
      ratio: '',
    });
  }
}
