/**
 * @jest-environment node
 */
// The client runs on fetch and Response alone: Node.js has both, jsdom has neither.
import { ApiError, createAdminApi, LOGIN_HINT, type Fetch } from '../../console/api/client';

function json(status: number, body: unknown, statusText = ''): Response {
  return new Response(JSON.stringify(body), { status, statusText, headers: { 'content-type': 'application/json' } });
}

/** A fetch that answers from a script and records every request. */
function recordingFetch(answer: (url: string, init: RequestInit) => Response | Promise<Response>) {
  const requests: Array<{ url: string; init: RequestInit }> = [];
  const fetchImpl: Fetch = async (url, init = {}) => {
    requests.push({ url, init });
    return answer(url, init);
  };
  return { fetchImpl, requests };
}

const session = {
  user: 'local user ada',
  via: 'local',
  csrfToken: 'csrf-1234567890',
  expiresAt: null,
  hub: { kind: 'local', description: 'x' },
};

describe('the admin API client', () => {
  it('sends the session’s CSRF token on state-changing calls only, and JSON bodies', async () => {
    const { fetchImpl, requests } = recordingFetch((url) => (url.endsWith('/session') ? json(200, session) : json(200, { ok: true })));
    const api = createAdminApi(fetchImpl);

    await api.get('/repositories', { since: '2h', failed: true, kind: undefined });
    await api.post('/repositories/%7Babc%7D/sync', { mode: 'entire' });

    const get = requests.find((request) => request.url.includes('/repositories?'))!;
    expect(get.url).toBe('/gateway/admin/v1/repositories?since=2h&failed=true');
    expect((get.init.headers as Record<string, string>)['x-csrf-token']).toBeUndefined();
    const post = requests.find((request) => request.init.method === 'POST')!;
    expect(post.url).toBe('/gateway/admin/v1/repositories/%7Babc%7D/sync');
    expect(post.init.headers).toMatchObject({ 'x-csrf-token': 'csrf-1234567890', 'content-type': 'application/json' });
    expect(JSON.parse(post.init.body as string)).toEqual({ mode: 'entire' });
    expect(post.init.credentials).toBe('same-origin');
  });

  it('reads bytes with the headers asked for, and hands back the answer’s status and headers', async () => {
    const part = new Response(new Uint8Array([1, 2, 3]), { status: 206, headers: { 'content-range': 'bytes 4-6/10', etag: '"b10b"' } });
    const { fetchImpl, requests } = recordingFetch(() => part);
    const api = createAdminApi(fetchImpl);

    const answer = await api.bytes(
      '/read/repositories/%7Bu%7D/content',
      { path: 'a b.hck.json' },
      { range: 'bytes=4-', 'if-match': '"b10b"' },
    );

    expect(requests[0]!.url).toBe('/gateway/admin/v1/read/repositories/%7Bu%7D/content?path=a+b.hck.json');
    expect(requests[0]!.init.headers).toMatchObject({ range: 'bytes=4-', 'if-match': '"b10b"' });
    expect([...answer.bytes]).toEqual([1, 2, 3]);
    expect([answer.status, answer.header('content-range'), answer.header('x-model-sha256')]).toEqual([206, 'bytes 4-6/10', null]);
  });

  it('asks for the session once and keeps it', async () => {
    const { fetchImpl, requests } = recordingFetch((url) => (url.endsWith('/session') ? json(200, session) : json(200, {})));
    const api = createAdminApi(fetchImpl);

    await api.post('/a', {});
    await api.post('/b', {});

    expect(requests.filter((request) => request.url.endsWith('/session'))).toHaveLength(1);
  });

  it('gives the hub’s error as what went wrong and what to do next', async () => {
    const { fetchImpl } = recordingFetch(() =>
      json(422, {
        error: {
          message: 'Bitbucket refused the token for acme/models',
          hint: 'create a token with the webhook scope',
          code: 'bitbucket-refused',
        },
      }),
    );

    const error = (await createAdminApi(fetchImpl)
      .get('/repositories')
      .catch((caught: unknown) => caught)) as ApiError;

    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('Bitbucket refused the token for acme/models');
    expect(error.hint).toBe('create a token with the webhook scope');
    expect(error.code).toBe('bitbucket-refused');
    expect(error.status).toBe(422);
  });

  it('keeps the wait of a conflict answer', async () => {
    const { fetchImpl } = recordingFetch((url) =>
      url.endsWith('/session') ? json(200, session) : json(409, { error: { message: 'wait', code: 'conflict', retryAfterSeconds: 42 } }),
    );

    const error = (await createAdminApi(fetchImpl)
      .post('/provider/update-webhooks', {})
      .catch((caught: unknown) => caught)) as ApiError;

    expect(error.retryAfterSeconds).toBe(42);
  });

  it('says how to sign in when the session is missing, with or without an error body', async () => {
    const bare = recordingFetch(() => new Response('', { status: 401 }));
    const withBody = recordingFetch(() => json(401, { error: { message: 'no session', code: 'unauthenticated' } }));

    const first = (await createAdminApi(bare.fetchImpl)
      .get('/dashboard')
      .catch((caught: unknown) => caught)) as ApiError;
    const second = (await createAdminApi(withBody.fetchImpl)
      .get('/dashboard')
      .catch((caught: unknown) => caught)) as ApiError;

    expect(first.hint).toBe(LOGIN_HINT);
    expect(first.code).toBe('unauthenticated');
    expect(second.message).toBe('no session');
    expect(second.hint).toBe(LOGIN_HINT);
  });

  it('says the hub could not be reached, and what to check, when the network fails', async () => {
    const { fetchImpl } = recordingFetch(() => Promise.reject(new TypeError('Failed to fetch')));

    const error = (await createAdminApi(fetchImpl)
      .get('/dashboard')
      .catch((caught: unknown) => caught)) as ApiError;

    expect(error.message).toBe('could not reach the hub');
    expect(error.hint).toMatch(/npm start/);
    expect(error.message).not.toMatch(/TypeError|at /);
  });

  it('never passes on an unexpected answer’s body (a proxy’s HTML page, a stack trace)', async () => {
    const { fetchImpl } = recordingFetch(
      () => new Response('<html>Error: boom\n    at handler (index.js:1:1)</html>', { status: 502, statusText: 'Bad Gateway' }),
    );

    const error = (await createAdminApi(fetchImpl)
      .get('/dashboard')
      .catch((caught: unknown) => caught)) as ApiError;

    expect(error.message).toBe('the hub answered 502 Bad Gateway');
    expect(error.hint).toMatch(/log/);
  });

  it('reads a 204 as no answer', async () => {
    const { fetchImpl } = recordingFetch((url) => (url.endsWith('/session') ? json(200, session) : new Response(null, { status: 204 })));

    await expect(createAdminApi(fetchImpl).post('/session/logout')).resolves.toBeUndefined();
  });
});
