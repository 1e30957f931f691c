import { request } from 'undici';
import { ADMIN_API_BASE_PATH } from '../../../../shared/admin/api-types';

/** One answer of the local hub, its body as text (every body is kept to check that no secret ever leaves). */
export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly text: string;
  json<T = Record<string, unknown>>(): T;
}

/** A browser-like client of the local admin console: its cookie, CSRF token and origin. */
export class AdminClient {
  cookie: string | undefined;
  csrfToken: string | undefined;
  readonly bodies: string[] = [];

  constructor(readonly baseUrl: string) {}

  /** Any request; `origin` defaults to the console's own. */
  async send(
    method: string,
    path: string,
    options: {
      body?: unknown;
      cookie?: string | null;
      csrf?: string | null;
      origin?: string | null;
      headers?: Record<string, string>;
    } = {},
  ): Promise<Answer> {
    const cookie = options.cookie === undefined ? this.cookie : options.cookie;
    const csrf = options.csrf === undefined ? this.csrfToken : options.csrf;
    const origin = options.origin === undefined ? this.baseUrl : options.origin;
    const response = await request(`${this.baseUrl}${path}`, {
      method: method as 'GET',
      headers: {
        ...(cookie ? { cookie } : {}),
        ...(csrf ? { 'x-csrf-token': csrf } : {}),
        ...(origin ? { origin } : {}),
        ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    });
    const text = await response.body.text();
    this.bodies.push(text, JSON.stringify(response.headers));
    return {
      status: response.statusCode,
      headers: response.headers,
      text,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  /** An admin API call (path below the base path). */
  api(method: string, path: string, options: Parameters<AdminClient['send']>[2] = {}): Promise<Answer> {
    return this.send(method, `${ADMIN_API_BASE_PATH}/${path}`, options);
  }

  /** Opens the login URL and keeps the session cookie and CSRF token. */
  async login(loginUrl: string): Promise<Answer> {
    const answer = await this.send('GET', loginUrl.slice(this.baseUrl.length), { cookie: null });
    const setCookie = String(answer.headers['set-cookie'] ?? '');
    if (answer.status === 303) {
      this.cookie = setCookie.split(';')[0];
      this.csrfToken = (await this.api('GET', 'session')).json<{ csrfToken: string }>().csrfToken;
    }
    return answer;
  }
}

/** The uuid of a repository as a path segment. */
export const segment = (uuid: string) => encodeURIComponent(uuid);
