// The console's one way to the admin API: JSON in and out, the session's CSRF token on every state-changing call,
// and every failure turned into an ApiError that says what went wrong and what to do next, as the CLI does.
import { ADMIN_API_BASE_PATH, CSRF_HEADER, type AdminErrorCode, type ErrorBody, type SessionResponse } from '../../shared/admin/api-types';

/** A failed call, in the CLI's words: `message` what went wrong, `hint` what to do next. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly hint: string | undefined,
    readonly code: AdminErrorCode | 'unreachable' | 'bad-response',
    readonly status: number,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

/** The admin API as the screens use it. */
export interface AdminApi {
  get<T>(path: string, query?: Record<string, string | number | boolean | undefined>): Promise<T>;
  post<T>(path: string, body?: unknown): Promise<T>;
  patch<T>(path: string, body: unknown): Promise<T>;
  /** A GET answered with bytes (a model's exact content, or a part of it), with extra request headers (`range`, `if-match`). */
  bytes(
    path: string,
    query?: Record<string, string | number | boolean | undefined>,
    headers?: Record<string, string>,
  ): Promise<BytesAnswer>;
  /** The signed-in session (asked once, then kept; its CSRF token goes on every state-changing call). */
  session(): Promise<SessionResponse>;
}

/** A 2xx answer with bytes: its status (200 whole, 206 a part), its body, and its headers by name. */
export interface BytesAnswer {
  readonly status: number;
  readonly bytes: Uint8Array;
  header(name: string): string | null;
}

/** What to do when the session is missing or over, the same words wherever it happens. */
export const LOGIN_HINT = 'open the login URL that `npm start` printed (restart `npm start` for a new one), or sign in again';

/** A repository uuid (with its braces) as one path segment. */
export function uuidSegment(uuid: string): string {
  return encodeURIComponent(uuid);
}

function queryString(query: Record<string, string | number | boolean | undefined> | undefined): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) if (value !== undefined && value !== '') params.set(name, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** Turns a non-2xx answer into an ApiError, keeping the server's message and hint when it gave them. */
export async function errorFromResponse(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as Partial<ErrorBody> | undefined;
  const error = body?.error;
  if (error && typeof error.message === 'string') {
    const hint = error.hint ?? (error.code === 'unauthenticated' ? LOGIN_HINT : undefined);
    return new ApiError(error.message, hint, error.code, response.status, error.retryAfterSeconds);
  }
  if (response.status === 401) return new ApiError('you are not signed in, or your session ended', LOGIN_HINT, 'unauthenticated', 401);
  return new ApiError(
    `the hub answered ${response.status} ${response.statusText}`.trim(),
    'try again; if it keeps failing, look at the hub’s log (the terminal running `npm start`, or CloudWatch)',
    'bad-response',
    response.status,
  );
}

/**
 * The admin API client over `fetch` (the browser's, or a test's). `bearer` gives the deployed console's access token
 * (console/api/oidc.ts); locally there is none and the session cookie authenticates.
 */
export function createAdminApi(
  fetchImpl: Fetch = (input, init) => fetch(input, init),
  base = ADMIN_API_BASE_PATH,
  bearer: () => string | undefined = () => undefined,
): AdminApi {
  let session: Promise<SessionResponse> | undefined;

  async function call<T>(method: string, path: string, body?: unknown, read: 'json' | 'bytes' = 'json', extra = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json', ...extra };
    const token = bearer();
    if (token) headers.authorization = `Bearer ${token}`;
    if (method !== 'GET') {
      headers['content-type'] = 'application/json';
      const csrf = (await api.session()).csrfToken;
      if (csrf) headers[CSRF_HEADER] = csrf;
    }
    let response: Response;
    try {
      response = await fetchImpl(`${base}${path}`, {
        method,
        headers,
        credentials: 'same-origin',
        body: method === 'GET' ? undefined : JSON.stringify(body ?? {}),
      });
    } catch {
      throw new ApiError(
        'could not reach the hub',
        'check that the hub is running (`npm start` locally) and that this machine is online',
        'unreachable',
        0,
      );
    }
    if (response.status === 401) session = undefined;
    if (!response.ok) throw await errorFromResponse(response);
    if (response.status === 204) return undefined as T;
    if (read === 'bytes') {
      const bytes = new Uint8Array(await response.arrayBuffer());
      return { status: response.status, bytes, header: (name: string) => response.headers.get(name) } satisfies BytesAnswer as T;
    }
    return (await response.json().catch(() => {
      throw new ApiError(
        'the hub sent an answer the console cannot read',
        'reload the page; if it persists, the console and the hub may be of different versions',
        'bad-response',
        response.status,
      );
    })) as T;
  }

  const api: AdminApi = {
    get: (path, query) => call('GET', `${path}${queryString(query)}`),
    post: (path, body) => call('POST', path, body),
    patch: (path, body) => call('PATCH', path, body),
    bytes: (path, query, headers) => call('GET', `${path}${queryString(query)}`, undefined, 'bytes', headers),
    session() {
      session ??= call<SessionResponse>('GET', '/session').catch((error: unknown) => {
        session = undefined;
        throw error;
      });
      return session;
    },
  };
  return api;
}
