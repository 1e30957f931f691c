import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createReaderHandler } from '../../../../functions/reader/handler';
import { feedPosition } from '../../../../shared/domain/changes/feed-position';
import type { ReadPorts } from '../../../../shared/domain/read/ports';
import { createLogger } from '../../../../shared/observability/logger';
import { InMemoryChangeStore } from '../../../support/in-memory/in-memory-change-store';
import { InMemoryEntitySearchSource } from '../../../support/in-memory/in-memory-entity-search-source';
import { readWorld, REPO } from '../../../support/in-memory/read-world';

const BOOK = readFileSync(join(__dirname, '../../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const NOW = new Date('2026-12-05T10:00:00.000Z');

const get = (path: string, query = '', method = 'GET', headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    rawPath: `/gateway/api/v1/${path}`,
    rawQueryString: query,
    headers,
    requestContext: { http: { method } },
  }) as unknown as APIGatewayProxyEventV2;

const bodyOf = (response: APIGatewayProxyStructuredResultV2) => JSON.parse(response.body!) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function handlerWorld() {
  const world = await readWorld({ now: NOW });
  await world.put('books/book.hck.json', BOOK);
  const changes = new InMemoryChangeStore();
  const ports: ReadPorts = {
    ...world.ports,
    search: new InMemoryEntitySearchSource(world.models, () => world.ports.repositories.listRepositories()),
    changes,
  };
  const logger = createLogger('reader-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' });
  return { ...world, changes, handler: createReaderHandler({ logger, ports: () => ports }) };
}

describe('reader handler', () => {
  it('answers every JSON route with schemaVersion 1', async () => {
    const { handler } = await handlerWorld();
    const routes = [
      get('repositories'),
      get(`repositories/${encodeURIComponent(REPO)}`),
      get(`repositories/${encodeURIComponent(REPO)}/models`, 'prefix=books%2F&limit=10'),
      get(`repositories/${encodeURIComponent(REPO)}/model`, 'path=books%2Fbook.hck.json'),
      get('search', 'q=book'),
      get('changes'),
    ];

    for (const event of routes) {
      const response = await handler(event);
      expect([event.rawPath, response.statusCode, bodyOf(response).schemaVersion]).toEqual([event.rawPath, 200, 1]);
    }
  });

  it('searches entities by name, each hit naming its model and its path in the model', async () => {
    const { handler } = await handlerWorld();

    const response = await handler(
      get('search', `q=ORD&match=prefix&type=entity&repository=${encodeURIComponent(REPO.slice(1, -1))}&limit=1`),
    );
    const bad = await handler(get('search', 'q=%20'));

    expect(response.statusCode).toBe(200);
    expect(bodyOf(response)).toMatchObject({
      hits: [{ kind: 'entity', name: 'orders', model: { path: 'books/book.hck.json' }, repository: { uuid: REPO } }],
      nextCursor: expect.any(String),
    });
    expect([bad.statusCode, bodyOf(bad).error]).toEqual([
      400,
      { code: 'invalid-parameter', message: 'the search text is empty', hint: expect.any(String) },
    ]);
  });

  it('pages through the changes feed with a cursor, and refuses a forged one', async () => {
    const { handler, changes } = await handlerWorld();
    await changes.append([
      {
        position: feedPosition(new Date(NOW.getTime() - 60_000), REPO, 0),
        detailType: 'Repository Synced',
        detail: {
          schemaVersion: 1,
          idempotencyKey: 'k1',
          repository: { uuid: REPO, fullName: 'acme/models' },
          committedAt: NOW.toISOString(),
          fromCommit: null,
          toCommit: 'c1',
          branch: 'main',
          mode: 'full',
          counts: { added: 1, modified: 0, removed: 0, renamed: 0 },
        },
      },
    ]);

    const first = bodyOf(await handler(get('changes', 'limit=10')));
    const next = bodyOf(await handler(get('changes', `cursor=${first.nextCursor}`)));
    const forged = await handler(get('changes', 'cursor=abc'));

    expect(first.items.map((item: { detail: { idempotencyKey: string } }) => item.detail.idempotencyKey)).toEqual(['k1']);
    expect(next.items).toEqual([]);
    expect([forged.statusCode, bodyOf(forged).error.code]).toEqual([400, 'invalid-parameter']);
  });

  it('answers HEAD with the headers of GET and no body, and says 503 when the hub serves no search yet', async () => {
    const world = await readWorld();
    await world.put('m.hck.json', BOOK);
    const handler = createReaderHandler({
      logger: createLogger('reader-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
      ports: () => world.ports,
    });

    const head = await handler(get(`repositories/${encodeURIComponent(REPO)}/content`, 'path=m.hck.json', 'HEAD'));
    const search = await handler(get('search', 'q=x'));

    expect(head).toMatchObject({
      statusCode: 200,
      body: '',
      headers: { 'content-length': String(BOOK.byteLength), etag: expect.any(String) },
    });
    expect([search.statusCode, bodyOf(search).error.code]).toEqual([503, 'search-unavailable']);
  });

  it('answers a failure of its own 500 without internals', async () => {
    const handler = createReaderHandler({
      logger: createLogger('reader-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
      ports: () => {
        throw new Error('MODELS_TABLE environment variable is not set');
      },
    });

    const response = await handler(get('repositories'));

    expect(response.statusCode).toBe(500);
    expect(bodyOf(response)).toEqual({
      schemaVersion: 1,
      error: { code: 'internal', message: 'internal error', hint: expect.any(String) },
    });
  });
});

describe('reader handler: answers Lambda could not carry', () => {
  it('refuses a JSON answer over what one response carries with 413 and a hint, instead of failing in Lambda', async () => {
    const world = await readWorld();
    const huge = 'x'.repeat(1000);
    const repositories = Array.from({ length: 6000 }, (_, i) => ({ uuid: `{${i}}`, fullName: huge, modelPattern: '*', addedAt: '' }));
    const ports = {
      ...world.ports,
      repositories: Object.assign(Object.create(world.repositories) as typeof world.repositories, {
        listRepositories: async () => repositories,
      }),
    };
    const handler = createReaderHandler({ logger: createLogger('reader-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }), ports: () => ports });

    const response = await handler(get('repositories'));

    expect([response.statusCode, bodyOf(response).error.code, bodyOf(response).error.hint]).toEqual([
      413,
      'response-too-large',
      'ask for fewer items with a smaller limit',
    ]);
  });
});
