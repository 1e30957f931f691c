import { Agent, request, type Dispatcher } from 'undici';
import {
  BitbucketAuthError,
  BitbucketDiffTooLargeError,
  BitbucketError,
  BitbucketFileTooLargeError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
  BitbucketUnavailableError,
} from './errors';

/**
 * Every Bitbucket Cloud REST endpoint the client calls: method, path template (relative to `/2.0`, spelled as
 * in Atlassian's OpenAPI document) and the query parameters the client adds itself. The client builds its
 * URLs from these entries, so the contract test checks the real list. `next` links are followed as given.
 */
export const BITBUCKET_ENDPOINTS = {
  repository: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}', query: [] },
  branch: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/refs/branches/{name}', query: [] },
  diffstat: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/diffstat/{spec}', query: ['topic', 'pagelen'] },
  src: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/src/{commit}/{path}', query: ['max_depth', 'pagelen'] },
  // Webhooks (the admin CLI manages the hub's own `repo:push` hook; they need the token's `webhook` scope).
  listHooks: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/hooks', query: ['pagelen'] },
  createHook: { method: 'POST', template: '/repositories/{workspace}/{repo_slug}/hooks', query: [] },
  updateHook: { method: 'PUT', template: '/repositories/{workspace}/{repo_slug}/hooks/{uid}', query: [] },
  deleteHook: { method: 'DELETE', template: '/repositories/{workspace}/{repo_slug}/hooks/{uid}', query: [] },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; template: string; query: readonly string[] }>;

/** Bitbucket Cloud's REST API root, unless configured otherwise. */
export const DEFAULT_BITBUCKET_API_URL = 'https://api.bitbucket.org/2.0';

/** Page size asked of diffstat: its documented maximum. */
export const DIFFSTAT_PAGELEN = 5000;

/** Scope a repository access token needs to read repositories and their source. */
export const REPOSITORY_SCOPE = 'repository';
/** Scope a repository access token needs to read and write webhooks. */
export const WEBHOOK_SCOPE = 'webhook';

/** Options of {@link BitbucketClient}; only `baseUrl` and `token` are required. */
export interface BitbucketClientOptions {
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
  /** Largest file `getFile` downloads; larger ones abort with {@link BitbucketFileTooLargeError}. @default 32 MiB */
  maxFileBytes?: number;
  /** Pause before each request while Bitbucket reports `X-RateLimit-NearLimit: true`. @default 1_000 */
  nearLimitDelayMs?: number;
  /** Initial `max_depth` of recursive listings; halved on 555 (listing timed out). @default 10 */
  listMaxDepth?: number;
  /** Shared connection pool. @default a module-level undici Agent with keep-alive */
  dispatcher?: Dispatcher;
  /** Waits between attempts; injectable so tests need not wait. @default setTimeout-based */
  sleep?: (ms: number) => Promise<void>;
  /** Jitter source in [0, 1). @default Math.random */
  random?: () => number;
}

/** Kind of change of one file between two commits. */
export type FileChangeStatus = 'added' | 'removed' | 'modified' | 'renamed';

/**
 * One changed file. `added` has only `newPath`, `removed` only `oldPath`, `modified` and `renamed` both.
 * Statuses Bitbucket may add (merge conflicts and the like) are reported as `modified` with whichever paths it gave.
 */
export interface FileChange {
  status: FileChangeStatus;
  oldPath?: string;
  newPath?: string;
  /** Lines added and removed, as Bitbucket counts them: a rename with 0 and 0 kept its content. */
  linesAdded?: number;
  linesRemoved?: number;
}

/** Repository facts the sync needs. */
export interface BitbucketRepositoryInfo {
  /** Immutable id with braces, e.g. `{3deb8c29-778a-450c-8f69-3e50a18079df}`. */
  uuid: string;
  /** `workspace/repo_slug` as Bitbucket spells it now. */
  fullName: string;
  /** Default branch, absent for an empty repository without one. */
  mainBranch: string | undefined;
}

/** A repository webhook as Bitbucket describes it (`webhook_subscription`); the secret itself is never returned. */
export interface BitbucketWebhook {
  /** Id with braces, e.g. `{9b2e…}`; the `{uid}` of the hook's URL. */
  uuid: string;
  url: string;
  description: string;
  active: boolean;
  events: string[];
  /** Whether the hook has a secret (Bitbucket never returns the secret itself). */
  secretSet: boolean;
}

