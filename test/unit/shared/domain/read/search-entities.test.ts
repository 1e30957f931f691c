import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_SEARCH_LIMIT,
  SearchInputError,
  searchEntities,
  type SearchEntitiesQuery,
  type SearchHit,
  type SearchRepository,
} from '../../../../../shared/domain/read/search-entities';
import { MAX_INDEX_ENTRIES } from '../../../../../shared/models/entity-index';
import { InMemoryEntitySearchSource } from '../../../../support/in-memory/in-memory-entity-search-source';
import { InMemoryModelStore } from '../../../../support/in-memory/in-memory-model-store';

const FIXTURES = join(__dirname, '../../../../fixtures/hackolade-models');
const fixture = (name: string) => readFileSync(join(FIXTURES, `${name}.hck.json`));
const SHOP = '{00000000-0000-0000-0000-00000000000a}';
const ZOO = '{00000000-0000-0000-0000-00000000000b}';

async function world() {
  const models = new InMemoryModelStore();
  const repositories: SearchRepository[] = [
    { uuid: ZOO, fullName: 'acme/zoo' },
    { uuid: SHOP, fullName: 'acme/shop' },
  ];
  const source = new InMemoryEntitySearchSource(models, async () => repositories);
  const put = (repositoryUuid: string, path: string, bytes: Buffer) => models.putModel({ repositoryUuid, path, commit: 'c1', bytes });
  await put(SHOP, 'dynamo/book.hck.json', fixture('medium-dynamodb-book'));
  await put(SHOP, 'mongo/patterns.hck.json', fixture('large-mongodb-schema-design-patterns'));
  await put(ZOO, 'shelter.hck.json', fixture('medium-polyglot-animal-shelter-ldm'));
  await put(ZOO, 'bom.hck.json', fixture('small-neo4j-bill-of-materials'));
  return { models, source, search: (query: SearchEntitiesQuery) => searchEntities(source, query) };
}

const where = (hit: SearchHit) => `${hit.repository.fullName}:${hit.model.path}:${hit.kind}:${hit.pathInModel.join('/')}`;

/** Every hit of a query, page by page. */
async function allPages(search: (query: SearchEntitiesQuery) => ReturnType<typeof searchEntities>, query: SearchEntitiesQuery) {
  const hits: SearchHit[] = [];
  let cursor: string | undefined;
  for (let page = 0; page < 1000; page++) {
    const result = await search({ ...query, ...(cursor ? { cursor } : {}) });
    hits.push(...result.hits);
    cursor = result.cursor;
    if (!cursor) return hits;
  }
  throw new Error('paging did not end');
}

