/**
 * The model download section: bytes on the wire for each real fixture model and the generated 32 MiB one, read
 * through the local read API with the typed client (SigV4, ranged parts), with the stored brotli passed through
 * and without it; and the 32 MiB download's time both ways.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModelHubClient } from '../client/model-hub-client';
import { generateLargeModel } from '../local/generate-large-model';
import type { LocalHub } from '../local/runtime';
import { fmt, kib, mib, rows, show, stat } from './report';
import { log, ROOT, SLOW_RUNS } from './settings';
import { modelsOf, repositoriesOf } from './sync-world';

const REPOSITORY = '{d0d0d0d0-0000-4000-8000-00000000d0d0}';
const FIXTURES = [
  'small-neo4j-bill-of-materials',
  'medium-dynamodb-book',
  'medium-polyglot-animal-shelter-ldm',
  'large-mongodb-schema-design-patterns',
];
const LARGE_PATH = 'generated-32mib.hck.json';

export async function benchModelDownload(hub: LocalHub): Promise<void> {
  log('model download: bytes on the wire with and without br, through the local read API');
  const models = new Map<string, Buffer>(
    FIXTURES.map((name) => [`${name}.hck.json`, readFileSync(join(ROOT, 'test', 'fixtures', 'hackolade-models', `${name}.hck.json`))]),
  );
  models.set(LARGE_PATH, generateLargeModel(32 * 1024 * 1024));
  await repositoriesOf(hub).addRepository({
    uuid: REPOSITORY,
    fullName: 'bench/downloads',
    modelPattern: '*.hck.json',
    addedAt: new Date().toISOString(),
  });
  // Written by the model store as a sync writes them: brotli, chunked when large.
  for (const [path, bytes] of models) await modelsOf(hub).putModel({ repositoryUuid: REPOSITORY, path, commit: 'bench', bytes });
  const client = new ModelHubClient({
    baseUrl: hub.readApiUrl,
    region: 'us-east-1',
    credentials: { accessKeyId: hub.standIns.env.AWS_ACCESS_KEY_ID!, secretAccessKey: hub.standIns.env.AWS_SECRET_ACCESS_KEY! },
  });

  for (const [path, bytes] of models) {
    const br = await download(client, path, bytes, true);
    const identity = await download(client, path, bytes, false);
    rows.push({
      section: 'Model download',
      figure: `wire bytes with br vs without, ${path.replace('.hck.json', '')} (${bytes.byteLength >= 2 ** 20 ? mib(bytes.byteLength) : kib(bytes.byteLength)})`,
      value: `${size(br.wireBytes)} in ${br.requests} request(s)`,
      floor: `${size(identity.wireBytes)} in ${identity.requests} request(s)`,
      ratio: `${fmt(br.wireBytes / identity.wireBytes, 3)} (${fmt(identity.wireBytes / br.wireBytes, 1)}× less)`,
    });
  }

  const large = models.get(LARGE_PATH)!;
  const times = { br: [] as number[], identity: [] as number[] };
  for (let run = 0; run < SLOW_RUNS; run++) {
    for (const compressed of [true, false]) {
      const start = process.hrtime.bigint();
      await download(client, LARGE_PATH, large, compressed);
      times[compressed ? 'br' : 'identity'].push(Number(process.hrtime.bigint() - start) / 1e6);
    }
  }
  const withBr = stat(times.br);
  const without = stat(times.identity);
  rows.push({
    section: 'Model download',
    figure: 'time to download the 32 MiB model byte-exact (SHA-256 checked), br vs 4 MiB ranges without',
    value: show(withBr, ' ms', 0),
    floor: show(without, ' ms', 0),
    ratio: fmt(withBr.median / without.median),
  });
}

async function download(client: ModelHubClient, path: string, expected: Buffer, compressed: boolean) {
  const result = await client.download(REPOSITORY, path, { compressed });
  if (result.notModified || !result.bytes.equals(expected))
    throw new Error(`download of ${path} (compressed: ${compressed}) is not byte-exact`);
  return result;
}

function size(bytes: number): string {
  return bytes >= 2 ** 20 ? mib(bytes) : kib(bytes);
}