/** What can be written to a webhook. `secret` is write-only; leaving it out of an update keeps the stored one. */
export interface BitbucketWebhookInput {
  url: string;
  description: string;
  active: boolean;
  events: string[];
  /** At most 128 characters. */
  secret?: string;
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

const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;
// Error and JSON bodies are small; this guards against a misbehaving server, not real payloads.
const MAX_JSON_BYTES = 64 * 1024 * 1024;
const MAX_REDIRECTS = 5;
// Bitbucket's limits use a rolling hour and its 429s rarely carry Retry-After: suggest a minute to the caller.
const UNKNOWN_RATE_LIMIT_WAIT_MS = 60_000;
// /src pages default to 10 entries; 100 is the documented global maximum.
const SRC_PAGELEN = 100;

// One keep-alive pool per Lambda container, shared by every client that is not given its own.
let defaultDispatcher: Dispatcher | undefined;
function getDefaultDispatcher(): Dispatcher {
  defaultDispatcher ??= new Agent({ keepAliveTimeout: 30_000, connections: 16 });
  return defaultDispatcher;
}

const defaultSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface Fetched {
  body: Buffer;
  headers: Record<string, string | string[] | undefined>;
}

interface RequestContext {
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

/**
 * Reads repositories, branches, diffstats and files from the Bitbucket Cloud REST API 2.0 with a repository
 * access token.
 *
 * Retries 429, 5xx, dropped connections and timeouts with exponential backoff and full jitter, honours
 * `Retry-After` (seconds or HTTP date), paces itself while `X-RateLimit-NearLimit` is reported, follows
 * pagination through `next` links and redirects itself (the token only ever goes to `baseUrl`'s origin, so a
 * Git LFS redirect to Atlassian's media host is followed without it). Throws the errors in `./errors`.
 *
 * @example
 * const client = new BitbucketClient({ baseUrl: 'https://api.bitbucket.org/2.0', token });
 * const changes = await client.listChangedFiles('acme/models', newHash, oldHash);
 */
export class BitbucketClient {
  /** Traffic counters since construction. */
  readonly stats: BitbucketClientStats = { requests: 0, retries: 0, rateLimited: 0, bytesReceived: 0, paced: 0 };

  private readonly baseUrl: string;
  private readonly origin: string;
  private readonly token: string;
  private readonly requestTimeoutMs: number;
  private readonly maxAttempts: number;
  private readonly baseDelayMs: number;
  private readonly maxDelayMs: number;
  private readonly maxRateLimitWaitMs: number;
  private readonly maxFileBytes: number;
  private readonly nearLimitDelayMs: number;
  private readonly listMaxDepth: number;
  private readonly dispatcher: Dispatcher;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly random: () => number;
  private nearLimit = false;

  constructor(options: BitbucketClientOptions) {
    if (!options.token) throw new TypeError('BitbucketClient needs a non-empty access token');
    const base = new URL(options.baseUrl);
    this.baseUrl = base.href.replace(/\/+$/, '');
    this.origin = base.origin;
    this.token = options.token;
    this.requestTimeoutMs = options.requestTimeoutMs ?? 30_000;
    this.maxAttempts = Math.max(1, options.maxAttempts ?? 5);
    this.baseDelayMs = options.baseDelayMs ?? 500;
    this.maxDelayMs = options.maxDelayMs ?? 20_000;
    this.maxRateLimitWaitMs = options.maxRateLimitWaitMs ?? 30_000;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.nearLimitDelayMs = options.nearLimitDelayMs ?? 1_000;
    this.listMaxDepth = Math.max(1, options.listMaxDepth ?? 10);
    this.dispatcher = options.dispatcher ?? getDefaultDispatcher();
    this.sleep = options.sleep ?? defaultSleep;
    this.random = options.random ?? Math.random;
  }

  /** Reads the repository's uuid, current full name and main branch (`GET /repositories/{workspace}/{repo_slug}`). */
  async getRepository(fullName: string): Promise<BitbucketRepositoryInfo> {
    const url = this.endpointUrl('repository', { ...splitFullName(fullName) });
    const json = (await this.getJson(url, { repository: fullName, what: 'repository' })) as {
      uuid?: unknown;
      full_name?: unknown;
      mainbranch?: { name?: unknown } | null;
    };
    if (typeof json.uuid !== 'string' || typeof json.full_name !== 'string') {
      throw new BitbucketError(`Unexpected repository answer for ${fullName}: uuid or full_name missing.`, { repository: fullName });
    }
    const mainBranch = typeof json.mainbranch?.name === 'string' ? json.mainbranch.name : undefined;
    return { uuid: json.uuid, fullName: json.full_name, mainBranch };
  }

