import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getModelDetails, listModels } from '../../../../../shared/domain/read/models';
import { readWorld, REPO } from '../../../../support/in-memory/read-world';

const FIXTURES = join(__dirname, '../../../../fixtures/hackolade-models');
const BOOK = readFileSync(join(FIXTURES, 'medium-dynamodb-book.hck.json'));

/** Every page of a listing, following nextCursor. */
async function allPages(list: (cursor?: string) => ReturnType<typeof listModels>) {
  const pages = [];
  let cursor: string | undefined;
  do {
    const page = await list(cursor);
    pages.push(page.models.map((model) => model.path));
    cursor = page.nextCursor ?? undefined;
  } while (cursor && pages.length < 50);
  return pages;
}

describe('read: models', () => {
  it('pages through every model in path order with an opaque cursor, the last page without one', async () => {
    const { ports, put } = await readWorld();
    const paths = ['z.hck.json', 'a b/#1.hck.json', 'a b/%2F+.hck.json', 'é.hck.json', 'm.hck.json'];
    for (const path of paths) await put(path, '{}');

    const pages = await allPages((cursor) => listModels(ports, { repository: REPO, limit: 2, cursor }));

    expect(pages).toEqual([['a b/#1.hck.json', 'a b/%2F+.hck.json'], ['m.hck.json', 'z.hck.json'], ['é.hck.json']]);
  });

  it('filters by folder prefix, vendor and target (case-insensitively), across pages of the store', async () => {
    const { ports, put } = await readWorld();
    await put('dynamo/book.hck.json', BOOK);
    for (let i = 0; i < 150; i++) await put(`dynamo/empty-${String(i).padStart(3, '0')}.hck.json`, '{}');
    await put('other/book.hck.json', BOOK);

    const byVendor = await allPages((cursor) => listModels(ports, { repository: REPO, vendor: 'aws dynamodb', limit: 1, cursor }));
    const byTarget = await listModels(ports, { repository: REPO, target: 'dynamodb', prefix: 'other/' });
    const none = await listModels(ports, { repository: REPO, vendor: 'Neo4j' });

    expect(byVendor.flat()).toEqual(['dynamo/book.hck.json', 'other/book.hck.json']);
    expect(byTarget.models.map((model) => model.path)).toEqual(['other/book.hck.json']);
    expect(byTarget.models[0]).toMatchObject({
      dbVendor: 'AWS DynamoDB',
      appTarget: 'DYNAMODB',
      status: 'valid',
      counts: { entities: expect.any(Number) },
    });
    expect(none).toMatchObject({ models: [], nextCursor: null });
  });

  it('refuses a bad limit, an empty filter, a forged cursor and one of another query, each with a hint', async () => {
    const { ports, put } = await readWorld();
    for (const path of ['a.hck.json', 'b.hck.json']) await put(path, '{}');
    const first = await listModels(ports, { repository: REPO, limit: 1 });

    for (const limit of [0, 1001, Number.NaN, 1.5])
      await expect(listModels(ports, { repository: REPO, limit })).rejects.toMatchObject({
        kind: 'invalid-request',
        message: expect.stringContaining('limit'),
      });
    await expect(listModels(ports, { repository: REPO, prefix: '' })).rejects.toMatchObject({ message: expect.stringContaining('prefix') });
    await expect(listModels(ports, { repository: REPO, cursor: 'bm90IGEgY3Vyc29y' })).rejects.toMatchObject({
      code: 'invalid-parameter',
      hint: expect.stringContaining('nextCursor'),
    });
    await expect(listModels(ports, { repository: REPO, cursor: first.nextCursor!, vendor: 'x' })).rejects.toMatchObject({
      message: expect.stringContaining('another query'),
    });
    expect((await listModels(ports, { repository: REPO, limit: 1, cursor: first.nextCursor! })).models.map((m) => m.path)).toEqual([
      'b.hck.json',
    ]);
  });

  it("shows one model's metadata with its entity names, an invalid one with its parse error, and names a missing one", async () => {
    const { ports, put } = await readWorld();
    const written = await put('books/book.hck.json', BOOK);
    await put('broken.hck.json', '{"modelName":');

    const book = await getModelDetails(ports, REPO, 'books/book.hck.json');
    const broken = await getModelDetails(ports, REPO, 'broken.hck.json');

    expect(book).toMatchObject({
      path: 'books/book.hck.json',
      sha256: written.sha256,
      blobId: written.blobId,
      size: BOOK.byteLength,
      commit: 'c1',
    });
    expect(book.entityNames.length).toBeGreaterThan(0);
    expect(broken).toMatchObject({ status: 'invalid', counts: null, parseError: expect.any(String), entityNames: [] });
    await expect(getModelDetails(ports, REPO, 'Books/book.hck.json')).rejects.toMatchObject({ kind: 'not-found', code: 'model-not-found' });
    await expect(getModelDetails(ports, REPO, '')).rejects.toMatchObject({ kind: 'invalid-request', message: 'parameter path is missing' });
  });

  it('ends a page early when its models would not fit one answer, and the cursor goes on from there', async () => {
    const { ports, put } = await readWorld();
    const paths = Array.from({ length: 1000 }, (_, i) => `${String(i).padStart(4, '0')}/${'x'.repeat(4000)}.hck.json`);
    for (const path of paths) await put(path, '{}');

    const pages = await allPages((cursor) => listModels(ports, { repository: REPO, limit: 1000, cursor }));

    expect(pages.length).toBeGreaterThan(1);
    expect(Math.max(...pages.map((page) => JSON.stringify(page).length))).toBeLessThan(4 * 1024 * 1024);
    expect(pages.flat()).toEqual(paths);
  });
});
