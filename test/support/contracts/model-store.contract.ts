/**
 * The behaviour the sync engine and the tests rely on from the model store, as one suite run against
 * DynamoDbModelStore on dynalite and against the in-memory store, so the fake stays faithful.
 */
import { createHash, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  ModelBodyInconsistentError,
  ModelBodyNotStoredError,
  ModelTooLargeError,
  ModelWriteConflictError,
} from '../../../shared/domain/sync/errors';
import type { ModelStore, ReadBackModel } from '../../../shared/domain/sync/ports';
import { entryPath, type EntityIndexDocument } from '../../../shared/models/entity-index';
import type { ModelRecord } from '../../../shared/models/model-record';

/** The surface both stores share. */
export interface ModelStoreUnderTest extends ModelStore {
  putModel(input: {
    repositoryUuid: string;
    path: string;
    commit: string;
    bytes: Buffer;
    expectedVersion?: string | null;
    generation?: string;
  }): Promise<ModelRecord>;
  getRecord(repositoryUuid: string, path: string): Promise<ModelRecord | undefined>;
  getModel(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; body: Buffer } | undefined>;
  listModels(repositoryUuid: string): Promise<ModelRecord[]>;
  moveModel(
    repositoryUuid: string,
    fromPath: string,
    toPath: string,
    commit: string,
    options?: { generation?: string },
  ): Promise<ModelRecord | undefined>;
  deleteRepository(repositoryUuid: string): Promise<number>;
  readBackModels(repositoryUuid: string): Promise<readonly ReadBackModel[]>;
  getEntityIndex(repositoryUuid: string, path: string): Promise<{ record: ModelRecord; index?: EntityIndexDocument } | undefined>;
}

/** Replaces a stored body behind the store's back, its record untouched (the store's own way of holding it). */
export type TamperBody = (repositoryUuid: string, path: string, bytes: Buffer) => Promise<void>;

