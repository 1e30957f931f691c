import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { Authorize } from '../../../../shared/admin/api/principal';
import { AdminError } from '../../../../shared/admin/errors';
import { withReadProxy, type HttpHandler } from '../../../../shared/admin/read-proxy';

function event(method: string, rawPath: string, rawQueryString = ''): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: `${method} ${rawPath}`,
    rawPath,
    rawQueryString,
    headers: { cookie: 'model_hub_session=s' },
    isBase64Encoded: false,
    requestContext: { http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' } },
  } as unknown as APIGatewayProxyEventV2;
}

/** A handler that records what it was asked and answers who it is. */
function recorder(name: string): HttpHandler & { seen: APIGatewayProxyEventV2[] } {
  const seen: APIGatewayProxyEventV2[] = [];
  return Object.assign(
    async (request: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
      seen.push(request);
      return { statusCode: 200, body: name };
    },
    { seen },
  );
}

const admitted: Authorize = () => ({ user: 'local user ada', via: 'local', csrfToken: 'c', expiresAt: null });
const refused: Authorize = () => {
  throw new AdminError('not signed in', { hint: 'open the login URL', code: 'unauthenticated' });
};

describe('the admin API’s read proxy', () => {
  it('hands an admin’s read to the read API under its own path, query and headers kept', async () => {
    const admin = recorder('admin');
    const reader = recorder('reader');
    const proxy = withReadProxy(admin, { authorize: admitted, reader });

    const answer = await proxy(event('GET', '/gateway/admin/v1/read/repositories/%7Bu%7D/content', 'path=models%2Fa.hck.json'));

    expect(answer.body).toBe('reader');
    expect(admin.seen).toEqual([]);
    expect(reader.seen[0]).toMatchObject({
      rawPath: '/gateway/api/v1/repositories/%7Bu%7D/content',
      rawQueryString: 'path=models%2Fa.hck.json',
      routeKey: 'GET /gateway/api/v1/repositories/%7Bu%7D/content',
      headers: { cookie: 'model_hub_session=s' },
      requestContext: { http: { method: 'GET', path: '/gateway/api/v1/repositories/%7Bu%7D/content' } },
    });
  });

  it('refuses a caller without a session before the read API sees anything', async () => {
    const reader = recorder('reader');
    const answer = await withReadProxy(recorder('admin'), { authorize: refused, reader })(
      event('GET', '/gateway/admin/v1/read/repositories'),
    );

    expect(answer.statusCode).toBe(401);
    expect(JSON.parse(answer.body as string)).toEqual({
      error: { message: 'not signed in', hint: 'open the login URL', code: 'unauthenticated' },
    });
    expect(reader.seen).toEqual([]);
  });

  it('lets nothing but reads through', async () => {
    const reader = recorder('reader');
    const answer = await withReadProxy(recorder('admin'), { authorize: admitted, reader })(
      event('POST', '/gateway/admin/v1/read/repositories'),
    );

    expect(answer.statusCode).toBe(400);
    expect(reader.seen).toEqual([]);
  });

  it('leaves every other admin route to the admin API, look-alike paths included', async () => {
    const admin = recorder('admin');
    const reader = recorder('reader');
    const proxy = withReadProxy(admin, { authorize: refused, reader });

    await proxy(event('GET', '/gateway/admin/v1/repositories'));
    await proxy(event('GET', '/gateway/admin/v1/readme'));

    expect(admin.seen.map((request) => request.rawPath)).toEqual(['/gateway/admin/v1/repositories', '/gateway/admin/v1/readme']);
    expect(reader.seen).toEqual([]);
  });
});