  /** Returns the commit hash `branch` points at now (`GET .../refs/branches/{name}`); 404 if it does not exist. */
  async getBranchHead(fullName: string, branch: string): Promise<string> {
    // Branch names may contain '/', which Bitbucket expects literally in this path.
    const url = this.endpointUrl('branch', { ...splitFullName(fullName), name: encodePath(branch) });
    const json = (await this.getJson(url, { repository: fullName, what: `branch ${JSON.stringify(branch)}` })) as {
      target?: { hash?: unknown };
    };
    const hash = json.target?.hash;
    if (typeof hash !== 'string') throw new BitbucketError(`Unexpected branch answer for ${fullName}: target.hash missing.`, { repository: fullName });
    return hash;
  }

  /**
   * Lists the files that differ between `oldCommit` and `newCommit` as a plain two-dot tree difference
   * (`GET .../diffstat/{new}..{old}?topic=false`; Bitbucket's spec order is the reverse of git's), following
   * every `next` page. Correct after force pushes too, since no merge base is involved.
   * Throws {@link BitbucketDiffTooLargeError} when Bitbucket times out computing it.
   */
  async listChangedFiles(fullName: string, newCommit: string, oldCommit: string): Promise<FileChange[]> {
    const spec = `${encodeURIComponent(newCommit)}..${encodeURIComponent(oldCommit)}`;
    // The largest page Atlassian documents for diffstat (default 500): a big push costs as few requests as possible.
    let url: string | undefined = this.endpointUrl('diffstat', { ...splitFullName(fullName), spec }, { topic: 'false', pagelen: String(DIFFSTAT_PAGELEN) });
    const changes: FileChange[] = [];
    const context = { repository: fullName, what: 'the diffstat' };
    while (url) {
      const page = (await this.getJson(url, context)) as { values?: unknown; next?: unknown };
      for (const value of asArray(page.values)) changes.push(toFileChange(value as DiffstatValue));
      url = typeof page.next === 'string' ? page.next : undefined;
    }
    return changes;
  }

  /**
   * Lists every file path (not directories) in the tree of `commit`, recursively.
   *
   * Uses breadth-first listings of `/src/{commit}/{dir}/?max_depth=N` (N = `listMaxDepth`), follows `next`
   * pages, and lists again below directories at the depth limit. When Bitbucket times out (555) on a deep
   * listing, N is halved for that directory down to 1.
   */
  async listFiles(fullName: string, commit: string): Promise<string[]> {
    const files = new Set<string>();
    const pending: string[] = [''];
    let depth = this.listMaxDepth;
    for (let dir = pending.shift(); dir !== undefined; dir = pending.shift()) {
      try {
        const entries = await this.listDirectory(fullName, commit, dir, depth);
        const baseDepth = dir === '' ? 0 : dir.split('/').length;
        for (const entry of entries) {
          if (entry.type === 'commit_file') files.add(entry.path);
          else if (entry.type === 'commit_directory' && entry.path.split('/').length - baseDepth >= depth) pending.push(entry.path);
        }
      } catch (error) {
        if (!(error instanceof BitbucketDiffTooLargeError) || depth === 1) throw error;
        depth = Math.max(1, Math.floor(depth / 2));
        pending.unshift(dir);
      }
    }
    return [...files];
  }

  /**
   * Downloads the exact bytes of `path` at `commit` (`GET .../src/{commit}/{path}`), following a Git LFS
   * redirect to another origin without the token. Aborts with {@link BitbucketFileTooLargeError} beyond
   * `maxFileBytes`.
   */
  async getFile(fullName: string, commit: string, path: string): Promise<Buffer> {
    const url = this.endpointUrl('src', { ...splitFullName(fullName), commit: encodeURIComponent(commit), path: encodePath(path) });
    const { body } = await this.fetch(url, {
      repository: fullName,
      what: `file ${JSON.stringify(path)} at ${commit}`,
      maxBytes: this.maxFileBytes,
      filePath: path,
    });
    return body;
  }