describe('searchEntities', () => {
  it('finds containers, entities and nested attributes by name, ignoring case, naming model and path', async () => {
    const { search } = await world();
    const { hits } = await search({ q: 'CUSTOMER', limit: MAX_SEARCH_LIMIT });
    expect(hits.map(where)).toContain('acme/shop:dynamo/book.hck.json:attribute:Single-Table Design/orders/customer');
    const customer = hits.find((hit) => hit.pathInModel.join('/') === 'Single-Table Design/orders/customer')!;
    expect(customer).toEqual({
      repository: { uuid: SHOP, fullName: 'acme/shop' },
      model: {
        path: 'dynamo/book.hck.json',
        name: expect.any(String),
        vendor: 'AWS DynamoDB',
        target: 'DYNAMODB',
        version: expect.any(String),
      },
      kind: 'attribute',
      name: 'customer',
      type: 'map',
      pathInModel: ['Single-Table Design', 'orders', 'customer'],
    });
    // Repositories by uuid, models by path, objects in model order.
    expect(hits.map((hit) => hit.repository.uuid)).toEqual([...hits.map((hit) => hit.repository.uuid)].sort());

    const containers = await search({ q: 'single-table', type: 'container' });
    expect(containers.hits.map(where)).toEqual(['acme/shop:dynamo/book.hck.json:container:Single-Table Design']);
  });

  it('tells prefix from substring matches', async () => {
    const { search } = await world();
    const names = async (match: 'prefix' | 'substring') =>
      new Set((await allPages(search, { q: 'number', match, repository: ZOO })).map((hit) => hit.name));
    expect([...(await names('prefix'))].every((name) => name.toLowerCase().startsWith('number'))).toBe(true);
    expect(await names('substring')).toContain('Pet Number');
    expect(await names('prefix')).not.toContain('Pet Number');
  });

  it('filters by repository, object type and target (appTarget or vendor, any case)', async () => {
    const { search } = await world();
    const every = await allPages(search, { q: 'e', limit: MAX_SEARCH_LIMIT });
    const byRepository = await allPages(search, { q: 'e', repository: ZOO, limit: MAX_SEARCH_LIMIT });
    expect(byRepository).toEqual(every.filter((hit) => hit.repository.uuid === ZOO));
    const entities = await allPages(search, { q: 'e', type: 'entity', limit: MAX_SEARCH_LIMIT });
    expect(entities).toEqual(every.filter((hit) => hit.kind === 'entity'));
    for (const target of ['mongodb', 'MONGODB']) {
      const mongo = await allPages(search, { q: 'e', target, limit: MAX_SEARCH_LIMIT });
      expect(mongo).toEqual(every.filter((hit) => hit.model.target === 'MONGODB'));
      expect(mongo.length).toBeGreaterThan(0);
    }
    expect(await allPages(search, { q: 'e', target: 'aws dynamodb' })).toEqual(every.filter((hit) => hit.model.vendor === 'AWS DynamoDB'));
    expect((await search({ q: 'e', repository: '{unknown}' })).hits).toEqual([]);
  });

  it.each([1, 2, 7, 30])('pages through every hit exactly once with limit %d', async (limit) => {
    const { search } = await world();
    const whole = await allPages(search, { q: 'id', limit: MAX_SEARCH_LIMIT });
    expect(whole.length).toBeGreaterThan(60);
    expect((await allPages(search, { q: 'id', limit })).map(where)).toEqual(whole.map(where));
  });

  it('keeps paging when a model is rewritten or removed between pages', async () => {
    const { search, models } = await world();
    const first = await search({ q: 'id', limit: 3 });
    await models.deleteModel(SHOP, 'dynamo/book.hck.json');
    await models.putModel({
      repositoryUuid: SHOP,
      path: 'mongo/patterns.hck.json',
      commit: 'c2',
      bytes: Buffer.from('{"collections":[{"collectionName":"id"}]}'),
    });
    const rest = await allPages(search, { q: 'id', limit: 3, cursor: first.cursor! });
    expect(rest.map(where)).toContain('acme/shop:mongo/patterns.hck.json:entity:id');
  });

  it('counts models it could not search fully: not indexed yet, or cut short', async () => {
    const { search, models } = await world();
    models.forgetEntityIndex(ZOO, 'bom.hck.json');
    const many = Array.from({ length: MAX_INDEX_ENTRIES + 1 }, (_, i) => ({ collectionName: `E${i}` }));
    await models.putModel({
      repositoryUuid: ZOO,
      path: 'huge.hck.json',
      commit: 'c1',
      bytes: Buffer.from(JSON.stringify({ collections: many })),
    });
    expect(await search({ q: 'zzz-nothing', repository: ZOO })).toEqual({ hits: [], notIndexed: 1, truncated: 1 });
  });

  it('counts a model without an index once, on the page that goes past it', async () => {
    const { search, models } = await world();
    models.forgetEntityIndex(SHOP, 'mongo/patterns.hck.json');
    const pages: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await search({ q: 'e', repository: SHOP, limit: 10, ...(cursor ? { cursor } : {}) });
      pages.push(page.notIndexed);
      cursor = page.cursor;
    } while (cursor);
    expect(pages.length).toBeGreaterThan(2);
    expect(pages.reduce((sum, count) => sum + count, 0)).toBe(1);
    expect(pages.at(-1)).toBe(1);
  });

  it('reads few indexes when the first models fill the page, growing batches when they do not', async () => {
    const models = new InMemoryModelStore();
    for (let i = 0; i < 150; i++)
      await models.putModel({
        repositoryUuid: SHOP,
        path: `m${String(i).padStart(3, '0')}.hck.json`,
        commit: 'c1',
        bytes: Buffer.from(`{"collections":[{"collectionName":"E${i}"}]}`),
      });
    const source = new InMemoryEntitySearchSource(models, async () => [{ uuid: SHOP, fullName: 'acme/shop' }]);
    const batches: number[] = [];
    const counting = Object.assign(Object.create(source) as typeof source, {
      loadIndexes: (uuid: string, listed: Parameters<typeof source.loadIndexes>[1]) => {
        batches.push(listed.length);
        return source.loadIndexes(uuid, listed);
      },
    });
    await searchEntities(counting, { q: 'e', limit: 1 });
    expect(batches).toEqual([8]);
    batches.length = 0;
    expect((await searchEntities(counting, { q: 'e149' })).hits).toHaveLength(1);
    expect(batches).toEqual([8, 32, 100, 10]);
  });

  it.each([
    [{ q: '   ' }, /empty/],
    [{ q: 'x'.repeat(201) }, /201 characters/],
    [{ q: 'a', limit: 0 }, /limit 0/],
    [{ q: 'a', limit: MAX_SEARCH_LIMIT + 1 }, /limit 101/],
    [{ q: 'a', limit: 1.5 }, /limit 1.5/],
    [{ q: 'a', type: 'table' as never }, /unknown object type "table"/],
    [{ q: 'a', match: 'exact' as never }, /unknown match "exact"/],
    [{ q: 'a', cursor: 'not-a-cursor' }, /not a search cursor/],
  ])('refuses %j with a hint', async (query, message) => {
    const { search } = await world();
    const error = await search(query).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SearchInputError);
    expect((error as SearchInputError).message).toMatch(message);
    expect((error as SearchInputError).hint).toEqual(expect.any(String));
  });

  it('lists repositories ahead without failing on a listing it never needs, and fails on one it needs', async () => {
    const { source } = await world();
    const failing = Object.assign(Object.create(source) as typeof source, {
      listModels: async (uuid: string) => {
        if (uuid === ZOO) throw new Error('throttled');
        return source.listModels(uuid);
      },
    });
    await expect(searchEntities(failing, { q: 'id', limit: 1 })).resolves.toMatchObject({
      hits: [expect.objectContaining({ repository: expect.objectContaining({ uuid: SHOP }) })],
    });
    await expect(searchEntities(failing, { q: 'no-such-name' })).rejects.toThrow('throttled');
  });

  it('refuses the cursor of another query', async () => {
    const { search } = await world();
    const { cursor } = await search({ q: 'id', limit: 1 });
    await expect(search({ q: 'id', limit: 5, cursor: cursor! })).resolves.toMatchObject({ hits: expect.any(Array) });
    await expect(search({ q: 'name', limit: 1, cursor: cursor! })).rejects.toThrow('the cursor belongs to another search');
    await expect(search({ q: 'id', type: 'entity', limit: 1, cursor: cursor! })).rejects.toThrow(SearchInputError);
  });
});
