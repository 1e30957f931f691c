import { DynamoDBClient, PutItemCommand, QueryCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';
import type { DynamoDbModelStoreOptions } from '../../../../shared/aws/dynamodb-model-store-options';
import {
  ModelBodyInconsistentError,
  ModelBodyNotStoredError,
  ModelTooLargeError,
  ModelWriteConflictError,
} from '../../../../shared/domain/sync/errors';
import { chunkSortKey } from '../../../../shared/aws/dynamodb-model-store-keys';
import { generateLargeModel } from '../../../../local/generate-large-model';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const MODEL_FILES = readdirSync(FIXTURES)
  .filter((name) => name.endsWith('.hck.json'))
  .sort();
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));
/** Stores the bytes of model fixture `name` at `path`, as of `commit`. */
const putFixture = (models: DynamoDbModelStore, repositoryUuid: string, path: string, commit: string, name: string) =>
  models.putModel({ repositoryUuid, path, commit, bytes: fixture(name) });
const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex');
const newRepo = (): string => `{${randomUUID()}}`;
/** Small chunks so that the real (≤ 327 KB) models are stored chunked too. */
const SMALL_CHUNKS = { chunkBytes: 1024, inlineLimitBytes: 1024 };

let standIns: StandIns;
let tableName: string;
const extraClients: DynamoDBClient[] = [];

beforeAll(async () => {
  standIns = await startStandIns();
  tableName = standIns.env.MODELS_TABLE!;
});

afterAll(async () => {
  for (const client of extraClients) client.destroy();
  await standIns.close();
});

const store = (options: Partial<DynamoDbModelStoreOptions> = {}): DynamoDbModelStore =>
  new DynamoDbModelStore({ tableName, client: standIns.dynamodb, ...options });

/** Every sort key in a repository's partition, read straight from the table. */
async function partitionKeys(repositoryUuid: string): Promise<string[]> {
  const keys: string[] = [];
  let startKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await standIns.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: repositoryUuid } },
        ProjectionExpression: 'sk',
        ConsistentRead: true,
        ExclusiveStartKey: startKey,
      }),
    );
    keys.push(...(page.Items ?? []).map((item) => item.sk!.S!));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  return keys;
}

const chunkKeys = async (repositoryUuid: string): Promise<string[]> =>
  (await partitionKeys(repositoryUuid)).filter((sk) => sk.startsWith('chunk#'));
const indexKeys = async (repositoryUuid: string): Promise<string[]> =>
  (await partitionKeys(repositoryUuid)).filter((sk) => sk.startsWith('index#'));

/**
 * A second client to the same dynalite whose `failWhen` predicate can make a command fail before it is sent:
 * simulates the process dying between two steps of a write. Everything else goes to the real server.
 */