  /** Lists the repository's webhooks (`GET .../hooks`, every page). Needs the `webhook` scope. */
  async listWebhooks(fullName: string): Promise<BitbucketWebhook[]> {
    let url: string | undefined = this.endpointUrl('listHooks', { ...splitFullName(fullName) }, { pagelen: '100' });
    const hooks: BitbucketWebhook[] = [];
    const context = { repository: fullName, what: 'the webhooks', scope: WEBHOOK_SCOPE };
    while (url) {
      const page = (await this.getJson(url, context)) as { values?: unknown; next?: unknown };
      for (const value of asArray(page.values)) hooks.push(toWebhook(value, fullName));
      url = typeof page.next === 'string' ? page.next : undefined;
    }
    return hooks;
  }

  /**
   * Creates a webhook (`POST .../hooks`, answered 201). Never retried after the request may have reached
   * Bitbucket (a retry could create a second hook); callers find an existing hook first and update it instead.
   */
  async createWebhook(fullName: string, input: BitbucketWebhookInput): Promise<BitbucketWebhook> {
    const url = this.endpointUrl('createHook', { ...splitFullName(fullName) });
    const json = await this.getJson(url, { repository: fullName, what: 'the new webhook', method: 'POST', body: webhookBody(input), scope: WEBHOOK_SCOPE });
    return toWebhook(json, fullName);
  }

  /** Replaces a webhook's settings (`PUT .../hooks/{uid}`); without `secret` the stored secret is kept. */
  async updateWebhook(fullName: string, uid: string, input: BitbucketWebhookInput): Promise<BitbucketWebhook> {
    const url = this.endpointUrl('updateHook', { ...splitFullName(fullName), uid: encodeURIComponent(uid) });
    const json = await this.getJson(url, { repository: fullName, what: `webhook ${uid}`, method: 'PUT', body: webhookBody(input), scope: WEBHOOK_SCOPE });
    return toWebhook(json, fullName);
  }

  /** Deletes a webhook (`DELETE .../hooks/{uid}`, answered 204). Throws BitbucketNotFoundError when it is gone already. */
  async deleteWebhook(fullName: string, uid: string): Promise<void> {
    const url = this.endpointUrl('deleteHook', { ...splitFullName(fullName), uid: encodeURIComponent(uid) });
    await this.fetch(url, { repository: fullName, what: `webhook ${uid}`, method: 'DELETE', scope: WEBHOOK_SCOPE, maxBytes: MAX_JSON_BYTES });
  }

  private async listDirectory(fullName: string, commit: string, dir: string, depth: number): Promise<Array<{ type: string; path: string }>> {
    // The root needs the trailing slash (`/src/{commit}/`); keep it for subdirectories too, so they can't be mistaken for files.
    const path = dir === '' ? '' : `${encodePath(dir)}/`;
    const query = { max_depth: String(depth), pagelen: String(SRC_PAGELEN) };
    let url: string | undefined = this.endpointUrl('src', { ...splitFullName(fullName), commit: encodeURIComponent(commit), path }, query);
    const entries: Array<{ type: string; path: string }> = [];
    const context = { repository: fullName, what: `the listing of ${JSON.stringify(dir || '/')} at ${commit}` };
    while (url) {
      const page = (await this.getJson(url, context)) as { values?: unknown; next?: unknown };
      for (const value of asArray(page.values)) {
        const entry = value as { type?: unknown; path?: unknown };
        if (typeof entry.type === 'string' && typeof entry.path === 'string') entries.push({ type: entry.type, path: entry.path });
      }
      url = typeof page.next === 'string' ? page.next : undefined;
    }
    return entries;
  }

  private endpointUrl(name: keyof typeof BITBUCKET_ENDPOINTS, params: Record<string, string>, query: Record<string, string> = {}): string {
    const endpoint = BITBUCKET_ENDPOINTS[name];
    const path = endpoint.template.replace(/\{(\w+)\}/g, (_, key: string) => {
      const value = params[key];
      if (value === undefined) throw new TypeError(`missing URL parameter ${key}`);
      return value;
    });
    const allowed: readonly string[] = endpoint.query;
    const search = new URLSearchParams();
    for (const [key, value] of Object.entries(query)) {
      // Keeps BITBUCKET_ENDPOINTS honest: the contract test checks only what is listed there.
      if (!allowed.includes(key)) throw new TypeError(`query parameter ${key} is not declared for ${endpoint.template}`);
      search.set(key, value);
    }
    const qs = search.toString();
    return `${this.baseUrl}${path}${qs ? `?${qs}` : ''}`;
  }

