/**
 * The read API end to end on the local runtime: a real sync from the Bitbucket simulator into dynalite, then reads
 * over HTTP through the local API Gateway stand-in, SigV4-signed by the typed client (and raw, with the AWS SDK's
 * signer, for what the client never sends).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { ModelHubApiError, ModelHubClient } from '../../../../client/model-hub-client';
import { signedGet } from '../../../../client/signed-http';
import { DynamoDbChangeStore } from '../../../../shared/aws/dynamodb-change-store';
import { feedPosition } from '../../../../shared/domain/changes/feed-position';
import { generateLargeModel } from '../../../../local/generate-large-model';
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startCliTestBed, type CliTestBed } from '../../cli/cli-harness';
import { rawRequest, signedRequest } from './raw-requests';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.hck.json`));
const LARGE = generateLargeModel(32 * 1024 * 1024);
/** Paths with slashes, spaces, `#`, `%`, `+`, `?`, `&` and unicode, each with its exact bytes. */
const MODELS: Record<string, Buffer> = {
  'small-neo4j-bill-of-materials.hck.json': fixture('small-neo4j-bill-of-materials'),
  'books/medium-dynamodb-book.hck.json': fixture('medium-dynamodb-book'),
  'odd/a b #1 +%20 50%.hck.json': fixture('medium-polyglot-animal-shelter-ldm'),
  'odd/q?x=1&y=2.hck.json': Buffer.from('{"modelName":"query-like"}'),
  'ünïcødé/模型 😀.hck.json': fixture('large-mongodb-schema-design-patterns'),
  'broken.hck.json': Buffer.from('\uFEFF{"modelName":'),
  'empty.hck.json': Buffer.alloc(0),
  'large/generated-32mib.hck.json': LARGE,
};

