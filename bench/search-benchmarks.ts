/**
 * The search section: entity search over BENCH_SEARCH_MODELS generated models (default 1,500) of 100 entities × 20
 * attributes, stored through the model store on dynalite (so each has its index), in 15 repositories. Latency p50
 * and p95 of a query mix, with a cold source (a reader Lambda's first call: records listed, every index read) and
 * a warm one (records listed, indexes from the cache), against a baseline that reads every model body and parses
 * it; read units of each; the index's storage against the models'.
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LocalHub } from '../local/runtime';
import { DynamoDbEntitySearchSource } from '../shared/aws/dynamodb-entity-search-source';
import { INDEX_SK_PREFIX, MODEL_SK_PREFIX } from '../shared/aws/dynamodb-model-store-keys';
import { queryAll } from '../shared/aws/dynamodb-paging';
import { INDEX_ATTRIBUTE, projection, recordFromItem } from '../shared/aws/model-item-codec';
import { searchEntities, type SearchEntitiesQuery, type SearchRepository } from '../shared/domain/read/search-entities';
import { decodeModelBody } from '../shared/models/model-body-codec';
import { fmt, kib, rows } from './report';
import { searchModel, markerName } from './search-models';
import { log } from './settings';
import { modelsOf } from './sync-world';
import { countingReadUnits, timed } from './verification-benchmarks';

const SECTION = 'Search';
const MODELS = Number(process.env.BENCH_SEARCH_MODELS ?? 1500);
const REPOSITORIES = 15;
const WRITE_CONCURRENCY = 4;
/** Common prefixes and substrings, a rare name (only one model holds it: every model before it is looked at) and no hit at all. */
const QUERIES: readonly SearchEntitiesQuery[] = [
  { q: 'cust', match: 'prefix' },
  { q: 'order_id', match: 'substring' },
  { q: 'address', match: 'substring', type: 'attribute' },
  { q: 'invoice', match: 'prefix', type: 'entity' },
  { q: 'area', match: 'substring', type: 'container' },
  { q: 'amount', target: 'MONGODB' },
  { q: 'ledger_c', match: 'prefix' },
  { q: 'patientvisit', match: 'substring' },
  { q: markerName(Math.floor(MODELS / 2)), match: 'prefix' },
  { q: markerName(MODELS - 1), match: 'substring' },
  { q: 'no-such-name', match: 'substring' },
];
const RUNS = 3;

export async function benchSearch(hub: LocalHub): Promise<void> {
  const client = hub.standIns.dynamodb;
  const tableName = hub.standIns.env.MODELS_TABLE!;
  const repositories = await storedModels(hub);
  const listRepositories = async () => repositories;
  const newSource = () => new DynamoDbEntitySearchSource({ tableName, client, listRepositories });

  const cold: Measure[] = [];
  const warm: Measure[] = [];
  const baseline: Measure[] = [];
  const warmSource = newSource();
  await searchEntities(warmSource, { q: 'no-such-name' });
  for (let run = 0; run < RUNS; run++) {
    log(`search: run ${run + 1}/${RUNS} of ${QUERIES.length} queries, cold, warm and baseline`);
    for (const query of QUERIES) {
      cold.push(await measured(client, () => searchEntities(newSource(), query)));
      warm.push(await measured(client, () => searchEntities(warmSource, query)));
      // The baseline reads and parses every body it goes through: one run of it is enough to see the gap.
      if (run === 0) baseline.push(await measured(client, () => scanSearch(client, tableName, repositories, query)));
    }
  }
  const scan = summary(baseline);
  for (const [label, measures] of [
    ['cold (new source: records listed, every index read)', cold],
    ['warm (records listed, indexes cached by version)', warm],
  ] as const) {
    const s = summary(measures);
    rows.push({
      section: SECTION,
      figure: `${MODELS.toLocaleString('en-US')} models × 100 entities × 20 attributes, ${QUERIES.length} queries × ${RUNS}, ${label}: p50 / p95 latency, read units (median)`,
      value: `${fmt(s.p50)} / ${fmt(s.p95)} ms; ${fmt(s.units, 0)} RCU`,
      floor: `${fmt(scan.p50)} / ${fmt(scan.p95)} ms; ${fmt(scan.units, 0)} RCU: reading and parsing the models (${QUERIES.length} queries × 1)`,
      ratio: `${speed(scan.p50 / s.p50)} at p50, ${speed(scan.p95 / s.p95)} at p95`,
    });
  }
  const storage = await storageOf(client, tableName, repositories);
  rows.push({
    section: SECTION,
    figure: `index storage against model storage (${MODELS.toLocaleString('en-US')} models, brotli both)`,
    value: `${kib(storage.index / MODELS)} a model (${fmt(storage.index / 2 ** 20, 1)} MiB)`,
    floor: `${kib(storage.bodies / MODELS)} a model stored (${fmt(storage.bodies / 2 ** 20, 1)} MiB), ${kib(storage.original / MODELS)} original`,
    ratio: `${fmt((100 * storage.index) / storage.bodies, 1)} % of the stored models`,
  });
}

