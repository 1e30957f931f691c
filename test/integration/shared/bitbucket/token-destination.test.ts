// The access token and the JSON the hub trusts stay with the configured Bitbucket: redirects and `next` links to
// other origins, plain-http downgrades and clone links to other hosts are refused, against two local HTTP servers.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { BitbucketError } from '../../../../shared/bitbucket/errors';
import { generateRegisteredSecret } from '../../../support/secret-hygiene';

type Route = (request: IncomingMessage, response: ServerResponse) => void;

/** A loopback HTTP server answering with `route`; it records each request's path and whether it carried a token. */
async function serve(route: Route) {
  const seen: Array<{ path: string; authorization: boolean }> = [];
  const server: Server = createServer((request, response) => {
    seen.push({ path: request.url ?? '', authorization: request.headers.authorization !== undefined });
    route(request, response);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return { origin, seen, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const json = (response: ServerResponse, body: unknown) => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
};
const redirect = (response: ServerResponse, location: string) => {
  response.writeHead(302, { location });
  response.end();
};

const REPOSITORY = { uuid: '{0b3a5b0e-8f0c-4c4e-9d51-2f0e4b1e7a11}', full_name: 'acme/models', mainbranch: { name: 'main' } };
const COMMIT = 'a'.repeat(40);

describe('where the Bitbucket client sends the token and takes JSON from', () => {
  let api: Awaited<ReturnType<typeof serve>>;
  let elsewhere: Awaited<ReturnType<typeof serve>>;
  let routes: Record<string, Route>;
  const dispatcher = new Agent({ keepAliveTimeout: 1_000 });
  const token = generateRegisteredSecret();
  const client = () =>
    new BitbucketClient({ baseUrl: `${api.origin}/2.0`, token, dispatcher, maxAttempts: 2, sleep: async () => undefined });

  beforeAll(async () => {
    elsewhere = await serve((_request, response) => json(response, { ...REPOSITORY, full_name: 'evil/forged', values: [] }));
    api = await serve((request, response) => {
      const route = Object.entries(routes).find(([prefix]) => request.url?.startsWith(prefix))?.[1];
      if (route) return route(request, response);
      response.writeHead(404).end();
    });
  });
  beforeEach(() => {
    routes = {};
    elsewhere.seen.length = 0;
  });
  afterAll(async () => {
    await dispatcher.close();
    await Promise.all([api.close(), elsewhere.close()]);
  });

  it('refuses JSON from a redirect to another origin, without asking it', async () => {
    routes['/2.0/repositories/acme/models'] = (_request, response) =>
      redirect(response, `${elsewhere.origin}/2.0/repositories/acme/models`);

    const error = await client()
      .getRepository('acme/models')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BitbucketError);
    expect((error as Error).message).toBe(
      `Bitbucket redirected repository in repository acme/models to another origin (${elsewhere.origin}); only file downloads may leave ${api.origin}.`,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it('still follows a redirect within the API origin', async () => {
    routes['/2.0/repositories/acme/models'] = (_request, response) => redirect(response, '/2.0/moved/acme/models');
    routes['/2.0/moved/acme/models'] = (_request, response) => json(response, REPOSITORY);

    expect(await client().getRepository('acme/models')).toMatchObject({ fullName: 'acme/models' });
  });

  it("refuses a page's next link to another origin, without asking it", async () => {
    routes['/2.0/repositories/acme/models/diffstat/'] = (_request, response) =>
      json(response, { values: [], next: `${elsewhere.origin}/2.0/repositories/acme/models/diffstat?page=2` });

    const error = await client()
      .listChangedFiles('acme/models', COMMIT, 'b'.repeat(40))
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BitbucketError);
    expect((error as Error).message).toBe(
      `Bitbucket linked the diffstat in repository acme/models to another origin (${elsewhere.origin}); its JSON is only read from ${api.origin}.`,
    );
    expect(elsewhere.seen).toEqual([]);
  });

  it('refuses a file redirect to plain http off this machine (a downgrade), at once', async () => {
    routes[`/2.0/repositories/acme/models/src/${COMMIT}/`] = (_request, response) =>
      redirect(response, 'http://media.example/big.hck.json');

    const error = await client()
      .getFile('acme/models', COMMIT, 'big.hck.json')
      .catch((caught: unknown) => caught);

    expect(error).toBeInstanceOf(BitbucketError);
    expect((error as Error).message).toBe(
      `Bitbucket redirected file "big.hck.json" at ${COMMIT} in repository acme/models to http://media.example, which is not https; refused.`,
    );
    expect(api.seen.filter((request) => request.path.includes('/src/'))).toHaveLength(1);
  });

  it("drops a clone link to another host than Bitbucket's git host, so the git fetch never gets the token", async () => {
    routes['/2.0/repositories/acme/models'] = (_request, response) =>
      json(response, { ...REPOSITORY, links: { clone: [{ name: 'https', href: 'https://x-token-auth@evil.example/acme/models.git' }] } });

    const info = await client().getRepository('acme/models');

    expect(info.fullName).toBe('acme/models');
    expect(info).not.toHaveProperty('cloneUrl');
  });

  it('refuses an API URL that would send the token in clear', () => {
    expect(() => new BitbucketClient({ baseUrl: 'http://api.bitbucket.org/2.0', token })).toThrow(
      'The Bitbucket API URL http://api.bitbucket.org/2.0 would send the access token in clear: use https (plain http only to this machine).',
    );
  });
});