const FIXTURE = readFileSync(join(__dirname, '../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const newRepo = () => `{${randomUUID()}}`;
/** The record fields that mean something to callers (storage layout aside). */
const visible = (record: ModelRecord | undefined) =>
  record && {
    path: record.path,
    commit: record.commit,
    size: record.size,
    sha256: record.sha256,
    status: record.status,
    modelName: record.modelName,
    dbVendor: record.dbVendor,
    collections: record.collections,
    parseError: record.parseError !== undefined,
  };

/** Each entry of an index as `kind:path/in/model`. */
const indexPaths = (index: EntityIndexDocument | undefined) =>
  index?.entries.map((entry, at) => `${entry.kind}:${entryPath(index.entries, at).join('/')}`);

/** `store(options)` returns a store; each test uses its own repository uuid. */
export function modelStoreContract(store: (options?: { maxModelBytes?: number }) => ModelStoreUnderTest, tamper: TamperBody): void {
  it('keeps the exact bytes of a model with its metadata, and of an invalid file with its parse error', async () => {
    const s = store();
    const repo = newRepo();
    const record = await s.putModel({ repositoryUuid: repo, path: 'book.hck.json', commit: 'c1', bytes: FIXTURE });
    expect(record).toMatchObject({
      status: 'valid',
      size: FIXTURE.byteLength,
      commit: 'c1',
      modelName: expect.any(String),
      dbVendor: 'AWS DynamoDB',
    });
    const stored = await s.getModel(repo, 'book.hck.json');
    expect(stored!.body.equals(FIXTURE)).toBe(true);
    expect(visible(stored!.record)).toEqual(visible(record));

    const broken = Buffer.from('\uFEFF{"modelName":', 'utf8');
    await s.putModel({ repositoryUuid: repo, path: 'broken.hck.json', commit: 'c1', bytes: broken });
    const invalid = await s.getModel(repo, 'broken.hck.json');
    expect(invalid!.record).toMatchObject({ status: 'invalid', parseError: expect.any(String) });
    expect(invalid!.body.equals(broken)).toBe(true);
    expect(await s.getModel(repo, 'absent.hck.json')).toBeUndefined();
  });

  it('keeps the git blob id of the stored bytes, through a move, and of a too-large file when given', async () => {
    const s = store({ maxModelBytes: 1000 });
    const repo = newRepo();
    const bytes = Buffer.from('{"modelName":"A"}\n');
    const expected = createHash('sha1')
      .update(Buffer.concat([Buffer.from(`blob ${bytes.length}\0`), bytes]))
      .digest('hex');
    expect((await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes })).blobId).toBe(expected);
    await s.moveModel(repo, 'a.hck.json', 'b.hck.json', 'c2');
    await s.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c2', size: 2000, blobId: 'f'.repeat(40) });
    await s.recordTooLarge({ repositoryUuid: repo, path: 'huge.hck.json', commit: 'c2', size: 3000 });
    expect((await s.listModels(repo)).map((record) => [record.path, record.blobId])).toEqual([
      ['b.hck.json', expected],
      ['big.hck.json', 'f'.repeat(40)],
      ['huge.hck.json', undefined],
    ]);
  });

  it('reads back what a reader gets: the ids of each body, and a body edited behind its back as unreadable', async () => {
    const s = store({ maxModelBytes: 1000 });
    const repo = newRepo();
    const bytes = Buffer.from('{"modelName":"A"}');
    const written = await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes });
    await s.putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: Buffer.from('{"modelName":"B"}') });
    await s.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c1', size: 2000 });
    await tamper(repo, 'b.hck.json', Buffer.from('{"modelName":"edited"}'));

    const read = await s.readBackModels(repo);

    expect(read.map((model) => [model.path, model.body])).toEqual([
      ['a.hck.json', { blobId: written.blobId, sha256: written.sha256, size: bytes.byteLength }],
      ['b.hck.json', 'unreadable'],
      ['big.hck.json', undefined],
    ]);
    expect(read[1]).toMatchObject({ path: 'b.hck.json', status: 'valid', blobId: expect.any(String) }); // the record is intact
    await expect(s.getModel(repo, 'b.hck.json')).rejects.toBeInstanceOf(ModelBodyInconsistentError);
  });

  it('refuses a body over the limit, and records a too-large file without a body', async () => {
    const s = store({ maxModelBytes: 1000 });
    const repo = newRepo();
    await expect(
      s.putModel({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c1', bytes: Buffer.alloc(1001, 'x') }),
    ).rejects.toBeInstanceOf(ModelTooLargeError);
    await s.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c1', size: 1001 });
    expect(await s.getRecord(repo, 'big.hck.json')).toMatchObject({ status: 'too-large', size: 1001, storage: 'none' });
    await expect(s.getModel(repo, 'big.hck.json')).rejects.toBeInstanceOf(ModelBodyNotStoredError);
  });

  it('lists records in key order and answers which paths are stored', async () => {
    const s = store();
    const repo = newRepo();
    const paths = ['b.hck.json', 'a/z.hck.json', 'A.hck.json', 'é.hck.json', '中.hck.json', 'a.hck.json'];
    for (const path of paths) await s.putModel({ repositoryUuid: repo, path, commit: 'c1', bytes: Buffer.from('{}') });
    expect((await s.listModels(repo)).map((record) => record.path)).toEqual([
      'A.hck.json',
      'a.hck.json',
      'a/z.hck.json',
      'b.hck.json',
      'é.hck.json',
      '中.hck.json',
    ]);
    const tooLong = `${'x'.repeat(1100)}.hck.json`;
    expect([...(await s.existingPaths(repo, ['a.hck.json', 'nope.hck.json', '中.hck.json', tooLong, 'a.hck.json']))].sort()).toEqual([
      'a.hck.json',
      '中.hck.json',
    ]);
    expect(await s.listModels(newRepo())).toEqual([]);
  });

  it('replaces a model with a new version, and refuses a write that expected another version', async () => {
    const s = store();
    const repo = newRepo();
    const first = await s.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c1', bytes: Buffer.from('{"v":1}') });
    const second = await s.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c2', bytes: Buffer.from('{"v":2}') });
    expect(second.version).not.toBe(first.version);
    expect((await s.getModel(repo, 'm.hck.json'))!.body.toString()).toBe('{"v":2}');
    await expect(
      s.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c3', bytes: Buffer.from('{"v":3}'), expectedVersion: first.version }),
    ).rejects.toBeInstanceOf(ModelWriteConflictError);
    await expect(
      s.putModel({ repositoryUuid: repo, path: 'new.hck.json', commit: 'c3', bytes: Buffer.from('{}'), expectedVersion: first.version }),
    ).rejects.toBeInstanceOf(ModelWriteConflictError);
    await s.putModel({
      repositoryUuid: repo,
      path: 'm.hck.json',
      commit: 'c3',
      bytes: Buffer.from('{"v":3}'),
      expectedVersion: second.version,
    });
    expect((await s.getModel(repo, 'm.hck.json'))!.record.commit).toBe('c3');
  });

  it('moves a model without its bytes, over an existing target, and says when there is nothing to move', async () => {
    const s = store();
    const repo = newRepo();
    const source = await s.putModel({ repositoryUuid: repo, path: 'old.hck.json', commit: 'c1', bytes: FIXTURE });
    await s.putModel({ repositoryUuid: repo, path: 'new.hck.json', commit: 'c1', bytes: Buffer.from('{"replaced":true}') });
    const moved = await s.moveModel(repo, 'old.hck.json', 'new.hck.json', 'c2');
    expect(moved).toMatchObject({
      path: 'new.hck.json',
      commit: 'c2',
      version: source.version,
      sha256: source.sha256,
      modelName: source.modelName,
    });
    expect(moved!.sharedChunks).toBeUndefined();
    expect((await s.getModel(repo, 'new.hck.json'))!.body.equals(FIXTURE)).toBe(true);
    expect(await s.getRecord(repo, 'old.hck.json')).toBeUndefined();
    expect(await s.moveModel(repo, 'old.hck.json', 'elsewhere.hck.json', 'c3')).toBeUndefined();
    expect(await s.getRecord(repo, 'elsewhere.hck.json')).toBeUndefined();
    expect(await s.moveModel(repo, 'new.hck.json', 'new.hck.json', 'c3')).toMatchObject({ path: 'new.hck.json', commit: 'c2' });
  });

  it('deletes a model (absent paths are fine), leaves no orphans behind ordinary writes, and empties a repository', async () => {
    const s = store();
    const repo = newRepo();
    await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: FIXTURE });
    await s.putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: Buffer.from('{}') });
    await s.deleteModel(repo, 'a.hck.json');
    await s.deleteModel(repo, 'never-there.hck.json');
    expect((await s.listModels(repo)).map((record) => record.path)).toEqual(['b.hck.json']);
    expect(await s.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
    expect(await s.deleteRepository(repo)).toBeGreaterThanOrEqual(1);
    expect(await s.listModels(repo)).toEqual([]);
  });

  it('stores models whose path is longer than a DynamoDB sort key (1,024 bytes), each under its own exact path', async () => {
    const s = store();
    const repo = newRepo();
    // 400 CJK characters are 1,200 UTF-8 bytes; two such paths share their first 1,000 bytes.
    const deep = `${'書'.repeat(400)}/`;
    const longA = `${deep}a.hck.json`;
    const longB = `${deep}b.hck.json`;
    const moved = `${'模'.repeat(350)}/moved.hck.json`;
    await s.putModel({ repositoryUuid: repo, path: longA, commit: 'c1', bytes: FIXTURE });
    await s.putModel({ repositoryUuid: repo, path: longB, commit: 'c1', bytes: Buffer.from('not json') });
    await s.recordTooLarge({ repositoryUuid: repo, path: `${deep}huge.hck.json`, commit: 'c1', size: 40_000_000 });
    await s.putModel({ repositoryUuid: repo, path: 'short.hck.json', commit: 'c1', bytes: Buffer.from('{}') });

    expect((await s.getModel(repo, longA))!.body.equals(FIXTURE)).toBe(true);
    expect((await s.getRecord(repo, longB))!).toMatchObject({ path: longB, status: 'invalid' });
    expect((await s.listModels(repo)).map((record) => record.path).sort()).toEqual(
      [longA, longB, `${deep}huge.hck.json`, 'short.hck.json'].sort(),
    );
    expect(await s.existingPaths(repo, [longA, `${deep}absent.hck.json`, 'short.hck.json'])).toEqual(new Set([longA, 'short.hck.json']));

    expect(await s.moveModel(repo, longA, moved, 'c2')).toMatchObject({ path: moved, commit: 'c2' });
    expect(await s.getRecord(repo, longA)).toBeUndefined();
    expect((await s.getModel(repo, moved))!.body.equals(FIXTURE)).toBe(true);
    await s.deleteModel(repo, longB);
    expect(await s.getRecord(repo, longB)).toBeUndefined();
    expect((await s.listModels(repo)).map((record) => record.path).sort()).toEqual(
      [moved, `${deep}huge.hck.json`, 'short.hck.json'].sort(),
    );
  });

  it('fences writes by generation: a write of one never replaces, moves or deletes a record of another', async () => {
    const s = store();
    const repo = newRepo();
    const bytes = Buffer.from('{"modelName":"G"}');
    const mine = await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes, generation: 'g2' });
    expect(mine.generation).toBe('g2');
    const stale = { generation: 'g1' };
    await expect(s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c0', bytes, ...stale })).rejects.toThrow(
      ModelWriteConflictError,
    );
    await expect(s.recordTooLarge({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c0', size: 1, ...stale })).rejects.toThrow(
      ModelWriteConflictError,
    );
    await expect(s.moveModel(repo, 'a.hck.json', 'b.hck.json', 'c0', stale)).rejects.toThrow(ModelWriteConflictError);
    await expect(s.deleteModel(repo, 'a.hck.json', stale)).rejects.toThrow(ModelWriteConflictError);
    // Undoing a write deletes that version only, and is never a conflict.
    await s.deleteModel(repo, 'a.hck.json', { ...stale, version: mine.version });
    await s.deleteModel(repo, 'a.hck.json', { generation: 'g2', version: 'another-version' });
    expect((await s.getRecord(repo, 'a.hck.json'))?.version).toBe(mine.version);
    // The same generation moves and deletes as before, and an unfenced record may be taken over.
    const moved = await s.moveModel(repo, 'a.hck.json', 'b.hck.json', 'c2', { generation: 'g2' });
    expect(moved?.generation).toBe('g2');
    await s.putModel({ repositoryUuid: repo, path: 'legacy.hck.json', commit: 'c0', bytes });
    expect((await s.putModel({ repositoryUuid: repo, path: 'legacy.hck.json', commit: 'c3', bytes, generation: 'g2' })).generation).toBe(
      'g2',
    );
    await s.deleteModel(repo, 'b.hck.json', { generation: 'g2', version: moved!.version });
    expect((await s.listModels(repo)).map((record) => record.path)).toEqual(['legacy.hck.json']);
  });
  it('names the record of another generation that refused a write (heldBy), so a current writer can delete exactly it', async () => {
    const s = store();
    const repo = newRepo();
    const current = { generation: 'g2' };
    // A removed generation's record, stranded by a writer that died before undoing it (chunked in the real store).
    const stranded = await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c0', bytes: FIXTURE, generation: 'g1' });
    const heldBy = { path: 'a.hck.json', generation: 'g1', version: stranded.version };
    const refusals: Array<() => Promise<unknown>> = [
      () => s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: Buffer.from('{}'), ...current }),
      () => s.recordTooLarge({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', size: 1, ...current }),
      () => s.deleteModel(repo, 'a.hck.json', current),
      () => s.moveModel(repo, 'a.hck.json', 'elsewhere.hck.json', 'c1', current),
    ];
    for (const refused of refusals) {
      const error: unknown = await refused().then(
        () => undefined,
        (rejection: unknown) => rejection,
      );
      expect(error).toBeInstanceOf(ModelWriteConflictError);
      expect(error).toMatchObject({ path: 'a.hck.json', heldBy });
    }
    await s.putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: Buffer.from('{"modelName":"B"}'), ...current });
    await expect(s.moveModel(repo, 'b.hck.json', 'a.hck.json', 'c1', current)).rejects.toMatchObject({ path: 'a.hck.json', heldBy });
    // A record of the current generation, or an unfenced one, is named by no conflict (it is not in the way).
    const plain: unknown = await s
      .putModel({ repositoryUuid: repo, path: 'b.hck.json', commit: 'c1', bytes: Buffer.from('{}'), expectedVersion: 'stale' })
      .catch((rejection: unknown) => rejection);
    expect(plain).toBeInstanceOf(ModelWriteConflictError);
    expect((plain as ModelWriteConflictError).heldBy).toBeUndefined();

    // Deleting that version as its generation clears the way (another version would be left alone), chunks and all.
    await s.deleteModel(repo, 'a.hck.json', { generation: heldBy.generation, version: 'another-version' });
    expect((await s.getRecord(repo, 'a.hck.json'))?.version).toBe(stranded.version);
    await s.deleteModel(repo, 'a.hck.json', { generation: heldBy.generation, version: heldBy.version });
    expect(await s.moveModel(repo, 'b.hck.json', 'a.hck.json', 'c2', current)).toMatchObject({ path: 'a.hck.json', generation: 'g2' });
    expect((await s.listModels(repo)).map((record) => [record.path, record.generation])).toEqual([['a.hck.json', 'g2']]);
    expect(await s.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
  });

  it('keeps an entity index with each version of a valid model; an invalid or too-large model has none', async () => {
    const s = store({ maxModelBytes: 1_000_000 });
    const repo = newRepo();
    const written = await s.putModel({ repositoryUuid: repo, path: 'book.hck.json', commit: 'c1', bytes: FIXTURE });
    const stored = await s.getEntityIndex(repo, 'book.hck.json');
    expect(stored!.record.version).toBe(written.version);
    expect(written).toMatchObject({ indexChunks: expect.any(Number), indexEntries: stored!.index!.entries.length });
    expect(indexPaths(stored!.index)).toEqual(
      expect.arrayContaining(['container:Single-Table Design', 'attribute:Single-Table Design/orders/PK']),
    );
    expect(stored!.index!.truncated).toBe(false);

    await s.putModel({ repositoryUuid: repo, path: 'empty.hck.json', commit: 'c1', bytes: Buffer.from('{"modelName":"E"}') });
    expect(await s.getEntityIndex(repo, 'empty.hck.json')).toMatchObject({
      record: { indexChunks: 0, indexEntries: 0 },
      index: { entries: [] },
    });
    await s.putModel({ repositoryUuid: repo, path: 'broken.hck.json', commit: 'c1', bytes: Buffer.from('{"collections":[') });
    await s.recordTooLarge({ repositoryUuid: repo, path: 'big.hck.json', commit: 'c1', size: 2_000_000 });
    for (const path of ['broken.hck.json', 'big.hck.json']) {
      const none = await s.getEntityIndex(repo, path);
      expect(none!.index).toBeUndefined();
      expect(none!.record.indexChunks).toBeUndefined();
    }
    expect(await s.getEntityIndex(repo, 'absent.hck.json')).toBeUndefined();
  });

  it('never lets an index lag or outlive its model: a rewrite replaces it, a rename carries it, a delete removes it', async () => {
    const s = store();
    const repo = newRepo();
    const model = (entity: string) =>
      Buffer.from(JSON.stringify({ collections: [{ collectionName: entity, properties: [{ name: 'id' }] }] }));
    await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c1', bytes: model('First') });
    await s.putModel({ repositoryUuid: repo, path: 'a.hck.json', commit: 'c2', bytes: model('Second') });
    expect(indexPaths((await s.getEntityIndex(repo, 'a.hck.json'))!.index)).toEqual(['entity:Second', 'attribute:Second/id']);

    await s.moveModel(repo, 'a.hck.json', 'b.hck.json', 'c3');
    expect(await s.getEntityIndex(repo, 'a.hck.json')).toBeUndefined();
    expect(indexPaths((await s.getEntityIndex(repo, 'b.hck.json'))!.index)).toEqual(['entity:Second', 'attribute:Second/id']);
    await s.putModel({ repositoryUuid: repo, path: 'c.hck.json', commit: 'c3', bytes: FIXTURE });
    await s.moveModel(repo, 'c.hck.json', 'b.hck.json', 'c4');
    expect((await s.getEntityIndex(repo, 'b.hck.json'))!.index!.entries.length).toBeGreaterThan(10);

    await s.deleteModel(repo, 'b.hck.json');
    expect(await s.getEntityIndex(repo, 'b.hck.json')).toBeUndefined();
    expect(await s.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
    expect(await s.deleteRepository(repo)).toBe(0);
  });
}