/** `3.2× faster`, or `1.5× slower` for a ratio under 1. */
const speed = (ratio: number) => (ratio >= 1 ? `${fmt(ratio, 1)}× faster` : `${fmt(1 / ratio, 1)}× slower`);

interface Measure {
  readonly ms: number;
  readonly units: number;
}

async function measured(client: DynamoDBClient, work: () => Promise<unknown>): Promise<Measure> {
  const { result, units } = await countingReadUnits(client, () => timed(work));
  return { ms: result.ms, units };
}

function summary(measures: readonly Measure[]): { p50: number; p95: number; units: number } {
  const ms = measures.map((m) => m.ms).sort((a, b) => a - b);
  const units = measures.map((m) => m.units).sort((a, b) => a - b);
  const at = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil(p * sorted.length) - 1)]!;
  return { p50: at(ms, 0.5), p95: at(ms, 0.95), units: at(units, 0.5) };
}

/** Writes the generated models (once per hub: a second run finds them stored). */
async function storedModels(hub: LocalHub): Promise<SearchRepository[]> {
  const store = modelsOf(hub);
  const repositories = Array.from({ length: REPOSITORIES }, (_, r) => ({
    uuid: `{5ea4c400-0000-4000-8000-${String(r).padStart(12, '0')}}`,
    fullName: `bench/search-${r}`,
  }));
  const perRepository = Math.ceil(MODELS / REPOSITORIES);
  let next = 0;
  const started = Date.now();
  const write = async () => {
    for (let n = next++; n < MODELS; n = next++) {
      const repository = repositories[Math.floor(n / perRepository)]!;
      const path = `models/${String(n % perRepository).padStart(4, '0')}.hck.json`;
      if (await store.getRecord(repository.uuid, path)) continue;
      await store.putModel({ repositoryUuid: repository.uuid, path, commit: 'bench', bytes: searchModel(n) });
      if (n % 100 === 0) log(`search: ${n}/${MODELS} models stored (${Math.round((Date.now() - started) / 1000)} s)`);
    }
  };
  await Promise.all(Array.from({ length: WRITE_CONCURRENCY }, write));
  return repositories;
}

/** The baseline: every record of every repository read with its body, decompressed, parsed and walked for names. */
async function scanSearch(
  client: DynamoDBClient,
  tableName: string,
  repositories: readonly SearchRepository[],
  query: SearchEntitiesQuery,
) {
  const wanted = query.q.toLowerCase();
  const matches = (name: unknown) =>
    typeof name === 'string' && (query.match === 'prefix' ? name.toLowerCase().startsWith(wanted) : name.toLowerCase().includes(wanted));
  const hits: string[] = [];
  const walk = (holder: Record<string, unknown>, path: string) => {
    for (const child of Array.isArray(holder.properties) ? (holder.properties as Array<Record<string, unknown>>) : []) {
      if (matches(child.name)) hits.push(`${path}/${String(child.name)}`);
      walk(child, `${path}/${String(child.name ?? '')}`);
    }
  };
  for (const repository of repositories) {
    let startKey: Record<string, AttributeValue> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': { S: repository.uuid }, ':prefix': { S: MODEL_SK_PREFIX } },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) {
        const record = recordFromItem(item);
        if (!item.body?.B) continue;
        const model = JSON.parse(decodeModelBody(item.body.B, record.encoding ?? 'identity').toString('utf8')) as Record<string, unknown>;
        for (const bucket of (model.buckets as Array<Record<string, unknown>>) ?? [])
          if (matches(bucket.name)) hits.push(String(bucket.name));
        for (const collection of (model.collections as Array<Record<string, unknown>>) ?? []) {
          if (matches(collection.collectionName)) hits.push(String(collection.collectionName));
          walk(collection, String(collection.collectionName));
        }
        if (hits.length >= 20) return hits.slice(0, 20);
      }
      startKey = page.LastEvaluatedKey;
    } while (startKey);
  }
  return hits;
}

/** Bytes of the indexes (items and inline in records), of the stored bodies and of the original models. */
async function storageOf(client: DynamoDBClient, tableName: string, repositories: readonly SearchRepository[]) {
  let index = 0;
  let bodies = 0;
  let original = 0;
  for (const repository of repositories) {
    const query = (prefix: string, attributes: readonly string[]) =>
      queryAll(client, {
        TableName: tableName,
        KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: repository.uuid }, ':prefix': { S: prefix } },
        ...projection(attributes, { '#pk': 'pk', '#sk': 'sk' }),
      });
    for (const item of await query(INDEX_SK_PREFIX, ['data'])) index += item.data?.B?.byteLength ?? 0;
    for (const item of await query(MODEL_SK_PREFIX, ['storedBytes', 'size', INDEX_ATTRIBUTE])) {
      bodies += Number(item.storedBytes?.N ?? 0);
      original += Number(item.size?.N ?? 0);
      index += item[INDEX_ATTRIBUTE]?.B?.byteLength ?? 0;
    }
  }
  return { index, bodies, original };
}