  private async getJson(url: string, context: Omit<RequestContext, 'maxBytes'>): Promise<unknown> {
    const { body } = await this.fetch(url, { ...context, maxBytes: MAX_JSON_BYTES });
    try {
      return JSON.parse(body.toString('utf8')) as unknown;
    } catch (cause) {
      throw new BitbucketError(`Bitbucket sent invalid JSON for ${context.what} of ${context.repository}.`, { repository: context.repository, cause });
    }
  }

  /** One logical GET with retries; each attempt may follow redirects. */
  private async fetch(url: string, context: RequestContext): Promise<Fetched> {
    const { repository } = context;
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) this.stats.retries++;
      let failure: { status?: number; message: string; cause?: unknown; retryAfterMs?: number };
      try {
        const response = await this.attempt(url, context);
        if (response.status >= 200 && response.status < 300) return { body: response.body, headers: response.headers };
        const { status } = response;
        if (status === 401 || status === 403) throw new BitbucketAuthError(repository, status, { scope: context.scope ?? REPOSITORY_SCOPE, required: requiredScopes(response.body) });
        if (status === 404) throw new BitbucketNotFoundError(`Bitbucket has no ${context.what} in repository ${repository} (HTTP 404).`, repository);
        if (status === 555) throw new BitbucketDiffTooLargeError(repository, context.what);
        const retryAfterMs = parseRetryAfter(header(response.headers, 'retry-after'));
        if (status === 429) {
          // A 429 was refused before any effect, so even a create may be repeated.
          this.stats.rateLimited++;
          const resource = header(response.headers, 'x-ratelimit-resource');
          const wait = retryAfterMs ?? this.backoff(attempt);
          if (attempt >= this.maxAttempts || wait > this.maxRateLimitWaitMs) {
            throw new BitbucketRateLimitedError(repository, retryAfterMs ?? Math.max(wait, UNKNOWN_RATE_LIMIT_WAIT_MS), resource);
          }
          await this.sleep(wait);
          continue;
        }
        if (status < 500) {
          throw new BitbucketError(`Bitbucket refused ${context.what} in repository ${repository} (HTTP ${status}): ${this.errorMessage(response.body)}`, {
            status,
            repository,
          });
        }
        failure = { status, message: `HTTP ${status}: ${this.errorMessage(response.body)}`, ...(retryAfterMs === undefined ? {} : { retryAfterMs }) };
      } catch (error) {
        if (error instanceof BitbucketError) throw error;
        // Network failures and undici timeouts: the request may not have reached Bitbucket, and GETs are safe to repeat.
        failure = { message: this.redact(error instanceof Error ? `${error.name}: ${error.message}` : String(error)), cause: error };
      }
      // A create that may have reached Bitbucket is not repeated: a second attempt could add a second hook.
      if (attempt >= this.maxAttempts || context.method === 'POST') {
        throw new BitbucketUnavailableError(`Bitbucket failed ${attempt} times fetching ${context.what} in repository ${repository}; last: ${failure.message}`, {
          repository,
          attempts: attempt,
          ...(failure.status === undefined ? {} : { status: failure.status }),
          ...(failure.cause === undefined ? {} : { cause: failure.cause }),
        });
      }
      const retryAfter = failure.retryAfterMs;
      await this.sleep(retryAfter !== undefined && retryAfter <= this.maxRateLimitWaitMs ? retryAfter : this.backoff(attempt));
    }
  }

