import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';
import { getModelContent, type ContentRequest } from '../../../../../shared/domain/read/content';
import { StoredModelCache } from '../../../../../shared/domain/read/stored-model-cache';
import { readWorld, REPO } from '../../../../support/in-memory/read-world';

const BOOK = readFileSync(join(__dirname, '../../../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const ask = (request: Partial<ContentRequest>): ContentRequest => ({
  repository: REPO,
  path: 'book.hck.json',
  acceptEncodings: [],
  maxBytes: 1 << 20,
  ...request,
});

describe('read: content', () => {
  it('serves the exact original bytes, or the stored brotli when accepted, tagged by blob id', async () => {
    const { ports, put } = await readWorld();
    const record = await put('book.hck.json', BOOK);

    const plain = await getModelContent(ports, ask({}));
    const br = await getModelContent(ports, ask({ acceptEncodings: ['gzip', 'br'] }));

    expect(plain).toMatchObject({ kind: 'content', encoding: 'identity', etag: record.blobId, totalBytes: BOOK.byteLength });
    expect(plain.kind === 'content' && plain.bytes.equals(BOOK)).toBe(true);
    expect(br).toMatchObject({ kind: 'content', encoding: 'br', etag: `${record.blobId}.br` });
    expect(br.kind === 'content' && br.bytes.byteLength < BOOK.byteLength / 4 && brotliDecompressSync(br.bytes).equals(BOOK)).toBe(true);
  });

  it('answers not-modified to a current tag (any coding, weak or *), and content after the model changed', async () => {
    const { ports, put } = await readWorld();
    const first = await put('book.hck.json', BOOK);

    for (const ifNoneMatch of [[first.blobId!], [`${first.blobId}.br`], ['other', first.blobId!], ['*']])
      expect((await getModelContent(ports, ask({ ifNoneMatch }))).kind).toBe('not-modified');
    await put('book.hck.json', '{"modelName":"changed"}', 'c2');
    const changed = await getModelContent(ports, ask({ ifNoneMatch: [first.blobId!] }));
    expect(changed).toMatchObject({ kind: 'content', record: { commit: 'c2' } });
  });

  it('serves a range of the chosen representation, capped at maxBytes, and refuses one outside it', async () => {
    const { ports, put } = await readWorld();
    await put('book.hck.json', BOOK);

    const head = await getModelContent(ports, ask({ range: { start: 0 }, maxBytes: 1000 }));
    const middle = await getModelContent(ports, ask({ range: { start: 1000, end: 1099 } }));
    const tail = await getModelContent(ports, ask({ range: { suffix: 10 } }));

    expect(head).toMatchObject({ kind: 'content', range: { start: 0, end: 999 }, totalBytes: BOOK.byteLength });
    expect(head.kind === 'content' && head.bytes.equals(BOOK.subarray(0, 1000))).toBe(true);
    expect(middle.kind === 'content' && middle.bytes.equals(BOOK.subarray(1000, 1100))).toBe(true);
    expect(tail.kind === 'content' && tail.bytes.equals(BOOK.subarray(-10))).toBe(true);
    await expect(getModelContent(ports, ask({ range: { start: BOOK.byteLength } }))).rejects.toMatchObject({
      kind: 'range-not-satisfiable',
      details: { size: BOOK.byteLength },
    });
  });

  it('serves empty content whole to a ranged request (no range of nothing is satisfiable)', async () => {
    const { ports, put } = await readWorld();
    await put('empty.hck.json', Buffer.alloc(0));

    const empty = await getModelContent(ports, ask({ path: 'empty.hck.json', range: { start: 0 } }));

    expect(empty).toMatchObject({ kind: 'content', encoding: 'identity', totalBytes: 0 });
    expect(empty.kind === 'content' && empty.bytes.byteLength === 0 && empty.range === undefined).toBe(true);
  });

  it('tells a client without Range how to get a body over maxBytes: ranges, or br when that fits', async () => {
    const { ports, put } = await readWorld();
    await put('book.hck.json', BOOK);

    const refusal = await getModelContent(ports, ask({ maxBytes: 10_000 })).catch((error: unknown) => error);
    const compressed = await getModelContent(ports, ask({ maxBytes: 10_000, acceptEncodings: ['br'] }));

    expect(refusal).toMatchObject({
      kind: 'too-large',
      code: 'range-required',
      hint: expect.stringMatching(/Range: bytes=0-9999.*Accept-Encoding: br/),
    });
    expect(compressed).toMatchObject({ kind: 'content', encoding: 'br' });
  });

  it('serves a range only while If-Range names the current version, and fails If-Match after a change', async () => {
    const { ports, put } = await readWorld();
    const first = await put('book.hck.json', BOOK);

    const same = await getModelContent(ports, ask({ range: { start: 0, end: 9 }, ifRange: first.blobId, ifMatch: [first.blobId!] }));
    await put('book.hck.json', '{"modelName":"changed"}', 'c2');
    const stale = await getModelContent(ports, ask({ range: { start: 0, end: 9 }, ifRange: first.blobId }));

    expect(same).toMatchObject({ kind: 'content', range: { start: 0, end: 9 } });
    expect(stale).toMatchObject({ kind: 'content', record: { commit: 'c2' } });
    expect(stale.kind === 'content' && stale.range).toBeUndefined();
    await expect(getModelContent(ports, ask({ ifMatch: [first.blobId!] }))).rejects.toMatchObject({
      kind: 'precondition-failed',
      code: 'model-changed',
    });
  });

  it('says why there is no content: a model over the size limit, a body that fails its record, no such model', async () => {
    const { ports, put, models } = await readWorld();
    await put('book.hck.json', BOOK);
    await models.recordTooLarge({ repositoryUuid: REPO, path: 'huge.hck.json', commit: 'c1', size: 40_000_000 });
    models.tamperBody(REPO, 'book.hck.json', Buffer.from('{}'));

    await expect(getModelContent(ports, ask({ path: 'huge.hck.json' }))).rejects.toMatchObject({
      kind: 'not-stored',
      hint: 'read it from Bitbucket',
    });
    await expect(getModelContent(ports, ask({}))).rejects.toMatchObject({ kind: 'unavailable', code: 'content-changing' });
    await expect(getModelContent(ports, ask({ path: 'nope.hck.json' }))).rejects.toMatchObject({ kind: 'not-found' });
  });

  it('reads a body once for all the parts of a ranged download, and again after the model was rewritten', async () => {
    const world = await readWorld();
    await world.put('book.hck.json', BOOK);
    const reads: string[] = [];
    const getStoredModel = world.models.getStoredModel.bind(world.models);
    const models = Object.assign(Object.create(world.models) as typeof world.models, {
      getStoredModel: (uuid: string, path: string) => (reads.push(path), getStoredModel(uuid, path)),
    });
    const ports = { ...world.ports, models, storedModels: new StoredModelCache(1 << 20) };

    const parts = [];
    for (let start = 0; start < BOOK.byteLength; start += 10_000)
      parts.push(await getModelContent(ports, ask({ range: { start }, maxBytes: 10_000 })));
    await world.put('book.hck.json', '{"modelName":"changed"}', 'c2');
    const after = await getModelContent(ports, ask({}));

    expect(Buffer.concat(parts.map((part) => (part.kind === 'content' ? part.bytes : Buffer.alloc(0)))).equals(BOOK)).toBe(true);
    expect(after.kind === 'content' && after.bytes.toString()).toBe('{"modelName":"changed"}');
    expect(reads).toEqual(['book.hck.json', 'book.hck.json']);
  });
});
