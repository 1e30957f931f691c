/**
 * The verification section: what `sync --verify` costs now that it reads every stored body back (and hashes it)
 * instead of comparing the records' blob-id attributes: DynamoDB read units (asked of dynalite with
 * ReturnConsumedCapacity, which it computes as DynamoDB does: 4 KB per unit, consistent reads) and wall time, for
 * an unchanged repository of BENCH_VERIFY_MODELS models (default 10,000), against the records alone.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { BitbucketSimulator } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import { fmt, rows, show, stat } from './report';
import { log, SLOW_RUNS, VERIFY_MODELS } from './settings';
import { requestsCell } from './sync-benchmarks';
import { addedRepository, manyModels, modelsOf, modelsWritten, modelVersions, runWorker, type SyncMeasure } from './sync-world';

const SECTION = 'Verification';
const COUNT = VERIFY_MODELS;
const READS = new Set(['GetItemCommand', 'QueryCommand', 'BatchGetItemCommand', 'ScanCommand']);

/** Read units consumed by DynamoDB reads sent through `client` while `work` runs. */
export async function countingReadUnits<T>(client: DynamoDBClient, work: () => Promise<T>): Promise<{ result: T; units: number }> {
  let units = 0;
  const name = 'bench-read-units';
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (!READS.has(context.commandName ?? '')) return next(args);
      (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
      const output = await next(args);
      const consumed = (output.output as { ConsumedCapacity?: { CapacityUnits?: number } | Array<{ CapacityUnits?: number }> })
        .ConsumedCapacity;
      for (const entry of Array.isArray(consumed) ? consumed : [consumed]) units += entry?.CapacityUnits ?? 0;
      return output;
    },
    { step: 'initialize', name },
  );
  try {
    return { result: await work(), units };
  } finally {
    client.middlewareStack.remove(name);
  }
}

export async function timed<T>(work: () => Promise<T>): Promise<{ result: T; ms: number }> {
  const start = process.hrtime.bigint();
  const result = await work();
  return { result, ms: Number(process.hrtime.bigint() - start) / 1e6 };
}

export async function benchVerification(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
  const models = COUNT.toLocaleString('en-US');
  const repo = await addedRepository(simulator, hub, `bench/verify-${COUNT}`);
  await repo.commit({ ...manyModels(COUNT, 0), 'README.md': '# models\n' });
  log(`verification: initial sync of ${models} models over git`);
  await runWorker(simulator, hub, repo, { trigger: 'admin', mode: 'full' });
  const client = hub.standIns.dynamodb;
  const store = modelsOf(hub);
  const storedBytes = (await store.listModels(repo.uuid)).reduce((sum, record) => sum + record.storedBytes, 0);

  const verify: Array<SyncMeasure & { units: number; written: number }> = [];
  const readBack: Array<{ ms: number; units: number }> = [];
  const records: Array<{ ms: number; units: number }> = [];
  for (let run = 0; run < SLOW_RUNS; run++) {
    log(`verification: unchanged ${models} models, sync --verify, then the bodies and the records alone, run ${run + 1}/${SLOW_RUNS}`);
    const before = await modelVersions(hub, repo);
    const { result, units } = await countingReadUnits(client, () => runWorker(simulator, hub, repo, { trigger: 'admin', verify: true }));
    verify.push({ ...result, units, written: modelsWritten(before, await modelVersions(hub, repo)) });
    const bodies = await countingReadUnits(client, () => timed(() => store.readBackModels(repo.uuid)));
    readBack.push({ ms: bodies.result.ms, units: bodies.units });
    const listed = await countingReadUnits(client, () => timed(() => store.listModels(repo.uuid)));
    records.push({ ms: listed.result.ms, units: listed.units });
  }
  const ms = (measures: ReadonlyArray<{ ms: number }>) => stat(measures.map((m) => m.ms));
  const units = (measures: ReadonlyArray<{ units: number }>) => stat(measures.map((m) => m.units));
  const mostWritten = Math.max(...verify.map((m) => m.written));
  rows.push({
    section: SECTION,
    figure: `unchanged ${models} models, \`sync --verify\` (bodies read back): read units, wall time, requests; written (must be 0: ${mostWritten === 0 ? 'met' : 'MISSED'})`,
    value: `${show(units(verify), ' RCU', 0)}; ${show(ms(verify), ' ms', 0)}; ${requestsCell(verify)}; ${mostWritten} written`,
    floor: `${show(units(records), ' RCU', 0)}; ${show(ms(records), ' ms', 0)} the records alone (what the attribute-only check read)`,
    ratio: `${fmt(units(verify).median / units(records).median, 1)}× the read units`,
  });
  rows.push({
    section: SECTION,
    figure: `${models} stored bodies read back and hashed (readBackModels alone): read units, wall time`,
    value: `${show(units(readBack), ' RCU', 0)}; ${show(ms(readBack), ' ms', 0)}`,
    floor: `${fmt(Math.ceil(storedBytes / 4096), 0)} RCU = ${fmt(storedBytes / 2 ** 20, 1)} MiB stored ÷ 4 KB`,
    ratio: `${fmt(units(readBack).median / Math.ceil(storedBytes / 4096), 2)}× the stored bytes' units; ${fmt((ms(readBack).median * 1000) / COUNT, 0)} µs a model`,
  });
  if (mostWritten !== 0) log(`verification: sync --verify of an unchanged repository wrote ${mostWritten} models (must be 0)`);
}