describe('read API on the local runtime (typed client, SigV4)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;
  let client: ModelHubClient;
  let uuid: string;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/read-api');
    await repo.commit(MODELS);
    expect((await bed.cli(['repo', 'add', 'acme/read-api'], { stdin: repo.token, env: { MODEL_HUB_SYNC_TIMEOUT: '120' } })).code).toBe(0);
    const env = bed.hub.standIns.env;
    client = new ModelHubClient({
      baseUrl: bed.hub.readApiUrl,
      region: 'us-east-1',
      credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    });
    uuid = (await client.listRepositories())[0]!.uuid;
  }, 120_000);
  afterAll(async () => {
    await bed.close();
  });

  it('lists the synced repository with its branch, commit, status and model count', async () => {
    expect(await client.listRepositories()).toEqual([
      expect.objectContaining({
        fullName: 'acme/read-api',
        branch: 'main',
        syncedCommit: await repo.head(),
        status: 'synced',
        modelCount: Object.keys(MODELS).length,
        syncedAt: expect.any(String),
      }),
    ]);
    expect(await client.getRepository(uuid.slice(1, -1))).toMatchObject({ uuid, fullName: 'acme/read-api' });
  });

  it('pages through every model, every odd path round-tripping exactly, and filters by prefix and vendor', async () => {
    const listed = [];
    for await (const model of client.models(uuid, { pageSize: 3 })) listed.push(model.path);
    const underOdd = [];
    for await (const model of client.models(uuid, { prefix: 'odd/' })) underOdd.push(model.path);
    const dynamo = (await client.listModelPage(uuid, { vendor: 'aws dynamodb' })).models.map((model) => model.path);

    expect(listed.sort()).toEqual(Object.keys(MODELS).sort());
    expect(underOdd.sort()).toEqual(['odd/a b #1 +%20 50%.hck.json', 'odd/q?x=1&y=2.hck.json']);
    expect(dynamo).toEqual(['books/medium-dynamodb-book.hck.json']);
  });

  it.each(Object.keys(MODELS))('reads the metadata and the exact bytes of %s', async (path) => {
    const model = await client.getModel(uuid, path);
    const download = await client.download(uuid, path);

    expect(model).toMatchObject({ path, size: MODELS[path]!.byteLength, commit: await repo.head() });
    expect(download.notModified).toBe(false);
    expect(download.notModified === false && download.bytes.equals(MODELS[path]!)).toBe(true);
  });

  it('downloads the 32 MiB model byte-exact in one brotli answer, and in 4 MiB ranges without brotli', async () => {
    const compressed = await client.download(uuid, 'large/generated-32mib.hck.json');
    const plain = await client.download(uuid, 'large/generated-32mib.hck.json', { compressed: false });

    expect(compressed).toMatchObject({ notModified: false, requests: 1 });
    expect(compressed.notModified === false && compressed.bytes.equals(LARGE) && compressed.wireBytes < LARGE.byteLength / 8).toBe(true);
    expect(plain).toMatchObject({
      notModified: false,
      requests: Math.ceil(LARGE.byteLength / (4 * 1024 * 1024)),
      wireBytes: LARGE.byteLength,
    });
    expect(plain.notModified === false && plain.bytes.equals(LARGE)).toBe(true);
  });

  it('finds entities of the synced models by name, each hit naming its model path exactly', async () => {
    const page = await client.search({ q: 'pet ', match: 'prefix', type: 'entity', target: 'polyglot', repository: uuid });

    expect(page.hits.map((hit) => [hit.model.path, hit.name])).toEqual([
      ['odd/a b #1 +%20 50%.hck.json', 'Pet'],
      ['odd/a b #1 +%20 50%.hck.json', 'Pet Color'],
      ['odd/a b #1 +%20 50%.hck.json', 'Pet Vaccination'],
      ['odd/a b #1 +%20 50%.hck.json', 'Pet Breed'],
      ['odd/a b #1 +%20 50%.hck.json', 'Pet Image'],
    ]);
    expect(page).toMatchObject({ nextCursor: null, notIndexed: 0 });
    await expect(client.search({ q: ' ' })).rejects.toMatchObject({ status: 400, code: 'invalid-parameter' });
  });

  it('reads the changes feed from the changes table, and goes on from its cursor without repeating a record', async () => {
    const store = new DynamoDbChangeStore({ tableName: bed.hub.standIns.env.CHANGES_TABLE!, client: bed.hub.standIns.dynamodb });
    const at = new Date(Date.now() - 60_000);
    const path = 'odd/q?x=1&y=2.hck.json';
    await store.append([
      {
        position: feedPosition(at, uuid, 0),
        detailType: 'Model Changed',
        detail: {
          schemaVersion: 1,
          idempotencyKey: 'read-api-test-1',
          repository: { uuid, fullName: 'acme/read-api' },
          committedAt: at.toISOString(),
          change: 'added',
          path,
          commit: await repo.head(),
        },
      },
    ]);

    const first = await client.changes();
    const next = await client.changes({ cursor: first.nextCursor });

    expect(first.items.map((item) => [item.detailType, item.detail.idempotencyKey])).toContainEqual(['Model Changed', 'read-api-test-1']);
    expect(first.items.find((item) => item.detail.idempotencyKey === 'read-api-test-1')?.detail).toMatchObject({ path });
    expect(next.items.map((item) => item.detail.idempotencyKey)).not.toContain('read-api-test-1');
    await expect(client.changes({ cursor: 'not-a-cursor' })).rejects.toMatchObject({ status: 400, code: 'invalid-parameter' });
  });

  it('answers 304 to the current ETag, and the new bytes after a push changed the model', async () => {
    const path = 'books/medium-dynamodb-book.hck.json';
    const first = await client.download(uuid, path);
    const again = await client.download(uuid, path, { ifNoneMatch: first.etag });
    expect(again).toEqual({ notModified: true, etag: first.etag });

    await repo.commit({ [path]: '{"modelName":"changed"}' });
    expect((await bed.cli(['sync', 'acme/read-api'])).code).toBe(0);
    const changed = await client.download(uuid, path, { ifNoneMatch: first.etag });
    expect(changed.notModified === false && changed.bytes.toString()).toBe('{"modelName":"changed"}');
  });

  it('passes the stored brotli through to a raw client that accepts br, and serves identity to one that does not', async () => {
    const path = 'ünïcødé/模型 😀.hck.json';
    const br = await signedRequest(bed, `repositories/${encodeURIComponent(uuid)}/content`, { path }, { 'accept-encoding': 'gzip, br' });
    const identity = await signedRequest(
      bed,
      `repositories/${encodeURIComponent(uuid)}/content`,
      { path },
      { 'accept-encoding': 'br;q=0' },
    );

    expect(br.headers).toMatchObject({ 'content-encoding': 'br', vary: 'accept-encoding', 'accept-ranges': 'bytes' });
    expect(brotliDecompressSync(br.body).equals(MODELS[path]!)).toBe(true);
    expect(br.body.byteLength).toBeLessThan(MODELS[path]!.byteLength / 5);
    expect(identity.headers['content-encoding']).toBeUndefined();
    expect(identity.body.equals(MODELS[path]!)).toBe(true);
    expect(identity.headers.etag).toBe(`"${(await client.getModel(uuid, path)).blobId}"`);
  });

  it('tells a client without Range that the 32 MiB model needs ranges or br, and serves a range to one that asks', async () => {
    const route = `repositories/${encodeURIComponent(uuid)}/content`;
    const path = 'large/generated-32mib.hck.json';
    const whole = await signedRequest(bed, route, { path });
    const part = await signedRequest(bed, route, { path }, { range: 'bytes=100-199' });

    expect(whole.status).toBe(413);
    expect(JSON.parse(whole.body.toString())).toMatchObject({
      schemaVersion: 1,
      error: {
        code: 'range-required',
        message: expect.stringContaining(String(LARGE.byteLength)),
        hint: expect.stringMatching(/Range: bytes=0-4194303.*Accept-Encoding: br/),
      },
    });
    expect(part.status).toBe(206);
    expect(part.headers['content-range']).toBe(`bytes 100-199/${LARGE.byteLength}`);
    expect(part.body.equals(LARGE.subarray(100, 200))).toBe(true);
  });

  it('refuses unsigned, wrongly signed and other-service requests with 403, and reads nothing for them', async () => {
    const url = `${bed.hub.readApiUrl}/repositories`;
    const unsigned = await rawRequest('GET', url);
    const wrongKey = await signedGet(
      {
        credentials: { accessKeyId: bed.hub.standIns.env.AWS_ACCESS_KEY_ID!, secretAccessKey: 'not-the-secret-key-at-all' },
        region: 'us-east-1',
      },
      new URL(url),
      {},
    );
    const tampered = await signedRequest(bed, 'repositories', {}, {}, { tamperPath: true });
    const otherService = await signedRequest(bed, 'repositories', {}, {}, { service: 'dynamodb' });

    for (const response of [unsigned, wrongKey, tampered, otherService]) {
      expect(response.status).toBe(403);
      expect(JSON.parse(response.body.toString())).toMatchObject({ error: { code: 'forbidden', hint: expect.stringContaining('SigV4') } });
    }
    expect(JSON.stringify([unsigned, wrongKey, tampered, otherService].map((response) => response.body.toString()))).not.toContain(
      'acme/read-api',
    );
  });

  it('answers unknown routes 404, other methods 405, bad parameters 400, unknown models 404, all as error documents', async () => {
    const models = `repositories/${encodeURIComponent(uuid)}/models`;
    const answers = {
      unknown: await signedRequest(bed, 'nothing-here', {}),
      post: await signedRequest(bed, 'repositories', {}, {}, { method: 'POST' }),
      limit: await signedRequest(bed, models, { limit: '5000' }),
      typo: await signedRequest(bed, models, { prefx: 'odd/' }),
      badUuid: await signedRequest(bed, 'repositories/not-a-uuid', {}),
      missing: await signedRequest(bed, `repositories/${encodeURIComponent(uuid)}/model`, { path: 'nope.hck.json' }),
    };

    const summary = Object.fromEntries(
      Object.entries(answers).map(([name, response]) => [
        name,
        [response.status, (JSON.parse(response.body.toString()) as { error: { code: string } }).error.code],
      ]),
    );
    expect(summary).toEqual({
      unknown: [404, 'unknown-route'],
      post: [405, 'method-not-allowed'],
      limit: [400, 'invalid-parameter'],
      typo: [400, 'invalid-parameter'],
      badUuid: [400, 'invalid-parameter'],
      missing: [404, 'model-not-found'],
    });
    expect(answers.post.headers.allow).toBe('GET, HEAD');
    await expect(client.getModel(uuid, 'nope.hck.json')).rejects.toBeInstanceOf(ModelHubApiError);
  });
});
