// Sign-in of the deployed console: the stack writes /console/config.json (infra/console-config.ts) naming the
// OpenID Connect provider (the stack's Cognito pool, or the admins' own issuer), and the console signs in with the
// authorization code flow and PKCE as a public client, then sends the access token to the admin API as a bearer.
// Locally none of this runs: the hub's login URL opens a cookie session instead.

/** `/console/config.json`, as the stack writes it (only the fields the console reads). */
export interface ConsoleConfig {
  readonly schemaVersion: 1;
  readonly adminApiBaseUrl: string;
  readonly auth: {
    readonly issuer: string;
    readonly clientId: string;
    readonly redirectUri: string;
    readonly scopes: readonly string[];
    readonly adminGroup: string;
    readonly endpoints?: { readonly authorization: string; readonly token: string; readonly endSession?: string };
  };
}

interface Endpoints {
  readonly authorization: string;
  readonly token: string;
  readonly endSession?: string;
}

/** What the browser gives the flow; tests hand in their own. */
export interface OidcEnvironment {
  fetch(input: string, init?: RequestInit): Promise<Response>;
  readonly storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  /** The page's address now. */
  href(): string;
  /** Leaves for the provider (or back to the console). */
  go(url: string): void;
  /** Replaces the address without reloading (drops `code` and `state` after the sign-in). */
  replace(url: string): void;
  randomBytes(length: number): Uint8Array;
  sha256(text: string): Promise<ArrayBuffer>;
  now(): number;
}

const PENDING = 'model-hub-console.oidc-pending';
const TOKEN = 'model-hub-console.oidc-token';

function base64Url(bytes: ArrayBuffer | Uint8Array): string {
  let text = '';
  for (const byte of new Uint8Array(bytes)) text += String.fromCharCode(byte);
  return btoa(text).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** The deployed console's config, or undefined where there is none (the local hub). */
export async function loadConsoleConfig(env: Pick<OidcEnvironment, 'fetch'>): Promise<ConsoleConfig | undefined> {
  const response = await env.fetch('config.json', { headers: { accept: 'application/json' } }).catch(() => undefined);
  if (!response?.ok) return undefined;
  const config = (await response.json().catch(() => undefined)) as ConsoleConfig | undefined;
  return config?.schemaVersion === 1 && config.auth ? config : undefined;
}

/** The provider's endpoints: from the config (Cognito), else its discovery document. */
async function endpointsOf(config: ConsoleConfig, env: OidcEnvironment): Promise<Endpoints> {
  if (config.auth.endpoints) return config.auth.endpoints;
  const response = await env.fetch(`${config.auth.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
  if (!response.ok) throw new Error(`the sign-in provider ${config.auth.issuer} did not describe itself (${response.status})`);
  const discovery = (await response.json()) as { authorization_endpoint: string; token_endpoint: string; end_session_endpoint?: string };
  return { authorization: discovery.authorization_endpoint, token: discovery.token_endpoint, endSession: discovery.end_session_endpoint };
}

export interface OidcSignIn {
  /** The access token to send, while it is valid. */
  accessToken(): string | undefined;
  /** Goes to the provider's sign-in page. */
  signIn(): Promise<void>;
  /** Finishes a sign-in when the provider sent the browser back with a code; true when it did. */
  completeIfReturning(): Promise<boolean>;
  /** Forgets the token and ends the provider's session. */
  signOut(): Promise<void>;
}

export function createOidcSignIn(config: ConsoleConfig, env: OidcEnvironment): OidcSignIn {
  return {
    accessToken() {
      const stored = JSON.parse(env.storage.getItem(TOKEN) ?? 'null') as { token: string; expiresAt: number } | null;
      return stored && stored.expiresAt > env.now() ? stored.token : undefined;
    },
    async signIn() {
      const endpoints = await endpointsOf(config, env);
      const verifier = base64Url(env.randomBytes(48));
      const state = base64Url(env.randomBytes(16));
      env.storage.setItem(PENDING, JSON.stringify({ verifier, state }));
      const query = new URLSearchParams({
        response_type: 'code',
        client_id: config.auth.clientId,
        redirect_uri: config.auth.redirectUri,
        scope: config.auth.scopes.join(' '),
        state,
        code_challenge: base64Url(await env.sha256(verifier)),
        code_challenge_method: 'S256',
      });
      env.go(`${endpoints.authorization}?${query.toString()}`);
    },
    async completeIfReturning() {
      const url = new URL(env.href());
      const code = url.searchParams.get('code');
      const pending = JSON.parse(env.storage.getItem(PENDING) ?? 'null') as { verifier: string; state: string } | null;
      if (!code || !pending) return false;
      env.storage.removeItem(PENDING);
      env.replace(`${url.origin}${url.pathname}${url.hash}`);
      if (url.searchParams.get('state') !== pending.state) throw new Error('the sign-in came back with another state than it left with');
      const endpoints = await endpointsOf(config, env);
      const response = await env.fetch(endpoints.token, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'authorization_code',
          client_id: config.auth.clientId,
          code,
          redirect_uri: config.auth.redirectUri,
          code_verifier: pending.verifier,
        }).toString(),
      });
      if (!response.ok) throw new Error(`the sign-in provider refused the sign-in (${response.status})`);
      const tokens = (await response.json()) as { access_token: string; expires_in?: number };
      env.storage.setItem(TOKEN, JSON.stringify({ token: tokens.access_token, expiresAt: env.now() + (tokens.expires_in ?? 3600) * 1000 }));
      return true;
    },
    async signOut() {
      env.storage.removeItem(TOKEN);
      const endpoints = await endpointsOf(config, env);
      if (!endpoints.endSession) return env.go(config.auth.redirectUri);
      const query = new URLSearchParams({
        client_id: config.auth.clientId,
        logout_uri: config.auth.redirectUri,
        post_logout_redirect_uri: config.auth.redirectUri,
      });
      env.go(`${endpoints.endSession}?${query.toString()}`);
    },
  };
}

/** The browser's own environment for the flow. */
export function browserOidcEnvironment(): OidcEnvironment {
  return {
    fetch: (input, init) => fetch(input, init),
    storage: window.sessionStorage,
    href: () => window.location.href,
    go: (url) => window.location.assign(url),
    replace: (url) => window.history.replaceState(null, '', url),
    randomBytes: (length) => crypto.getRandomValues(new Uint8Array(length)),
    sha256: (text) => crypto.subtle.digest('SHA-256', new TextEncoder().encode(text)),
    now: () => Date.now(),
  };
}
