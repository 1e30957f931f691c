// The local admin console's authentication: a one-time login token per data dir (printed at start, 0600 on disk,
// consumed on use) opens a server-side session held in an HttpOnly SameSite=Strict cookie; state-changing calls
// also need the session's CSRF token and a same-origin request. Loopback hosts only (no DNS rebinding).
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { userInfo } from 'node:os';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { Authorize, Principal } from '../shared/admin/api/principal';
import { CSRF_HEADER } from '../shared/admin/api-types';
import { AdminError } from '../shared/admin/errors';
import { deleteLoginToken, readLoginToken, writeNewLoginToken } from '../shared/config/console-login-file';

/** Name of the session cookie. */
export const SESSION_COOKIE = 'model_hub_session';
/** How long a session lasts. */
const SESSION_MS = 12 * 60 * 60 * 1000;
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

interface Session {
  readonly csrfToken: string;
  readonly expiresAt: number;
}

/** The local hub's admin sessions and login token. */
export interface AdminSessions {
  /** The login token not used yet (a new one once the last was used); stored in the data dir when there is one. */
  loginToken(): string;
  /** Opens a session with a login token, which is then used up; undefined for a wrong or used token. */
  login(token: string): { sessionId: string; cookie: string } | undefined;
  /** The admin API's authorizer: a valid session cookie, and on state-changing calls the CSRF token and same origin. */
  readonly authorize: Authorize;
  /** Whether a request comes for a loopback host name (the Host header), refusing DNS-rebinding pages. */
  isLoopbackHost(event: APIGatewayProxyEventV2): boolean;
}

export function createAdminSessions(options: { dataDir?: string; now?: () => Date; user?: string } = {}): AdminSessions {
  const now = options.now ?? (() => new Date());
  const user = options.user ?? `local user ${userInfo().username}`;
  const dataDir = options.dataDir;
  const sessions = new Map<string, Session>();
  // With a data dir the file is the token's only home, so a new one the CLI writes (`console-login`) counts at once.
  let token: string | undefined;

  /** The unused token, without making one. */
  const current = (): string | undefined => (dataDir ? readLoginToken(dataDir) : token);
  const loginToken = (): string => {
    const unused = current();
    if (unused) return unused;
    if (dataDir) return writeNewLoginToken(dataDir);
    token = randomBytes(32).toString('base64url');
    return token;
  };

  const isLoopbackHost = (event: APIGatewayProxyEventV2): boolean => {
    const host = headerOf(event, 'host') ?? '';
    return /^(127\.0\.0\.1|localhost|\[::1\])(:\d+)?$/i.test(host);
  };

  const authorize: Authorize = (event) => {
    if (!isLoopbackHost(event)) throw new AdminError('the local admin API answers requests for 127.0.0.1 only', { code: 'forbidden' });
    const sessionId = cookieOf(event, SESSION_COOKIE);
    const session = sessionId ? sessions.get(sessionId) : undefined;
    if (!session || session.expiresAt <= now().getTime()) {
      if (sessionId) sessions.delete(sessionId);
      throw new AdminError('not signed in to the local console (no session, or it expired)', {
        hint: 'open the login URL `npm start` printed, or get a new one with `npm run hub -- console-login`',
        code: 'unauthenticated',
      });
    }
    if (!SAFE_METHODS.has(event.requestContext?.http?.method ?? 'GET')) checkCsrf(event, session);
    const principal: Principal = {
      user,
      via: 'local',
      csrfToken: session.csrfToken,
      expiresAt: new Date(session.expiresAt).toISOString(),
      logout: () => sessions.delete(sessionId!),
    };
    return principal;
  };

  return {
    loginToken,
    login(given) {
      const expected = current();
      if (expected === undefined || !sameSecret(given, expected)) return undefined;
      token = undefined;
      if (dataDir) deleteLoginToken(dataDir);
      const sessionId = randomBytes(32).toString('base64url');
      sessions.set(sessionId, { csrfToken: randomBytes(32).toString('base64url'), expiresAt: now().getTime() + SESSION_MS });
      return { sessionId, cookie: `${SESSION_COOKIE}=${sessionId}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${SESSION_MS / 1000}` };
    },
    authorize,
    isLoopbackHost,
  };
}

/** A state-changing call must carry the session's CSRF token and come from the console's own origin. */
function checkCsrf(event: APIGatewayProxyEventV2, session: Session): void {
  const given = headerOf(event, CSRF_HEADER);
  if (!given || !sameSecret(given, session.csrfToken))
    throw new AdminError("the request lacks the session's CSRF token", {
      hint: 'send the csrfToken of GET /gateway/admin/v1/session in the X-CSRF-Token header',
      code: 'forbidden',
    });
  const origin = headerOf(event, 'origin');
  const site = headerOf(event, 'sec-fetch-site');
  const host = headerOf(event, 'host');
  const sameOrigin = origin !== undefined ? origin === `http://${host}` : site === 'same-origin';
  if (!sameOrigin || (site !== undefined && site !== 'same-origin'))
    throw new AdminError('the request does not come from the console itself (cross-origin)', { code: 'forbidden' });
}

/** Compares two secrets in constant time (digests first, so lengths leak nothing either). */
function sameSecret(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(a), digest(b));
}

function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** A cookie's value from the Cookie header(s) (payload 2.0 also lists them in `cookies`). */
function cookieOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const all = [...(event.cookies ?? []), ...(headerOf(event, 'cookie') ?? '').split(';')];
  for (const cookie of all) {
    const [key, ...value] = cookie.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
