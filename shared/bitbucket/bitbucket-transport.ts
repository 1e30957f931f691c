/**
 * HTTP transport of the Bitbucket client: one logical request with retries (full-jitter backoff, `Retry-After`),
 * redirects (the token only ever goes to the API origin, JSON is only taken from it), NearLimit pacing, bounded bodies, token redaction and
 * traffic counters. Resource and webhook calls are built on it; it knows nothing of their URLs or JSON.
 */
import { Agent, request, type Dispatcher } from 'undici';
import {
  BitbucketAuthError,
  BitbucketDeadlineError,
  BitbucketDiffTooLargeError,
  BitbucketError,
  BitbucketFileTooLargeError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
  BitbucketUnavailableError,
} from './errors';
import { REPOSITORY_SCOPE } from './bitbucket-endpoints';
import { RequestDeadline } from './request-deadline';
import { apiOrigin, assertJsonOrigin, redirectTarget } from './origin-policy';

/** Options of {@link BitbucketTransport}; see `BitbucketClientOptions` for their meaning and defaults. */
export interface BitbucketTransportOptions {
  /** API root including the version, e.g. `https://api.bitbucket.org/2.0` (the simulator gives its own). */
  baseUrl: string;
  /** Repository access token, sent as `Authorization: Bearer <token>` to `baseUrl`'s origin only. */
  token: string;
  /** Header and body inactivity timeout per request. @default 30_000 */
  requestTimeoutMs?: number;
  /** Attempts per request; 429, 5xx (except 555), network errors and timeouts are retried. @default 5 */
  maxAttempts?: number;
  /** First backoff step; the n-th retry waits `random() * min(maxDelayMs, baseDelayMs * 2^(n-1))`. @default 500 */
  baseDelayMs?: number;
  /** Cap of one backoff step. @default 20_000 */
  maxDelayMs?: number;
  /**
   * Longest single in-process wait for a 429 (from `Retry-After` or backoff). A longer wait throws
   * {@link BitbucketRateLimitedError} at once, so the caller can park the work instead of burning a Lambda.
   * @default 30_000
   */
  maxRateLimitWaitMs?: number;
  /** Pause before each request while Bitbucket reports `X-RateLimit-NearLimit: true`. @default 1_000 */
  nearLimitDelayMs?: number;
  /** Shared connection pool. @default a module-level undici Agent with keep-alive */
  dispatcher?: Dispatcher;
  /** Waits between attempts; injectable so tests need not wait. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
  /**
   * Time (epoch ms) no request, retry or wait may go past, e.g. the Lambda deadline minus the safety margin:
   * each attempt's timeout is clamped to it, and a request with no time left throws BitbucketDeadlineError.
   * @default none
   */
  deadlineAt?: number;
  /** Clock of the deadline; injectable for tests. @default Date.now */
  now?: () => number;
}

/** Counters of one client's traffic, for logs and metrics. */
export interface BitbucketClientStats {
  /** HTTP requests sent, including retries, redirect hops and pages. */
  requests: number;
  /** Requests repeated after a retryable failure. */
  retries: number;
  /** 429 answers received. */
  rateLimited: number;
  /** Response body bytes received. */
  bytesReceived: number;
  /** Pacing pauses taken because Bitbucket reported being near the rate limit. */
  paced: number;
}

/** What one request is about, for its method, body, size limit and error messages. */
export interface RequestContext {
  repository: string;
  /** @default GET */
  method?: 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** JSON body of a write. */
  body?: unknown;
  /** The scope this request needs, named in the error when Bitbucket refuses the token (401/403). */
  scope?: string;
  /** What is being fetched, for messages (never includes the token). */
  what: string;
  maxBytes: number;
  /** Set for file downloads: exceeding maxBytes is then a BitbucketFileTooLargeError. */
  filePath?: string;
}

