/**
 * @jest-environment node
 */
// The deployed console's sign-in (authorization code with PKCE) against a scripted provider: no browser needed.
import { createOidcSignIn, loadConsoleConfig, type ConsoleConfig, type OidcEnvironment } from '../../console/api/oidc';

/** SHA-256 with Web Crypto (Node.js has it as the browser does). */
const sha256 = (text: string) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
const base64Url = (bytes: ArrayBuffer) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes)))
    .replace(/\+/g, '-')
    .replace(/\//g, '_')
    .replace(/=+$/, '');

const config: ConsoleConfig = {
  schemaVersion: 1,
  adminApiBaseUrl: '/gateway/admin/v1',
  auth: {
    issuer: 'https://idp.example.com/tenant',
    clientId: 'console-client',
    redirectUri: 'https://console.example.com/console/',
    scopes: ['openid', 'email'],
    adminGroup: 'model-hub-admins',
  },
};

function environment(href: string) {
  const storage = new Map<string, string>();
  const requests: Array<{ url: string; init?: RequestInit }> = [];
  const visited: string[] = [];
  let address = href;
  let clock = 1_000_000;
  const env: OidcEnvironment = {
    async fetch(url, init) {
      requests.push({ url, init });
      if (url.endsWith('/.well-known/openid-configuration'))
        return Response.json({
          authorization_endpoint: 'https://idp.example.com/authorize',
          token_endpoint: 'https://idp.example.com/token',
        });
      if (url === 'https://idp.example.com/token') return Response.json({ access_token: 'access-token-for-tests', expires_in: 3600 });
      return new Response('', { status: 404 });
    },
    storage: {
      getItem: (key) => storage.get(key) ?? null,
      setItem: (key, value) => void storage.set(key, value),
      removeItem: (key) => void storage.delete(key),
    },
    href: () => address,
    go: (url) => void visited.push(url),
    replace: (url) => {
      address = url;
    },
    randomBytes: (length) => new Uint8Array(length).map((_, index) => index),
    sha256,
    now: () => clock,
  };
  return { env, requests, visited, address: () => address, tick: (ms: number) => (clock += ms) };
}

describe('the deployed console’s sign-in', () => {
  it('leaves for the provider with a PKCE challenge, and comes back with a token for the admin API', async () => {
    const away = environment('https://console.example.com/console/#/repositories');
    await createOidcSignIn(config, away.env).signIn();
    const authorize = new URL(away.visited[0]!);
    expect(`${authorize.origin}${authorize.pathname}`).toBe('https://idp.example.com/authorize');
    expect(Object.fromEntries(authorize.searchParams)).toMatchObject({
      response_type: 'code',
      client_id: 'console-client',
      redirect_uri: config.auth.redirectUri,
      scope: 'openid email',
      code_challenge_method: 'S256',
    });

    // The provider sends the browser back with a code and the state (the same tab: the same session storage).
    const back = {
      ...away.env,
      href: () => `https://console.example.com/console/?code=the-code&state=${authorize.searchParams.get('state')}#/repositories`,
    };
    let replacedWith = '';
    const signIn = createOidcSignIn(config, { ...back, replace: (url) => void (replacedWith = url) });
    expect(await signIn.completeIfReturning()).toBe(true);

    const exchange = away.requests.find((request) => request.url === 'https://idp.example.com/token')!;
    const form = new URLSearchParams(exchange.init!.body as string);
    expect(form.get('grant_type')).toBe('authorization_code');
    expect(form.get('code')).toBe('the-code');
    const challenge = base64Url(await sha256(form.get('code_verifier')!));
    expect(challenge).toBe(authorize.searchParams.get('code_challenge'));
    expect(signIn.accessToken()).toBe('access-token-for-tests');
    expect(replacedWith).toBe('https://console.example.com/console/#/repositories');
  });

  it('refuses a return whose state is not the one it left with', async () => {
    const away = environment('https://console.example.com/console/');
    await createOidcSignIn(config, away.env).signIn();
    const forged = createOidcSignIn(config, { ...away.env, href: () => 'https://console.example.com/console/?code=c&state=forged' });

    await expect(forged.completeIfReturning()).rejects.toThrow('another state');
    expect(away.requests.some((request) => request.url === 'https://idp.example.com/token')).toBe(false);
  });

  it('stops sending a token once it expired', async () => {
    const world = environment('https://console.example.com/console/');
    const signIn = createOidcSignIn(config, world.env);
    await signIn.signIn();
    const state = new URL(world.visited[0]!).searchParams.get('state');
    await createOidcSignIn(config, {
      ...world.env,
      href: () => `https://console.example.com/console/?code=c&state=${state}`,
    }).completeIfReturning();

    expect(signIn.accessToken()).toBe('access-token-for-tests');
    world.tick(3_600_001);
    expect(signIn.accessToken()).toBeUndefined();
  });

  it('finds no config where the hub is local (config.json answers 404)', async () => {
    expect(await loadConsoleConfig(environment('http://127.0.0.1:3000/console/').env)).toBeUndefined();
  });
});
