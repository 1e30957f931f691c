// isomorphic-git's HTTP plugin on undici, like the REST client: request bodies stream, every request has a
// timeout and obeys the caller's deadline, traffic is counted, and failures never show the credentials.
import { Readable } from 'node:stream';
import { request, type Dispatcher } from 'undici';
import { GitFetchError, redactSecrets } from './errors';

/** What isomorphic-git hands to its HTTP plugin (`GitHttpRequest`). */
export interface GitHttpRequest {
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: AsyncIterable<Uint8Array> | Iterable<Uint8Array>;
  signal?: AbortSignal;
}

/** What isomorphic-git expects back (`GitHttpResponse`). */
export interface GitHttpResponse {
  url: string;
  method: string;
  statusCode: number;
  statusMessage: string;
  headers: Record<string, string>;
  body: AsyncIterableIterator<Uint8Array>;
}

/** Traffic of one plugin instance. */
export interface GitHttpStats {
  requests: number;
  bytesSent: number;
  bytesReceived: number;
}

/** Options of {@link createUndiciHttp}. */
export interface UndiciHttpOptions {
  /** Connection pool; the caller owns (and closes) it. @default undici's global dispatcher */
  dispatcher?: Dispatcher;
  /** Header and body inactivity timeout of each request. @default 30_000 */
  requestTimeoutMs?: number;
  /** Epoch milliseconds after which every request is aborted (e.g. a minute before the Lambda deadline). */
  deadline?: number;
  /** Values to keep out of error messages (the token and its Basic credentials). */
  secrets?: readonly string[];
  /** Counters to add to (e.g. one per sync run, across fetches); by default fresh ones. */
  stats?: GitHttpStats;
  /** Clock of the deadline (epoch ms). @default Date.now */
  now?: () => number;
}

/** The plugin object isomorphic-git takes as `http`, plus its counters. */
export interface UndiciHttp {
  request(request: GitHttpRequest): Promise<GitHttpResponse>;
  readonly stats: GitHttpStats;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
// undici error codes that mean the connection failed rather than the server answering.
const TIMEOUT_CODES = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT', 'ETIMEDOUT']);

/** An isomorphic-git HTTP plugin on undici. HTTP statuses are returned as they are; transport failures throw {@link GitFetchError}. */
export function createUndiciHttp(options: UndiciHttpOptions = {}): UndiciHttp {
  const stats: GitHttpStats = options.stats ?? { requests: 0, bytesSent: 0, bytesReceived: 0 };
  const secrets = options.secrets ?? [];
  const timeoutMs = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  const now = options.now ?? Date.now;
  const deadline = options.deadline;
  const pastDeadline = () => deadline !== undefined && now() >= deadline;
  // A request cut by the deadline is told apart from one that timed out: another attempt has no time left.
  const failure = (what: string, error: unknown) =>
    pastDeadline()
      ? new GitFetchError('deadline', `${what} was not sent or not answered before the deadline`)
      : transportFailure(what, error);

  async function send(req: GitHttpRequest): Promise<GitHttpResponse> {
    const method = req.method ?? 'GET';
    const what = redactSecrets(`git ${method} ${withoutQuery(req.url)}`, secrets);
    // Checked before sending: a timer of 0 ms only aborts on a later tick, after the request has gone out.
    if (pastDeadline()) throw failure(what, undefined);
    const signal = signalFor(req.signal, deadline === undefined ? undefined : deadline - now());
    if (signal?.aborted) throw failure(what, signal.reason);
    stats.requests += 1;
    try {
      const response = await request(req.url, {
        method: method as Dispatcher.HttpMethod,
        headers: req.headers,
        body: req.body === undefined ? null : Readable.from(countSent(req.body, stats), { objectMode: false }),
        signal,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      });
      return {
        url: req.url,
        method,
        statusCode: response.statusCode,
        statusMessage: statusText(response.statusCode),
        headers: flatHeaders(response.headers),
        body: countReceived(response.body, stats, (error) => failure(what, error)),
      };
    } catch (error) {
      throw failure(what, signal?.aborted ? signal.reason : error);
    }
  }

  return { request: send, stats };
}

function signalFor(given: AbortSignal | undefined, msLeft: number | undefined): AbortSignal | undefined {
  if (msLeft === undefined) return given;
  const timer = AbortSignal.timeout(Math.max(0, msLeft));
  return given ? AbortSignal.any([given, timer]) : timer;
}

async function* countSent(body: AsyncIterable<Uint8Array> | Iterable<Uint8Array>, stats: GitHttpStats): AsyncGenerator<Uint8Array> {
  for await (const chunk of body) {
    stats.bytesSent += chunk.byteLength;
    yield chunk;
  }
}

async function* countReceived(
  body: AsyncIterable<Buffer>,
  stats: GitHttpStats,
  failure: (error: unknown) => GitFetchError,
): AsyncGenerator<Uint8Array> {
  try {
    for await (const chunk of body) {
      stats.bytesReceived += chunk.byteLength;
      yield chunk;
    }
  } catch (error) {
    throw failure(error);
  }
}

/** A transport failure as a {@link GitFetchError}: a request timed out, or the server is unreachable. */
function transportFailure(what: string, error: unknown): GitFetchError {
  if (error instanceof GitFetchError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const name = (error as { name?: unknown } | undefined)?.name;
  const timedOut = name === 'TimeoutError' || (typeof code === 'string' && TIMEOUT_CODES.has(code));
  const detail = typeof code === 'string' ? code : typeof name === 'string' ? name : 'error';
  // The cause is left out on purpose: undici errors can echo request options, headers included.
  return new GitFetchError(timedOut ? 'timeout' : 'unreachable', `${what} failed: ${timedOut ? 'timed out' : detail}`);
}

function withoutQuery(url: string): string {
  const at = url.indexOf('?');
  return at < 0 ? url : url.slice(0, at);
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
  }
  return flat;
}

function statusText(status: number): string {
  return { 200: 'OK', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 429: 'Too Many Requests' }[status] ?? `HTTP ${status}`;
}
