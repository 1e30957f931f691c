import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { createAdminHandler } from '../../../../functions/admin/handler';
import type { AdminDeps } from '../../../../functions/admin/deps';
import { createLogger } from '../../../../shared/observability/logger';
import { jwtAuthorizer } from '../../../../shared/admin/api/principal';
import { ADMIN_ROUTES } from '../../../../shared/admin/api/routes';
import { ADMIN_API_BASE_PATH, type ErrorBody } from '../../../../shared/admin/api-types';
import type { HubContext } from '../../../../shared/admin/hub-context';

/** An event as API Gateway's HTTP API builds it, with the JWT authorizer's claims when given. */
function eventFor(method: string, path: string, claims?: Record<string, unknown>): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${path}`,
    rawPath: path,
    rawQueryString: '',
    headers: { 'content-type': 'application/json' },
    body: method === 'GET' ? undefined : '{}',
    isBase64Encoded: false,
    requestContext: {
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '192.0.2.1', userAgent: 'test' },
      ...(claims ? { authorizer: { jwt: { claims, scopes: [] } } } : {}),
    },
  } as unknown as APIGatewayProxyEventV2;
}

/** Every route's path with its parameters filled in. */
const ROUTES = ADMIN_ROUTES.map((route) => ({
  method: route.method,
  path: `${ADMIN_API_BASE_PATH}/${route.path.replace('{uuid}', '%7B6f1e0b8e-3a5d-4c1b-9a7e-2f0c1d2e3f40%7D').replace('{requestUuid}', 'r-1')}`,
}));

describe('admin handler authorization, route by route (JWT claims as API Gateway passes them)', () => {
  let hubsOpened: string[];
  const handler = createAdminHandler({
    logger: createLogger('admin-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
    api: () => ({
      authorize: jwtAuthorizer('model-hub-admins'),
      // Reaching the hub means the route ran: the authorized requests end here with a recognisable error.
      openHub: (actor) => {
        hubsOpened.push(actor);
        throw Object.assign(new Error('hub reached'), { name: 'HubReached' });
      },
      secretCacheSeconds: 300,
    }),
  } satisfies AdminDeps);

  beforeEach(() => {
    hubsOpened = [];
  });

  it('covers every route of the API', () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(21);
  });

  it.each(ROUTES)('$method $path answers 401 without claims, before touching the hub', async ({ method, path }) => {
    const response = await handler(eventFor(method, path));

    expect(response.statusCode).toBe(401);
    expect((JSON.parse(response.body!) as ErrorBody).error.code).toBe('unauthenticated');
    expect(hubsOpened).toEqual([]);
  });

  it.each(ROUTES)('$method $path answers 403 to a valid token without the admin group', async ({ method, path }) => {
    const response = await handler(eventFor(method, path, { sub: 'u-1', email: 'eve@example.com', 'cognito:groups': '[readers writers]' }));

    expect(response.statusCode).toBe(403);
    expect(JSON.parse(response.body!)).toEqual({
      error: {
        message: 'eve@example.com is not in the admin group model-hub-admins',
        hint: 'ask an administrator of the identity provider to add you to the group model-hub-admins, then sign in again',
        code: 'forbidden',
      },
    });
    expect(hubsOpened).toEqual([]);
  });

  it.each(ROUTES)('$method $path runs for an admin (group in API Gateway\'s "[a b]" form)', async ({ method, path }) => {
    const response = await handler(
      eventFor(method, path, { sub: 'u-2', email: 'ada@example.com', 'cognito:groups': '[readers model-hub-admins]' }),
    );

    expect(hubsOpened).toEqual(['jwt ada@example.com']);
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toMatch(/\bat .*\.ts:\d+/);
  });

  it('takes the group from `groups` too (an OIDC provider), as an array', async () => {
    await handler(eventFor('GET', `${ADMIN_API_BASE_PATH}/dashboard`, { sub: 'okta|7', groups: ['model-hub-admins'] }));

    expect(hubsOpened).toEqual(['jwt okta|7']);
  });

  it('a group whose name only contains the admin group is not the admin group', async () => {
    const response = await handler(eventFor('GET', `${ADMIN_API_BASE_PATH}/dashboard`, { sub: 'u', groups: '[model-hub-admins-old]' }));

    expect(response.statusCode).toBe(403);
  });

  it('an unknown path answers 401 to strangers and 404 to admins', async () => {
    const path = `${ADMIN_API_BASE_PATH}/nothing-here`;
    expect((await handler(eventFor('GET', path))).statusCode).toBe(401);
    expect((await handler(eventFor('GET', path, { sub: 'a', groups: 'model-hub-admins' }))).statusCode).toBe(404);
  });

  it('answers a configuration error with a 500 body that names no internals', async () => {
    const broken = createAdminHandler({
      logger: createLogger('admin-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
      api: () => {
        throw new Error('QUEUE_URL environment variable is not set');
      },
    });

    const response = await broken(eventFor('GET', `${ADMIN_API_BASE_PATH}/dashboard`, { sub: 'a', groups: 'model-hub-admins' }));

    expect(response.statusCode).toBe(500);
    expect(JSON.parse(response.body!)).toEqual({
      error: { message: 'the admin API is misconfigured', hint: "see the admin function's log", code: 'failed' },
    });
  });
});

describe('the hub reached by an admin request', () => {
  it('is closed after the request, also when the route failed', async () => {
    let closed = 0;
    const hub = {
      target: { kind: 'aws', description: 'stack X' },
      findRepositoryByUuid: async () => {
        throw new Error('boom');
      },
      close: async () => {
        closed += 1;
      },
    } as unknown as HubContext;
    const handler = createAdminHandler({
      logger: createLogger('admin-test', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
      api: () => ({ authorize: jwtAuthorizer('admins'), openHub: () => hub, secretCacheSeconds: 300 }),
    });
    const claims = { sub: 'a', groups: '[admins]' };

    const ok = await handler(eventFor('GET', `${ADMIN_API_BASE_PATH}/session`, claims));
    const failed = await handler(eventFor('GET', `${ADMIN_API_BASE_PATH}/repositories/%7Bx%7D`, claims));

    expect(JSON.parse(ok.body!)).toEqual({
      user: 'jwt a',
      via: 'jwt',
      csrfToken: null,
      expiresAt: null,
      hub: { kind: 'aws', description: 'stack X' },
    });
    expect(failed.statusCode).toBe(500);
    expect(JSON.parse(failed.body!)).toEqual({ error: { message: 'boom', code: 'failed' } });
    expect(closed).toBe(2);
  });
});