function crashingStore(options: Partial<DynamoDbModelStoreOptions> = {}): {
  store: DynamoDbModelStore;
  client: DynamoDBClient;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fault hook sees any DynamoDB command input
  failWhen: (predicate?: (name: string, input: any) => boolean) => void;
} {
  const client = new DynamoDBClient({
    endpoint: standIns.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  extraClients.push(client);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the fault hook sees any DynamoDB command input
  let predicate: ((name: string, input: any) => boolean) | undefined;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (predicate?.(context.commandName ?? '', args.input)) throw new Error(`simulated crash before ${context.commandName}`);
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
  return {
    store: new DynamoDbModelStore({ tableName, client, ...options }),
    client,
    failWhen: (p) => {
      predicate = p;
    },
  };
}

describe('DynamoDbModelStore', () => {
  describe.each([
    ['default sizes (inline)', {}, 'inline'],
    ['small chunks (chunked)', SMALL_CHUNKS, 'chunked'],
  ] as const)('with %s', (_label, options, storage) => {
    it.each(MODEL_FILES)('round-trips %s byte-exact with its metadata', async (name) => {
      const models = store(options);
      const repo = newRepo();
      const bytes = fixture(name);
      const written = await models.putModel({
        repositoryUuid: repo,
        path: `books/${name}`,
        commit: 'c1',
        bytes,
        syncedAt: '2025-01-02T03:04:05.000Z',
      });

      expect(written).toMatchObject({
        repositoryUuid: repo,
        path: `books/${name}`,
        commit: 'c1',
        size: bytes.length,
        sha256: sha256(bytes),
        syncedAt: '2025-01-02T03:04:05.000Z',
        status: 'valid',
        encoding: 'br',
        storage,
      });
      expect(written.storedBytes).toBeLessThan(bytes.length / 7);
      const metadata = JSON.parse(bytes.toString('utf8'));
      expect(written.modelName).toBe(metadata.modelName);
      expect(written.GUID).toBe(metadata.GUID);
      expect(written.collections).toBe(metadata.collections.length);

      const read = await models.getModel(repo, `books/${name}`);
      expect(read?.body.equals(bytes)).toBe(true);
      expect(read?.record).toEqual(written);
      expect(await models.getRecord(repo, `books/${name}`)).toEqual(written);
      expect(await chunkKeys(repo)).toHaveLength(written.chunkCount);
      if (storage === 'chunked') expect(written.chunkCount).toBe(Math.ceil(written.storedBytes / SMALL_CHUNKS.chunkBytes));
      else expect(written.chunkCount).toBe(0);
    });
  });

  it("tells which of a diff's paths are stored, in batches of 100, without listing the repository", async () => {
    const models = store();
    const repo = newRepo();
    const storedPaths = Array.from({ length: 150 }, (_, index) => `m/${index}.hck.json`);
    for (const path of storedPaths) await models.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: Buffer.from('{}') });
    const asked = [
      ...storedPaths.filter((_, index) => index % 3 === 0),
      'not/stored.hck.json',
      'ü dir/none.hck.json',
      `${'x'.repeat(2000)}.hck.json`,
    ];
    const found = await models.existingPaths(repo, asked);
    expect([...found].sort()).toEqual(storedPaths.filter((_, index) => index % 3 === 0).sort());
  });

  it('stores a generated ~5 MB model chunked and reads it back byte-exact', async () => {
    const models = store({ chunkBytes: 64 * 1024, inlineLimitBytes: 64 * 1024 });
    const repo = newRepo();
    const bytes = generateLargeModel(5 * 1024 * 1024);
    const written = await models.putModel({ repositoryUuid: repo, path: 'big/generated.hck.json', commit: 'c1', bytes });

    expect(written.storage).toBe('chunked');
    expect(written.chunkCount).toBe(Math.ceil(written.storedBytes / (64 * 1024)));
    expect(written.chunkCount).toBeGreaterThan(2);
    expect(written.indexChunks).toBeGreaterThan(0);
    expect(await partitionKeys(repo)).toEqual([
      'chunk#' + written.version + '#000000',
      ...Array.from({ length: written.chunkCount - 1 }, (_, i) => chunkSortKey(written.version, i + 1)),
      ...Array.from({ length: written.indexChunks! }, (_, i) => chunkSortKey(written.version, i, 'index#')),
      'model#big/generated.hck.json',
    ]);
    expect((await models.getModel(repo, 'big/generated.hck.json'))?.body.equals(bytes)).toBe(true);
  });

  it('stores a 32 MiB model with default sizes chunked and reads it back byte-exact', async () => {
    const models = store();
    const repo = newRepo();
    const bytes = generateLargeModel(32 * 1024 * 1024);
    expect(bytes.length).toBeLessThanOrEqual(32 * 1024 * 1024);
    const written = await models.putModel({ repositoryUuid: repo, path: 'huge.hck.json', commit: 'c1', bytes });

    expect(written.storage).toBe('chunked');
    expect(written.chunkCount).toBe(Math.ceil(written.storedBytes / (350 * 1024)));
    expect(await chunkKeys(repo)).toHaveLength(written.chunkCount);
    const read = await models.getModel(repo, 'huge.hck.json');
    expect(read?.body.length).toBe(bytes.length);
    expect(read?.body.equals(bytes)).toBe(true);
  });

  it('keeps invalid JSON byte-exact with status invalid and the parse error', async () => {
    const models = store(SMALL_CHUNKS);
    const repo = newRepo();
    const truncated = fixture('medium-dynamodb-book.hck.json').subarray(0, 30_000);
    const binary = randomBytes(20_000);
    const a = await models.putModel({ repositoryUuid: repo, path: 'broken.hck.json', commit: 'c1', bytes: truncated });
    const b = await models.putModel({ repositoryUuid: repo, path: 'binary.hck.json', commit: 'c1', bytes: binary });

    expect(a).toMatchObject({ status: 'invalid', size: 30_000, sha256: sha256(truncated), storage: 'chunked' });
    expect(a.parseError).toMatch(/JSON/);
    expect(a.modelName).toBeUndefined();
    expect(a.collections).toBeUndefined();
    expect(b.status).toBe('invalid');
    expect((await models.getModel(repo, 'broken.hck.json'))?.body.equals(truncated)).toBe(true);
    expect((await models.getModel(repo, 'binary.hck.json'))?.body.equals(binary)).toBe(true);
    expect(await models.getRecord(repo, 'broken.hck.json')).toEqual(a);
  });

  it('records a too-large model without a body and refuses to store one', async () => {
    const models = store({ ...SMALL_CHUNKS, maxModelBytes: 50_000 });
    const repo = newRepo();
    await expect(putFixture(models, repo, 'big.hck.json', 'c1', 'medium-polyglot-animal-shelter-ldm.hck.json')).rejects.toThrow(
      ModelTooLargeError,
    );
    expect(await partitionKeys(repo)).toEqual([]);

    // A model that was stored before and has grown over the limit: its chunks go away with the body.
    const before = await putFixture(models, repo, 'big.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');
    expect(before.storage).toBe('chunked');
    const record = await models.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c2', size: 80_267 });
    expect(record).toMatchObject({ status: 'too-large', size: 80_267, commit: 'c2', storage: 'none', chunkCount: 0, storedBytes: 0 });
    expect(record.sha256).toBeUndefined();
    expect(await models.getRecord(repo, 'big.hck.json')).toEqual(record);
    await expect(models.getModel(repo, 'big.hck.json')).rejects.toThrow(ModelBodyNotStoredError);
    expect(await partitionKeys(repo)).toEqual(['model#big.hck.json']);
  });

  it("overwrites: the old version's chunks are deleted, chunked or inline", async () => {
    const models = store(SMALL_CHUNKS);
    const repo = newRepo();
    const v1 = await putFixture(models, repo, 'm.hck.json', 'c1', 'medium-dynamodb-book.hck.json');
    const v2 = await putFixture(models, repo, 'm.hck.json', 'c2', 'medium-polyglot-animal-shelter-ldm.hck.json');
    expect(v2.version).not.toBe(v1.version);
    const keys = await chunkKeys(repo);
    expect(keys).toHaveLength(v2.chunkCount);
    expect(keys.every((sk) => sk.startsWith(`chunk#${v2.version}#`))).toBe(true);
    expect((await models.getModel(repo, 'm.hck.json'))?.body.equals(fixture('medium-polyglot-animal-shelter-ldm.hck.json'))).toBe(true);

    // Shrinks to inline: no chunk left.
    const v3 = await models.putModel({
      repositoryUuid: repo,
      path: 'm.hck.json',
      commit: 'c3',
      bytes: Buffer.from('{"modelName":"tiny"}'),
    });
    expect(v3).toMatchObject({ storage: 'inline', modelName: 'tiny', commit: 'c3' });
    expect(await partitionKeys(repo)).toEqual(['model#m.hck.json']);
  });

  it('deletes a model with its chunks, and deleting an absent model is a no-op', async () => {
    const models = store(SMALL_CHUNKS);
    const repo = newRepo();
    await models.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: fixture('medium-dynamodb-book.hck.json') });
    await putFixture(models, repo, 'b.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');
    await models.deleteModel(repo, 'a.hck.json');
    expect(await models.getModel(repo, 'a.hck.json')).toBeUndefined();
    const remaining = await models.getRecord(repo, 'b.hck.json');
    expect((await chunkKeys(repo)).every((sk) => sk.startsWith(`chunk#${remaining!.version}#`))).toBe(true);
    expect(await chunkKeys(repo)).toHaveLength(remaining!.chunkCount);
    await models.deleteModel(repo, 'a.hck.json');
    await models.deleteModel(repo, 'b.hck.json');
    expect(await partitionKeys(repo)).toEqual([]);
  });

  describe('moveModel', () => {
    it('renames a chunked model without refetching: same chunks, no orphan', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const bytes = fixture('large-mongodb-schema-design-patterns.hck.json');
      const original = await models.putModel({ repositoryUuid: repo, path: 'old name.hck.json', commit: 'c1', bytes });
      const chunksBefore = await chunkKeys(repo);

      const moved = await models.moveModel(repo, 'old name.hck.json', 'nouveau/modèle.hck.json', 'c2');
      expect(moved).toMatchObject({
        path: 'nouveau/modèle.hck.json',
        commit: 'c2',
        version: original.version,
        sha256: original.sha256,
        collections: 44,
      });
      expect(await models.getRecord(repo, 'old name.hck.json')).toBeUndefined();
      expect((await models.getModel(repo, 'nouveau/modèle.hck.json'))?.body.equals(bytes)).toBe(true);
      expect(await chunkKeys(repo)).toEqual(chunksBefore);
      expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
      // Once the old path is gone the chunks are the new record's alone: no "shared" flag is left behind.
      expect(moved!.sharedChunks).toBeUndefined();
      expect((await models.getRecord(repo, 'nouveau/modèle.hck.json'))!.sharedChunks).toBeUndefined();

      // The moved record owns the chunks now: overwriting it deletes them.
      const next = await putFixture(models, repo, 'nouveau/modèle.hck.json', 'c3', 'medium-dynamodb-book.hck.json');
      expect((await chunkKeys(repo)).every((sk) => sk.startsWith(`chunk#${next.version}#`))).toBe(true);
      expect(await chunkKeys(repo)).toHaveLength(next.chunkCount);
    });

    it('renames an inline model, replacing a model already at the target', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const small = Buffer.from('{"modelName":"small","collections":[]}');
      await models.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: small });
      await models.putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: fixture('medium-dynamodb-book.hck.json') });

      const moved = await models.moveModel(repo, 'a.hck.json', 'b.hck.json', 'c2');
      expect(moved).toMatchObject({ storage: 'inline', modelName: 'small', commit: 'c2' });
      expect((await models.getModel(repo, 'b.hck.json'))?.body.equals(small)).toBe(true);
      expect(await partitionKeys(repo)).toEqual(['model#b.hck.json']);
    });

    it('returns undefined when there is nothing to move', async () => {
      expect(await store().moveModel(newRepo(), 'missing.hck.json', 'x.hck.json', 'c1')).toBeUndefined();
    });

    it('loses nothing when interrupted between its two writes', async () => {
      const { store: crashing, failWhen } = crashingStore(SMALL_CHUNKS);
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const bytes = fixture('medium-polyglot-animal-shelter-ldm.hck.json');
      await models.putModel({ repositoryUuid: repo, path: 'from.hck.json', commit: 'c1', bytes });

      failWhen((name) => name === 'DeleteItemCommand');
      await expect(crashing.moveModel(repo, 'from.hck.json', 'to.hck.json', 'c2')).rejects.toThrow('simulated crash');
      failWhen(undefined);

      // Both paths exist and share the chunks.
      expect((await models.getModel(repo, 'from.hck.json'))?.body.equals(bytes)).toBe(true);
      expect((await models.getModel(repo, 'to.hck.json'))?.body.equals(bytes)).toBe(true);
      // The next sync deletes the old path: the chunks stay because the new path references them.
      await models.deleteModel(repo, 'from.hck.json');
      expect((await models.getModel(repo, 'to.hck.json'))?.body.equals(bytes)).toBe(true);
      expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
      // Once nobody references them, deleting the last record deletes them.
      await models.deleteModel(repo, 'to.hck.json');
      expect(await partitionKeys(repo)).toEqual([]);
    });

    it('can be run again to complete an interrupted move', async () => {
      const { store: crashing, failWhen } = crashingStore(SMALL_CHUNKS);
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const bytes = fixture('small-neo4j-bill-of-materials.hck.json');
      const original = await models.putModel({ repositoryUuid: repo, path: 'from.hck.json', commit: 'c1', bytes });
      failWhen((name) => name === 'DeleteItemCommand');
      await expect(crashing.moveModel(repo, 'from.hck.json', 'to.hck.json', 'c2')).rejects.toThrow('simulated crash');
      failWhen(undefined);

      const moved = await models.moveModel(repo, 'from.hck.json', 'to.hck.json', 'c2');
      expect(moved?.version).toBe(original.version);
      expect(await models.getRecord(repo, 'from.hck.json')).toBeUndefined();
      expect((await models.getModel(repo, 'to.hck.json'))?.body.equals(bytes)).toBe(true);
      expect(await chunkKeys(repo)).toHaveLength(original.chunkCount);
    });
  });

  describe('concurrency', () => {
    it('rejects a write based on a stale version and leaves no trace of it', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const first = await putFixture(models, repo, 'm.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');
      // Another worker rewrites the model after we read version `first`.
      const theirs = await putFixture(models, repo, 'm.hck.json', 'c2', 'medium-dynamodb-book.hck.json');

      await expect(
        models.putModel({
          repositoryUuid: repo,
          path: 'm.hck.json',
          commit: 'c3',
          bytes: fixture('medium-polyglot-animal-shelter-ldm.hck.json'),
          expectedVersion: first.version,
        }),
      ).rejects.toThrow(ModelWriteConflictError);
      await expect(
        models.putModel({
          repositoryUuid: repo,
          path: 'm.hck.json',
          commit: 'c3',
          bytes: fixture('medium-polyglot-animal-shelter-ldm.hck.json'),
          expectedVersion: null,
        }),
      ).rejects.toThrow(ModelWriteConflictError);

      expect(await models.getRecord(repo, 'm.hck.json')).toEqual(theirs);
      expect((await models.getModel(repo, 'm.hck.json'))?.body.equals(fixture('medium-dynamodb-book.hck.json'))).toBe(true);
      expect(await chunkKeys(repo)).toHaveLength(theirs.chunkCount);
    });

    it('detects a writer that commits between our read and our commit, and deletes our chunks', async () => {
      const { store: slow, client } = crashingStore(SMALL_CHUNKS);
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      await putFixture(models, repo, 'm.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');

      // Right before our record commit, a concurrent writer commits its own version.
      let theirs: Awaited<ReturnType<DynamoDbModelStore['putModel']>> | undefined;
      client.middlewareStack.add(
        (next, context) => async (args) => {
          if (context.commandName === 'PutItemCommand' && !theirs) {
            theirs = await putFixture(models, repo, 'm.hck.json', 'c2', 'medium-dynamodb-book.hck.json');
          }
          return next(args);
        },
        { step: 'initialize', name: 'concurrentWriter' },
      );

      await expect(putFixture(slow, repo, 'm.hck.json', 'c3', 'large-mongodb-schema-design-patterns.hck.json')).rejects.toThrow(
        ModelWriteConflictError,
      );
      expect(await models.getRecord(repo, 'm.hck.json')).toEqual(theirs);
      expect(await chunkKeys(repo)).toHaveLength(theirs!.chunkCount);
      expect((await chunkKeys(repo)).every((sk) => sk.startsWith(`chunk#${theirs!.version}#`))).toBe(true);
    });

    it('racing writers to one path leave exactly one complete version and no stray chunks', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const bodies = MODEL_FILES.map(fixture);
      const results = await Promise.allSettled(
        bodies.map((bytes, i) => models.putModel({ repositoryUuid: repo, path: 'race.hck.json', commit: `c${i}`, bytes })),
      );
      expect(results.some((result) => result.status === 'fulfilled')).toBe(true);
      for (const result of results) if (result.status === 'rejected') expect(result.reason).toBeInstanceOf(ModelWriteConflictError);

      const final = await models.getModel(repo, 'race.hck.json');
      expect(bodies.some((bytes) => bytes.equals(final!.body))).toBe(true);
      expect(await chunkKeys(repo)).toHaveLength(final!.record.chunkCount);
    });

    it('readers never see a mixed or partial body while the model is rewritten', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const a = fixture('medium-dynamodb-book.hck.json');
      const b = fixture('medium-polyglot-animal-shelter-ldm.hck.json');
      await models.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c0', bytes: a });
      let writing = true;
      const writer = (async () => {
        try {
          for (let i = 1; i <= 6; i++)
            await models.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: `c${i}`, bytes: i % 2 ? b : a });
        } finally {
          writing = false;
        }
      })();
      let complete = 0;
      while (writing) {
        try {
          const read = await models.getModel(repo, 'm.hck.json');
          expect(read!.body.equals(a) || read!.body.equals(b)).toBe(true);
          expect(read!.body.equals(a) ? sha256(a) : sha256(b)).toBe(read!.record.sha256);
          complete++;
        } catch (error) {
          // Allowed only as the named error after its one re-read; never a wrong body.
          expect(error).toBeInstanceOf(ModelBodyInconsistentError);
        }
      }
      await writer;
      expect(complete).toBeGreaterThan(0);
    });

    it('reports a body that does not match its record as ModelBodyInconsistentError', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const record = await putFixture(models, repo, 'm.hck.json', 'c1', 'medium-dynamodb-book.hck.json');
      // Replace chunk 1 with other bytes: the count still matches, the content does not.
      await standIns.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: repo }, sk: { S: chunkSortKey(record.version, 1) }, data: { B: randomBytes(100) }, writtenAt: { N: '0' } },
        }),
      );
      await expect(models.getModel(repo, 'm.hck.json')).rejects.toThrow(ModelBodyInconsistentError);
    });

    it('reads chunked bodies back as a reader gets them: intact ones with their ids, one with a replaced chunk as unreadable', async () => {
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const intact = await putFixture(models, repo, 'a.hck.json', 'c1', 'medium-dynamodb-book.hck.json');
      const damaged = await putFixture(models, repo, 'b.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');
      await standIns.dynamodb.send(
        new PutItemCommand({
          TableName: tableName,
          Item: { pk: { S: repo }, sk: { S: chunkSortKey(damaged.version, 0) }, data: { B: randomBytes(100) }, writtenAt: { N: '0' } },
        }),
      );

      const read = await models.readBackModels(repo);

      expect(intact.storage).toBe('chunked');
      expect(read.map((model) => [model.path, model.body])).toEqual([
        ['a.hck.json', { blobId: intact.blobId, sha256: intact.sha256, size: intact.size }],
        ['b.hck.json', 'unreadable'],
      ]);
    });
  });

  describe('removeOrphanChunks', () => {
    it('cleans chunks of a write that died before its commit, keeping the visible model intact', async () => {
      const { store: crashing, failWhen } = crashingStore(SMALL_CHUNKS);
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const kept = await putFixture(models, repo, 'm.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');

      failWhen((name) => name === 'PutItemCommand');
      await expect(putFixture(crashing, repo, 'm.hck.json', 'c2', 'large-mongodb-schema-design-patterns.hck.json')).rejects.toThrow(
        'simulated crash',
      );
      const orphans = (await chunkKeys(repo)).length - kept.chunkCount;
      expect(orphans).toBeGreaterThan(0);
      // The write's index pieces, written before its record like its chunks, are orphans too.
      const orphanIndexPieces = (await indexKeys(repo)).length - kept.indexChunks!;
      expect(orphanIndexPieces).toBeGreaterThan(0);
      expect((await models.getModel(repo, 'm.hck.json'))?.body.equals(fixture('small-neo4j-bill-of-materials.hck.json'))).toBe(true);

      // Young chunks may belong to a write in progress: left alone.
      expect(await models.removeOrphanChunks(repo, { olderThanMs: 60_000 })).toBe(0);
      expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(orphans + orphanIndexPieces);
      expect(await chunkKeys(repo)).toHaveLength(kept.chunkCount);
      expect(await indexKeys(repo)).toEqual(Array.from({ length: kept.indexChunks! }, (_, i) => chunkSortKey(kept.version, i, 'index#')));
      expect((await models.getModel(repo, 'm.hck.json'))?.body.equals(fixture('small-neo4j-bill-of-materials.hck.json'))).toBe(true);
    });

    it("cleans the previous version's chunks when a write died right after its commit", async () => {
      const { store: crashing, failWhen } = crashingStore(SMALL_CHUNKS);
      const models = store(SMALL_CHUNKS);
      const repo = newRepo();
      const old = await putFixture(models, repo, 'm.hck.json', 'c1', 'medium-dynamodb-book.hck.json');

      failWhen(
        (name, input) =>
          name === 'BatchWriteItemCommand' &&
          Object.values(input.RequestItems as Record<string, Array<{ DeleteRequest?: unknown }>>)[0]![0]!.DeleteRequest !== undefined,
      );
      await expect(putFixture(crashing, repo, 'm.hck.json', 'c2', 'large-mongodb-schema-design-patterns.hck.json')).rejects.toThrow(
        'simulated crash',
      );
      const current = await models.getModel(repo, 'm.hck.json');
      expect(current?.record.commit).toBe('c2');
      expect(current?.body.equals(fixture('large-mongodb-schema-design-patterns.hck.json'))).toBe(true);

      expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(old.chunkCount + old.indexChunks!);
      expect(await chunkKeys(repo)).toHaveLength(current!.record.chunkCount);
      expect(await indexKeys(repo)).toEqual(
        Array.from({ length: current!.record.indexChunks! }, (_, i) => chunkSortKey(current!.record.version, i, 'index#')),
      );
    });
  });

  it('lists all records of a repository across result pages, without bodies', async () => {
    const models = store();
    const repo = newRepo();
    const other = newRepo();
    await models.putModel({ repositoryUuid: other, path: 'other.hck.json', commit: 'c1', bytes: Buffer.from('{}') });
    // 150 inline records of ~10 KB incompressible bytes: > 1 MB, so the Query needs several pages.
    const paths = Array.from({ length: 150 }, (_, i) => `dir ${i % 7}/model-${String(i).padStart(3, '0')}.hck.json`);
    for (let i = 0; i < paths.length; i += 15) {
      await Promise.all(
        paths.slice(i, i + 15).map((path) => models.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: randomBytes(10_000) })),
      );
    }
    const firstPage = await standIns.dynamodb.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: repo } },
      }),
    );
    expect(firstPage.LastEvaluatedKey).toBeDefined();

    const listed = await models.listModels(repo);
    expect(listed.map((record) => record.path)).toEqual([...paths].sort());
    expect(listed.every((record) => record.repositoryUuid === repo && record.status === 'invalid' && record.storage === 'inline')).toBe(
      true,
    );
    expect(listed.some((record) => 'body' in record)).toBe(false);
  });

  it('deletes a whole repository and nothing else', async () => {
    const models = store(SMALL_CHUNKS);
    const repo = newRepo();
    const other = newRepo();
    const records = await Promise.all(
      MODEL_FILES.map((name) => models.putModel({ repositoryUuid: repo, path: name, commit: 'c1', bytes: fixture(name) })),
    );
    await models.recordTooLarge({ repositoryUuid: repo, path: 'huge.hck.json', commit: 'c1', size: 40_000_000 });
    await putFixture(models, other, 'keep.hck.json', 'c1', 'small-neo4j-bill-of-materials.hck.json');

    const expected = records.reduce((sum, record) => sum + 1 + record.chunkCount + (record.indexChunks ?? 0), 1);
    expect(await models.deleteRepository(repo)).toBe(expected);
    expect(await partitionKeys(repo)).toEqual([]);
    expect((await models.getModel(other, 'keep.hck.json'))?.body.equals(fixture('small-neo4j-bill-of-materials.hck.json'))).toBe(true);
  });

  it('fits a body at the inline limit with a maximal path and oversized metadata in one item', async () => {
    const models = store();
    const repo = newRepo();
    // 1018 bytes of path: the longest a 1024-byte sort key allows; 'é' is 2 bytes in UTF-8.
    const path = `${'é'.repeat(500)}${'x'.repeat(8)}.hck.json`;
    expect(Buffer.byteLength(`model#${path}`)).toBe(1023);
    const json = Buffer.from(
      JSON.stringify({ modelName: 'n'.repeat(5000), dbVendor: 'ü'.repeat(5000), padding: randomBytes(350_000).toString('base64') }),
    );
    const written = await models.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: json });
    expect(written.storage).toBe('inline');
    expect(written.storedBytes).toBeGreaterThan(340 * 1024); // ~351 KB of the 358.4 KB inline limit
    expect(written.modelName).toHaveLength(1024);
    expect((await models.getModel(repo, path))?.body.equals(json)).toBe(true);

    // Incompressible and just over the inline limit: two full-size chunk items.
    const noise = randomBytes(400 * 1024);
    const chunked = await models.putModel({ repositoryUuid: repo, path, commit: 'c2', bytes: noise });
    expect(chunked).toMatchObject({ storage: 'chunked', chunkCount: 2 });
    expect((await models.getModel(repo, path))?.body.equals(noise)).toBe(true);
  });

  it('keeps a path too long for a sort key whole, under a hashed key, and still fits a body at the inline limit', async () => {
    const models = store();
    const repo = newRepo();
    // 3,000 bytes of path: the sort key carries its first bytes and its SHA-256, the `path` attribute all of it.
    const path = `${'ü'.repeat(1500)}.hck.json`;
    const json = Buffer.from(JSON.stringify({ modelName: 'n'.repeat(5000), padding: randomBytes(350_000).toString('base64') }));
    const written = await models.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: json });
    expect(written.path).toBe(path);
    const sk = (await partitionKeys(repo)).find((candidate) => candidate.startsWith('model#'));
    expect(Buffer.byteLength(sk!)).toBeLessThanOrEqual(1024);
    expect(sk).toMatch(/^model#ü+#~[0-9a-f]{64}$/);
    expect((await models.getModel(repo, path))?.body.equals(json)).toBe(true);
  });

  it('refuses chunk sizes that cannot fit an item', () => {
    expect(() => store({ chunkBytes: 500 * 1024 })).toThrow(RangeError);
    expect(() => store({ chunkBytes: 0 })).toThrow(RangeError);
  });
});