export interface Fetched {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

// Error and JSON bodies are small; this guards against a misbehaving server, not real payloads.
export const MAX_JSON_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;
// Bitbucket's limits use a rolling hour and its 429s rarely carry Retry-After: suggest a minute to the caller.
const UNKNOWN_RATE_LIMIT_WAIT_MS = 60_000;

// One keep-alive pool per Lambda container, shared by every client that is not given its own.
let defaultDispatcher: Dispatcher | undefined;
function getDefaultDispatcher(): Dispatcher {
  defaultDispatcher ??= new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  return defaultDispatcher;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Sends requests to one Bitbucket API root with one token; throws the errors in `./errors`. */
export class BitbucketTransport {
  /** Traffic counters since construction. */
  readonly stats: BitbucketClientStats = { requests: 0, retries: 0, rateLimited: 0, bytesReceived: 0, paced: 0 };

  private readonly origin: string;
  private readonly token: string;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly nearLimitDelayMs: number;
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private readonly deadline: RequestDeadline;
  private nearLimit = false;

  constructor(options: BitbucketTransportOptions) {
    this.origin = apiOrigin(options.baseUrl);
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 30_000;
    this.nearLimitDelayMs = options.nearLimitDelayMs ?? 1_000;
    this.dispatcher = options.dispatcher ?? getDefaultDispatcher();
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
    this.deadline = new RequestDeadline(options.deadlineAt, options.now);
  }

  /** A request whose answer is JSON (parsed); invalid JSON is a {@link BitbucketError}. */
  async getJson(url: string, context: Omit<RequestContext, 'maxBytes'>): Promise<unknown> {
    assertJsonOrigin(new URL(url), this.origin, context);
    const { body } = await this.fetch(url, { ...context, maxBytes: MAX_JSON_BYTES });
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (cause) {
      throw new BitbucketError(`Bitbucket sent invalid JSON for ${context.what} of ${context.repository}.`, {
        repository: context.repository,
        cause,
      });
    }
  }

  /** Every entry of a paginated answer (`values`), following `next` links as given until there is none. */
  async *pagedValues(url: string, context: Omit<RequestContext, 'maxBytes'>): AsyncGenerator<unknown> {
    let next: string | undefined = url;
    while (next) {
      const page = (await this.getJson(next, context)) as { values?: unknown; next?: unknown };
      yield* asArray(page.values);
      next = typeof page.next === 'string' ? page.next : undefined;
    }
  }

  /** One logical request with retries; each attempt may follow redirects. */
  async fetch(url: string, context: RequestContext): Promise<Fetched> {
    const { repository } = context;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.stats.retries++;
      let failure: { status?: number; message: string; cause?: unknown; retryAfterMs?: number };
      try {
        const response = await this.attempt(url, context, this.deadline.attemptTimeout(this.requestTimeoutMs, context));
        if (response.status >= 200 && response.status < 300) return { body: response.body, headers: response.headers };
        const { status } = response;
        if (status === 401 || status === 403)
          throw new BitbucketAuthError(repository, status, {
            scope: context.scope ?? REPOSITORY_SCOPE,
            required: requiredScopes(response.body),
          });
        if (status === 404)
          throw new BitbucketNotFoundError(`Bitbucket has no ${context.what} in repository ${repository} (HTTP 404).`, repository);
        if (status === 555) throw new BitbucketDiffTooLargeError(repository, context.what);
        const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
        if (status === 429) {
          // A 429 was refused before any effect, so even a create may be repeated.
          this.stats.rateLimited++;
          const resource = header(response.headers, 'x-ratelimit-resource');
          const wait = retryAfterMs ?? this.backoff(attempt);
          // A wait past the deadline parks the work too: the next invocation may try again after it.
          if (attempt >= this.maxAttempts || wait > this.maxRateLimitWaitMs || wait >= this.deadline.timeLeft()) {
            throw new BitbucketRateLimitedError(repository, retryAfterMs ?? Math.max(wait, UNKNOWN_RATE_LIMIT_WAIT_MS), resource);
          }
          await this.sleep(wait);
          continue;
        }
        if (status < 500) {
          throw new BitbucketError(
            `Bitbucket refused ${context.what} in repository ${repository} (HTTP ${status}): ${this.errorMessage(response.body)}`,
            {
              status,
              repository,
            },
          );
        }
        failure = {
          status,
          message: `HTTP ${status}: ${this.errorMessage(response.body)}`,
          ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
        };
      } catch (error) {
        if (error instanceof BitbucketError) throw error;
        // The attempt was cut at the deadline (its abort signal, or a timeout clamped to it): no time for another.
        if (this.deadline.timeLeft() <= 0 || (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')))
          throw new BitbucketDeadlineError(repository, context.what, { cause: error });
        // Network failures and undici timeouts: the request may not have reached Bitbucket, and GETs are safe to repeat.
        failure = { message: this.redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error)), cause: error };
      }
      // A create that may have reached Bitbucket is not repeated: a second attempt could add a second hook.
      if (attempt >= this.maxAttempts || context.method === 'POST') {
        throw new BitbucketUnavailableError(
          `Bitbucket failed ${attempt} times fetching ${context.what} in repository ${repository}; last: ${failure.message}`,
          {
            repository,
            attempts: attempt,
            ...(failure.status === undefined ? {} : { status: failure.status }),
            ...(failure.cause === undefined ? {} : { cause: failure.cause }),
          },
        );
      }
      const retryAfter = failure.retryAfterMs;
      await this.sleepBefore(
        retryAfter !== undefined && retryAfter <= this.maxRateLimitWaitMs ? retryAfter : this.backoff(attempt),
        context,
      );
    }
  }

  /** Sends one request and follows up to MAX_REDIRECTS redirects; returns the final status and bounded body. */
  private async attempt(
    url: string,
    context: RequestContext,
    timeoutMs: number,
  ): Promise<{ status: number; headers: Fetched['headers']; body: Buffer }> {
    let current = new URL(url);
    // The whole attempt (redirects and body included) ends by the deadline, not just each silence in it; a body
    // that keeps arriving may take longer than `timeoutMs` (a large model on a slow link), which bounds only the
    // silences (headersTimeout, bodyTimeout). Cut at `timeoutMs`, it would end every run as out of time, for ever.
    const timeLeft = this.deadline.timeLeft();
    const signal = Number.isFinite(timeLeft) ? AbortSignal.timeout(Math.max(1, timeLeft)) : undefined;
    for (let hop = 0; ; hop++) {
      if (this.nearLimit) {
        // Bitbucket says we are close to the hourly limit: spread the remaining calls out instead of hitting 429s.
        this.stats.paced++;
        await this.sleepBefore(this.nearLimitDelayMs, context);
      }
      // The token goes only to the API origin: never to a redirect target or a `next` link elsewhere (LFS media host).
      const headers: Record<string, string> = { accept: 'application/json, */*' };
      if (current.origin === this.origin) headers.authorization = `Bearer ${this.token}`;
      const payload = context.body === undefined ? undefined : JSON.stringify(context.body);
      if (payload !== undefined) headers['content-type'] = 'application/json';
      this.stats.requests++;
      const response = await request(current, {
        method: context.method ?? 'GET',
        headers,
        ...(payload === undefined ? {} : { body: payload }),
        dispatcher: this.dispatcher,
        headersTimeout: timeoutMs,
        bodyTimeout: timeoutMs,
        ...(signal === undefined ? {} : { signal }),
      });
      if (current.origin === this.origin) this.nearLimit = header(response.headers, 'x-ratelimit-nearlimit')?.toLowerCase() === 'true';
      const location = header(response.headers, 'location');
      // Only reads follow redirects: a write is never re-sent somewhere else.
      if ([301, 302, 303, 307, 308].includes(response.statusCode) && location && (context.method ?? 'GET') === 'GET') {
        await response.body.dump();
        if (hop >= MAX_REDIRECTS)
          throw new BitbucketError(`Too many redirects fetching ${context.what} in repository ${context.repository}.`, {
            repository: context.repository,
          });
        current = redirectTarget(new URL(location, current), this.origin, context);
        continue;
      }
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Error bodies are only read for their message: cap them small.
      const limit = ok ? context.maxBytes : 64 * 1024;
      const declared = Number(header(response.headers, 'content-length'));
      if (ok && context.filePath !== undefined && Number.isFinite(declared) && declared > limit) {
        discard(response.body);
        throw new BitbucketFileTooLargeError(context.repository, context.filePath, limit, declared);
      }
      const body = await this.readBody(response.body, limit, ok ? context : undefined);
      return { status: response.statusCode, headers: response.headers, body };
    }
  }

  private async readBody(body: Dispatcher.ResponseData['body'], limit: number, context: RequestContext | undefined): Promise<Buffer> {
    const chunks: Buffer[] = [];
    let total = 0;
    for await (const chunk of body as AsyncIterable<Buffer>) {
      total += chunk.length;
      this.stats.bytesReceived += chunk.length;
      if (total > limit) {
        discard(body);
        if (context?.filePath !== undefined) throw new BitbucketFileTooLargeError(context.repository, context.filePath, limit);
        if (context)
          throw new BitbucketError(`Bitbucket answer for ${context.what} exceeds ${limit} bytes.`, { repository: context.repository });
        break; // an oversized error body: its first bytes are enough for a message
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** Waits `ms` unless that reaches the deadline, in which case waiting would be useless: throws at once. */
  private async sleepBefore(ms: number, context: RequestContext): Promise<void> {
    this.deadline.assertCanWait(ms, context);
    await this.sleep(ms);
  }

  /** Full-jitter exponential backoff for the retry after `attempt`. */
  private backoff(attempt: number): number {
    return fullJitterBackoff(attempt, this.baseDelayMs, this.maxDelayMs, this.random);
  }

  /** Bitbucket's `{type:"error", error:{message}}` message, or the start of a plain-text body, token removed. */
  private errorMessage(body: Buffer): string {
    const text = body.toString('utf8');
    let message = text;
    try {
      const parsed = JSON.parse(text) as { error?: { message?: unknown } };
      if (typeof parsed.error?.message === 'string') message = parsed.error.message;
    } catch {
      // Not JSON (429s and proxies answer in plain text): use the text itself.
    }
    return this.redact(message.trim().slice(0, 300)) || '(empty body)';
  }

  private redact(text: string): string {
    return text.split(this.token).join('[redacted]');
  }
}

/** The wait before the retry after `attempt`: `random() * min(maxDelayMs, baseDelayMs * 2^(attempt-1))`, floored. */
export function fullJitterBackoff(attempt: number, baseDelayMs: number, maxDelayMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1)));
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unparsable. */
export function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

/** A JSON value as an array, or empty when it is none (Bitbucket omits empty lists). */
export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The scopes Bitbucket says a refused request needed (`error.detail.required`), when it says so. */
function requiredScopes(body: Buffer): string[] | undefined {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { error?: { detail?: { required?: unknown } } };
    const required = asArray(parsed.error?.detail?.required).filter((scope): scope is string => typeof scope === 'string');
    return required.length > 0 ? required : undefined;
  } catch {
    return undefined;
  }
}

/** Aborts a response body we will not read; undici then reports an abort error nobody needs to hear. */
function discard(body: Dispatcher.ResponseData['body']): void {
  body.on('error', () => undefined);
  body.destroy();
}

function header(headers: Fetched['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}