  /** Sends one request and follows up to MAX_REDIRECTS redirects; returns the final status and bounded body. */
  private async attempt(url: string, context: RequestContext): Promise<{ status: number; headers: Fetched['headers']; body: Buffer }> {
    let current = new URL(url);
    for (let hop = 0; ; hop++) {
      if (this.nearLimit) {
        // Bitbucket says we are close to the hourly limit: spread the remaining calls out instead of hitting 429s.
        this.stats.paced++;
        await this.sleep(this.nearLimitDelayMs);
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
        headersTimeout: this.requestTimeoutMs,
        bodyTimeout: this.requestTimeoutMs,
      });
      if (current.origin === this.origin) this.nearLimit = header(response.headers, 'x-ratelimit-nearlimit')?.toLowerCase() === 'true';
      const location = header(response.headers, 'location');
      // Only reads follow redirects: a write is never re-sent somewhere else.
      if ([301, 302, 303, 307, 308].includes(response.statusCode) && location && (context.method ?? 'GET') === 'GET') {
        await response.body.dump();
        if (hop >= MAX_REDIRECTS) throw new BitbucketError(`Too many redirects fetching ${context.what} in repository ${context.repository}.`, { repository: context.repository });
        current = new URL(location, current);
        continue;
      }
      const ok = response.statusCode >= 200 && response.statusCode < 300;
      // Error bodies are only read for their message: cap them small.
      const limit = ok ? context.maxBytes : 64 * 1024;
      const declared = Number(header(response.headers, 'content-length'));
      if (ok && context.filePath !== undefined && Number.isFinite(declared) && declared > limit) {
        discard(response.body);
        throw new BitbucketFileTooLargeError(context.repository, context.filePath, limit);
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
        if (context) throw new BitbucketError(`Bitbucket answer for ${context.what} exceeds ${limit} bytes.`, { repository: context.repository });
        break; // an oversized error body: its first bytes are enough for a message
      }
      chunks.push(chunk);
    }
    return Buffer.concat(chunks);
  }

  /** Full-jitter exponential backoff for the retry after `attempt`. */
  private backoff(attempt: number): number {
    return Math.floor(this.random() * Math.min(this.maxDelayMs, this.baseDelayMs * 2 ** (attempt - 1)));
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

interface DiffstatValue {
  status?: unknown;
  lines_added?: unknown;
  lines_removed?: unknown;
  old?: { path?: unknown } | null;
  new?: { path?: unknown } | null;
}

function toFileChange(value: DiffstatValue): FileChange {
  const oldPath = typeof value.old?.path === 'string' ? value.old.path : undefined;
  const newPath = typeof value.new?.path === 'string' ? value.new.path : undefined;
  const withPaths = (status: FileChangeStatus, keepOld: boolean, keepNew: boolean): FileChange => ({
    status,
    ...(keepOld && oldPath !== undefined ? { oldPath } : {}),
    ...(keepNew && newPath !== undefined ? { newPath } : {}),
    ...(typeof value.lines_added === 'number' ? { linesAdded: value.lines_added } : {}),
    ...(typeof value.lines_removed === 'number' ? { linesRemoved: value.lines_removed } : {}),
  });
  switch (value.status) {
    case 'added':
      return withPaths('added', false, true);
    case 'removed':
      return withPaths('removed', true, false);
    case 'renamed':
      return withPaths('renamed', true, true);
    default:
      // 'modified', and conflict statuses of merge-style diffs: re-read whatever paths are named.
      return withPaths('modified', true, true);
  }
}

function webhookBody(input: BitbucketWebhookInput): Record<string, unknown> {
  return {
    url: input.url,
    description: input.description,
    active: input.active,
    events: input.events,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
  };
}

function toWebhook(value: unknown, fullName: string): BitbucketWebhook {
  const json = (value ?? {}) as { uuid?: unknown; url?: unknown; description?: unknown; active?: unknown; events?: unknown; secret_set?: unknown };
  if (typeof json.uuid !== 'string' || typeof json.url !== 'string') {
    throw new BitbucketError(`Unexpected webhook answer for ${fullName}: uuid or url missing.`, { repository: fullName });
  }
  return {
    uuid: json.uuid,
    url: json.url,
    description: typeof json.description === 'string' ? json.description : '',
    active: json.active === true,
    events: asArray(json.events).filter((event): event is string => typeof event === 'string'),
    secretSet: json.secret_set === true,
  };
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

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** Splits and percent-encodes `workspace/repo_slug`. */
function splitFullName(fullName: string): { workspace: string; repo_slug: string } {
  const parts = fullName.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1]) throw new TypeError(`repository name must be "workspace/repo_slug", got ${JSON.stringify(fullName)}`);
  return { workspace: encodeURIComponent(parts[0]), repo_slug: encodeURIComponent(parts[1]) };
}

/** Percent-encodes each segment but keeps `/` literal: Bitbucket 404s on `%2F` in `/src` paths. */
function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function header(headers: Fetched['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent or unparsable. */
function parseRetryAfter(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

export { parseRetryAfter };
