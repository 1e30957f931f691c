import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { signBody } from '../../shared/domain/signature';
import { AUTHOR_EMAIL, AUTHOR_NAME, EMPTY_TREE, GitStore, type CommitRecord, type TreeEntry } from './git-store';
import { buildPushPayload, deliveryHeaders, isoDate, postJson, type PushChange } from './webhook-payload';

/** Options of {@link startBitbucketSimulator}. */
export interface BitbucketSimulatorOptions {
  /**
   * Server-enforced page sizes (default and maximum), e.g. tiny pages to prove pagination is followed.
   * @default diffstat 500 (max 5000), src 10 (max 100), as documented by Atlassian
   */
  pagelen?: { diffstat?: number; src?: number };
  /** Largest `max_depth` a `/src` listing accepts; deeper requests answer 555 like a timed-out listing. @default unlimited */
  maxListDepth?: number;
  /** Port of the API server on 127.0.0.1 (a fixed one lets a hub be started before the simulator). @default ephemeral */
  port?: number;
}

/** A repository webhook registered through the API, with its secret (which the API itself never returns). */
export interface SimulatedWebhook {
  /** With braces, like Bitbucket. */
  readonly uuid: string;
  readonly url: string;
  readonly description: string;
  readonly active: boolean;
  readonly events: readonly string[];
  /** Empty when the hook has no secret (deliveries are then unsigned). */
  readonly secret: string;
  readonly createdAt: string;
}

/** One push delivered to a registered webhook, as Bitbucket's "View requests" would list it. */
export interface SimulatedDelivery {
  readonly hookUuid: string;
  readonly url: string;
  readonly commit: string;
  /** HTTP status of the answer; 0 when the hook's URL could not be reached. */
  readonly status: number;
  readonly body: string;
}

/** A fault injection rule; see {@link BitbucketSimulator.addFault}. */
export interface FaultRule {
  /** Tested against the request's raw path and query (e.g. `/2.0/repositories/a/b/diffstat/...`). @default every request */
  pathPattern?: RegExp;
  /** `latency` delays then serves normally; `status` answers `status`; `drop` destroys the socket unanswered. */
  kind: 'latency' | 'status' | 'drop';
  /** Status for `kind: 'status'` (429 answers in plain text like Bitbucket, others with an error JSON). */
  status?: number;
  /** Adds `Retry-After: <seconds>` to a `status` answer. */
  retryAfterSeconds?: number;
  /** Delay for `latency`. @default 0 */
  delayMs?: number;
  /** Applies to this many matching requests, then expires. @default unlimited */
  times?: number;
  /** Chance in [0, 1] of applying to a matching request. @default 1 */
  probability?: number;
}

/** One served request, for counting in tests and benchmarks. */
export interface SimulatorRequest {
  readonly method: string;
  /** Raw path and query as received. */
  readonly path: string;
  /** Status answered; 0 when the connection was dropped. */
  readonly status: number;
  /** Response body bytes. */
  readonly bytes: number;
  /** `api` for the Bitbucket API, `media` for the Git LFS media host. */
  readonly origin: 'api' | 'media';
  /** Whether the request carried an Authorization header. */
  readonly authorization: boolean;
}

/** A running Bitbucket Cloud simulator; see {@link startBitbucketSimulator}. */
export interface BitbucketSimulator {
  /** API root, e.g. `http://127.0.0.1:PORT/2.0`. */
  readonly apiUrl: string;
  /** Origin of the second host that serves Git LFS content. */
  readonly mediaUrl: string;
  /**
   * Creates an empty repository (no commits yet); `mainBranch` defaults to `main`, `token` to a random one, and
   * `scopes` (what the token may do, as a repository access token's scopes) to `repository` and `webhook`.
   */
  createRepository(fullName: string, options?: { mainBranch?: string; token?: string; scopes?: readonly string[] }): Promise<SimulatedRepository>;
  /** Fault injection: each rule applies to requests whose path matches; count-limited or probabilistic. */
  addFault(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** While true, API answers carry `X-RateLimit-NearLimit: true`. */
  setNearLimit(nearLimit: boolean): void;
  /** Every request served so far (API and media host), in order of answer. */
  readonly requests: ReadonlyArray<SimulatorRequest>;
  /** Empties `requests`. */
  resetRequests(): void;
  /** Stops both servers and deletes the git repositories. */
  close(): Promise<void>;
}

/** A repository inside the simulator, backed by a real bare git repository. */
export interface SimulatedRepository {
  /** `{xxxxxxxx-....}` like Bitbucket. */
  readonly uuid: string;
  readonly fullName: string;
  /** The repository access token the API accepts for this repository. */
  readonly token: string;
  readonly mainBranch: string;
  /** Scopes of `token`: `repository` reads the repository, `webhook` reads and writes its hooks. */
  readonly scopes: readonly string[];
  /** Webhooks registered through the API (`/hooks`), in creation order, secrets included. */
  readonly webhooks: ReadonlyArray<SimulatedWebhook>;
  /** Pushes delivered to registered webhooks so far. */
  readonly deliveries: ReadonlyArray<SimulatedDelivery>;
  /**
   * Creates one commit on `branch` (default main branch) applying the changes: string/Buffer writes, null
   * deletes; `renames` moves files (content kept unless also written). Returns the new commit hash. Creates
   * the branch from the main branch head if missing. Like Bitbucket, then delivers a `repo:push` to every
   * active registered webhook subscribed to it (signed with the hook's secret), before resolving; see `deliveries`.
   */
  commit(
    changes: Record<string, string | Buffer | null>,
    options?: { branch?: string; message?: string; renames?: ReadonlyArray<readonly [from: string, to: string]> },
  ): Promise<string>;
  /** Creates (or moves) branch `name` at `fromCommit`. */
  createBranch(name: string, fromCommit: string): Promise<void>;
  /** Deletes a branch. */
  deleteBranch(name: string): Promise<void>;
  /**
   * Moves a branch to any commit (history rewrite); the old commits stay reachable by hash only if something
   * else references them — emulate "cursor commit no longer exists" by `forgetCommit(hash)` making /diffstat
   * and /src answer 404 for it.
   */
  forcePush(branch: string, commit: string): Promise<void>;
  /** Makes the API answer 404 for this commit from now on. */
  forgetCommit(hash: string): void;
  /** Changes the repository's main branch (`mainbranch.name`). */
  setMainBranch(name: string): void;
  /** `/src` for this path answers 301 to the media host, which rejects requests carrying Authorization. */
  markLfs(path: string): void;
  /** Head commit of `branch` (default: the main branch); throws if it does not exist. */
  head(branch?: string): Promise<string>;
  /** Ground truth for tests: every file at a commit. */
  readFiles(commit: string): Promise<Map<string, Buffer>>;
  /** A repo:push body shaped like Bitbucket's real deliveries; old/new null for create/delete. */
  pushPayload(change: PushChange): Record<string, unknown>;
  /**
   * Signs the compact JSON body with signBody and POSTs it to webhookUrl with X-Event-Key: repo:push,
   * X-Request-UUID (fresh unless given), X-Attempt-Number, X-Hook-UUID, User-Agent: Bitbucket-Webhooks/2.0,
   * Content-Type: application/json, X-Hub-Signature.
   */
  deliverPush(
    webhookUrl: string,
    secret: string,
    change: PushChange,
    options?: { requestUuid?: string; attempt?: number },
  ): Promise<{ status: number; body: string }>;
}

const RATE_LIMIT_TEXT = 'Rate limit for this resource has been exceeded';
const INVALID_TOKEN = 'Token is invalid, expired, or not supported for this endpoint.';
const HTML = 'https://bitbucket.org';

interface PendingFault extends FaultRule {
  remaining: number;
}

/** Internal state of one simulated repository. */
class RepositoryState implements SimulatedRepository {
  readonly branches = new Map<string, string>();
  readonly forgotten = new Set<string>();
  readonly lfsPaths = new Set<string>();
  readonly workspaceUuid = `{${randomUUID()}}`;
  readonly projectUuid = `{${randomUUID()}}`;
  readonly hookUuid = randomUUID();
  readonly createdOn = new Date().toISOString();
  readonly webhooks: SimulatedWebhook[] = [];
  readonly deliveries: SimulatedDelivery[] = [];
  private main: string;
  // Commits on one repository are serialised: each reads and moves a branch head.
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly fullName: string,
    readonly uuid: string,
    readonly token: string,
    mainBranch: string,
    readonly scopes: readonly string[],
    readonly git: GitStore,
    private readonly apiUrl: () => string,
  ) {
    this.main = mainBranch;
  }

  get mainBranch(): string {
    return this.main;
  }

  commit(
    changes: Record<string, string | Buffer | null>,
    options: { branch?: string; message?: string; renames?: ReadonlyArray<readonly [string, string]> } = {},
  ): Promise<string> {
    const run = async (): Promise<string> => {
      const branch = options.branch ?? this.main;
      const parent = this.branches.get(branch) ?? this.branches.get(this.main);
      const writes: Array<[string, Buffer]> = [];
      const deletes: string[] = [];
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) deletes.push(path);
        else writes.push([path, typeof content === 'string' ? Buffer.from(content, 'utf8') : content]);
      }
      const hash = await this.git.commit({
        parent,
        writes,
        deletes,
        renames: options.renames ?? [],
        message: options.message ?? `Update ${Object.keys(changes).length} file(s)\n`,
      });
      const old = this.branches.get(branch) ?? null;
      this.branches.set(branch, hash);
      await this.deliverToWebhooks({ branch, oldHash: old, newHash: hash });
      return hash;
    };
    const result = this.writeQueue.then(run, run);
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /** Bitbucket delivers each push to the repository's active `repo:push` hooks, signed when the hook has a secret. */
  private async deliverToWebhooks(change: PushChange): Promise<void> {
    const hooks = this.webhooks.filter((hook) => hook.active && hook.events.includes('repo:push'));
    if (hooks.length === 0 || change.newHash === null) return;
    const body = Buffer.from(JSON.stringify(this.pushPayload(change)), 'utf8');
    for (const hook of hooks) {
      const headers = deliveryHeaders(hook.uuid.replace(/[{}]/g, ''), {});
      if (hook.secret) headers['x-hub-signature'] = signBody(hook.secret, body);
      const answer = await postJson(hook.url, body, headers).catch(() => ({ status: 0, body: '' }));
      this.deliveries.push({ hookUuid: hook.uuid, url: hook.url, commit: change.newHash, status: answer.status, body: answer.body });
    }
  }

  async createBranch(name: string, fromCommit: string): Promise<void> {
    this.requireCommit(fromCommit);
    this.branches.set(name, fromCommit);
  }

  async deleteBranch(name: string): Promise<void> {
    this.branches.delete(name);
  }

  async forcePush(branch: string, commit: string): Promise<void> {
    this.requireCommit(commit);
    this.branches.set(branch, commit);
  }

  forgetCommit(hash: string): void {
    this.forgotten.add(hash);
  }

  setMainBranch(name: string): void {
    this.main = name;
  }

  markLfs(path: string): void {
    this.lfsPaths.add(path);
  }

  async head(branch: string = this.main): Promise<string> {
    await this.writeQueue;
    const hash = this.branches.get(branch);
    if (!hash) throw new Error(`branch ${branch} does not exist in ${this.fullName}`);
    return hash;
  }

  async readFiles(commit: string): Promise<Map<string, Buffer>> {
    const tree = await this.git.tree(commit);
    const files = new Map<string, Buffer>();
    for (const [path, entry] of tree) if (entry.type === 'blob') files.set(path, await this.git.readBlob(entry.sha));
    return files;
  }

  pushPayload(change: PushChange): Record<string, unknown> {
    const lookup = (hash: string): CommitRecord => this.requireCommit(hash);
    // A push is forced when the old head is not an ancestor of the new one.
    const forced = change.oldHash !== null && change.newHash !== null && !isAncestor(change.oldHash, change.newHash, lookup);
    return buildPushPayload(
      { fullName: this.fullName, uuid: this.uuid, workspaceUuid: this.workspaceUuid, projectUuid: this.projectUuid, apiUrl: this.apiUrl() },
      change,
      lookup,
      forced,
    );
  }

  async deliverPush(
    webhookUrl: string,
    secret: string,
    change: PushChange,
    options: { requestUuid?: string; attempt?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const body = Buffer.from(JSON.stringify(this.pushPayload(change)), 'utf8');
    return postJson(webhookUrl, body, { ...deliveryHeaders(this.hookUuid, options), 'x-hub-signature': signBody(secret, body) });
  }

  /** Resolves a commit hash (full or abbreviated) or branch name the API was given; undefined if unknown or forgotten. */
  resolve(rev: string): string | undefined {
    let hash = this.branches.get(rev);
    if (!hash && /^[0-9a-f]{7,40}$/.test(rev)) {
      if (this.git.getCommit(rev)) hash = rev;
      else for (const known of this.git.commitHashes()) if (known.startsWith(rev)) hash = known;
    }
    return hash && !this.forgotten.has(hash) ? hash : undefined;
  }

  requireCommit(hash: string): CommitRecord {
    const commit = this.git.getCommit(hash);
    if (!commit) throw new Error(`unknown commit ${hash} in ${this.fullName}`);
    return commit;
  }
}

function isAncestor(ancestor: string, descendant: string, lookup: (hash: string) => CommitRecord): boolean {
  const seen = new Set<string>();
  for (const stack = [descendant]; stack.length > 0; ) {
    const hash = stack.pop() as string;
    if (hash === ancestor) return true;
    if (seen.has(hash)) continue;
    seen.add(hash);
    stack.push(...lookup(hash).parents);
  }
  return false;
}

/** A JSON or text answer plus headers. */
interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | Record<string, unknown>;
}

function errorAnswer(status: number, message: string): Answer {
  return { status, body: { type: 'error', error: { message } } };
}

/** Bitbucket's 403 for a token without a scope the endpoint needs: it names the granted and required scopes. */
function missingScope(repo: RepositoryState, scope: string): Answer {
  return {
    status: 403,
    body: { type: 'error', error: { message: 'Your credentials lack one or more required privilege scopes.', detail: { granted: [...repo.scopes], required: [scope] } } },
  };
}

/** Events a webhook may subscribe to (`webhook_subscription.events` of the OpenAPI document). */
const WEBHOOK_EVENTS = new Set([
  'issue:comment_created', 'issue:created', 'issue:updated', 'pipeline:span_created', 'project:updated', 'pullrequest:approved',
  'pullrequest:changes_request_created', 'pullrequest:changes_request_removed', 'pullrequest:comment_created',
  'pullrequest:comment_deleted', 'pullrequest:comment_reopened', 'pullrequest:comment_resolved', 'pullrequest:comment_updated',
  'pullrequest:created', 'pullrequest:fulfilled', 'pullrequest:push', 'pullrequest:rejected', 'pullrequest:unapproved',
  'pullrequest:updated', 'repo:commit_comment_created', 'repo:commit_status_created', 'repo:commit_status_updated', 'repo:created',
  'repo:deleted', 'repo:fork', 'repo:imported', 'repo:push', 'repo:transfer', 'repo:updated',
]);

/**
 * Checks a webhook body as Bitbucket does; returns the problem or undefined. Unlike Bitbucket, loopback URLs are
 * accepted (Bitbucket refuses "internal, non-routed" addresses), since the hub under test listens on 127.0.0.1.
 */
function validateWebhook(input: Record<string, unknown>, creating: boolean): string | undefined {
  if (creating || input.url !== undefined) {
    let url: URL | undefined;
    try {
      url = new URL(String(input.url));
    } catch {
      url = undefined;
    }
    if (!url || !/^https?:$/.test(url.protocol)) return `Invalid URL: ${String(input.url)}`;
  }
  if (creating || input.events !== undefined) {
    const events = input.events;
    if (!Array.isArray(events) || events.length === 0) return 'events: at least one event is required.';
    const unknown = events.find((event) => typeof event !== 'string' || !WEBHOOK_EVENTS.has(event));
    if (unknown !== undefined) return `events: unknown event ${JSON.stringify(unknown)}.`;
  }
  if (typeof input.secret === 'string' && input.secret.length > 128) return 'secret: at most 128 characters.';
  return undefined;
}

/** The request body as a JSON object, or undefined when it is not one. */
async function readJsonBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  try {
    const value = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Percent-decodes one path segment; undefined for malformed escapes. */
function decodeSegment(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

function contentTypeFor(path: string): string {
  // Bitbucket guesses from the extension and adds no charset.
  if (path.endsWith('.json')) return 'application/json';
  if (/\.(md|txt)$/.test(path)) return 'text/plain';
  return 'application/octet-stream';
}

/**
 * Starts a Bitbucket Cloud API 2.0 simulator on 127.0.0.1 (ephemeral ports) backed by real git repositories
 * in a temp folder, plus a second origin acting as Atlassian's LFS media host.
 *
 * Serves `GET /2.0/repositories/{ws}/{slug}`, `.../refs/branches/{name}`, `.../diffstat/{spec}` and
 * `.../src/{commit}/{path}` with Bitbucket's JSON shapes, bearer-token checks per repository, pagination via
 * `next`, `X-RateLimit-*` headers, and injectable faults. Every request is logged in `requests`.
 *
 * @example
 * const sim = await startBitbucketSimulator();
 * const repo = await sim.createRepository('acme/models');
 * const head = await repo.commit({ 'models/a.hck.json': '{}' });
 */
export async function startBitbucketSimulator(options: BitbucketSimulatorOptions = {}): Promise<BitbucketSimulator> {
  const root = await mkdtemp(join(tmpdir(), 'bitbucket-simulator-'));
  const repositories = new Map<string, RepositoryState>();
  const requests: SimulatorRequest[] = [];
  let faults: PendingFault[] = [];
  let closed = false;
  const delays = new Set<() => void>();
  let nearLimit = false;
  let apiUrl = '';
  let mediaUrl = '';
  const media = new Map<string, { repo: RepositoryState; sha: string; path: string }>();
  const diffstatPagelen = { default: options.pagelen?.diffstat ?? 500, max: options.pagelen?.diffstat ?? 5000 };
  const srcPagelen = { default: options.pagelen?.src ?? 10, max: options.pagelen?.src ?? 100 };

  const send = (req: IncomingMessage, res: ServerResponse, origin: SimulatorRequest['origin'], answer: Answer): void => {
    const headers: Record<string, string> = { ...answer.headers };
    let body: Buffer;
    if (Buffer.isBuffer(answer.body)) body = answer.body;
    else if (typeof answer.body === 'string') {
      body = Buffer.from(answer.body, 'utf8');
      headers['content-type'] ??= 'text/plain';
    } else if (answer.body) {
      body = Buffer.from(JSON.stringify(answer.body), 'utf8');
      headers['content-type'] ??= 'application/json; charset=utf-8';
    } else body = Buffer.alloc(0);
    if (origin === 'api') {
      headers['x-ratelimit-limit'] = '1000';
      headers['x-ratelimit-resource'] = 'api';
      if (nearLimit) headers['x-ratelimit-nearlimit'] = 'true';
    }
    headers['content-length'] = String(body.length);
    requests.push({ method: req.method ?? 'GET', path: req.url ?? '', status: answer.status, bytes: body.length, origin, authorization: req.headers.authorization !== undefined });
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  /** Applies latency rules and returns the first terminal rule that fires, if any. */
  const pickFault = async (url: string): Promise<FaultRule | undefined> => {
    for (const rule of faults) {
      if (rule.remaining <= 0) continue;
      if (rule.pathPattern) {
        rule.pathPattern.lastIndex = 0;
        if (!rule.pathPattern.test(url)) continue;
      }
      if (rule.probability !== undefined && Math.random() >= rule.probability) continue;
      rule.remaining--;
      if (rule.kind === 'latency') {
        await new Promise<void>((resolve) => {
          const timer = setTimeout(() => {
            delays.delete(release);
            resolve();
          }, rule.delayMs ?? 0);
          // close() releases delayed requests at once instead of keeping the process alive for them.
          const release = (): void => {
            clearTimeout(timer);
            resolve();
          };
          delays.add(release);
        });
        continue;
      }
      return rule;
    }
    return undefined;
  };

  const faultAnswer = (rule: FaultRule): Answer => {
    const status = rule.status ?? 500;
    const headers: Record<string, string> = {};
    if (rule.retryAfterSeconds !== undefined) headers['retry-after'] = String(rule.retryAfterSeconds);
    if (status === 429) return { status, headers, body: RATE_LIMIT_TEXT };
    if (status === 555) return { status, headers, body: { type: 'error', error: { message: 'Service Timeout: the diff is too large to compute in time.' } } };
    return { status, headers, body: { type: 'error', error: { message: `Simulated failure (HTTP ${status}).` } } };
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    const fault = await pickFault(rawUrl);
    if (closed) {
      req.socket.destroy();
      return;
    }
    if (fault?.kind === 'drop') {
      requests.push({ method: req.method ?? 'GET', path: rawUrl, status: 0, bytes: 0, origin: 'api', authorization: req.headers.authorization !== undefined });
      req.socket.destroy();
      return;
    }
    if (fault) return send(req, res, 'api', faultAnswer(fault));
    send(req, res, 'api', await route(req));
  };

  const route = async (req: IncomingMessage): Promise<Answer> => {
    const url = new URL(req.url ?? '/', apiUrl);
    const segments = url.pathname.split('/');
    if (segments[5] === 'hooks') return routeHooks(req, url, segments);
    if (req.method !== 'GET') return errorAnswer(405, 'Method not allowed by the simulator.');
    // ['', '2.0', 'repositories', ws, slug, ...rest]
    if (segments[1] !== '2.0' || segments[2] !== 'repositories' || segments.length < 5) return errorAnswer(404, 'Resource not found');
    const workspace = decodeSegment(segments[3] ?? '');
    const slug = decodeSegment(segments[4] ?? '');
    const repo = workspace && slug ? repositories.get(`${workspace}/${slug}`) : undefined;
    if (!repo) return errorAnswer(404, 'Repository not found');
    if (req.headers.authorization !== `Bearer ${repo.token}`) return errorAnswer(401, INVALID_TOKEN);
    if (!repo.scopes.includes('repository')) return missingScope(repo, 'repository');

    const rest = segments.slice(5);
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { status: 200, body: repositoryJson(repo) };
    if (rest[0] === 'refs' && rest[1] === 'branches' && rest.length >= 3) {
      const name = rest.slice(2).map(decodeSegment).join('/');
      const hash = repo.branches.get(name);
      return hash && !repo.forgotten.has(hash) ? { status: 200, body: branchJson(repo, name, hash) } : errorAnswer(404, `Branch "${name}" not found`);
    }
    if (rest[0] === 'diffstat' && rest.length === 2) return diffstat(repo, decodeSegment(rest[1] ?? '') ?? '', url);
    if (rest[0] === 'src' && rest.length >= 2) {
      const commitRev = decodeSegment(rest[1] ?? '') ?? '';
      const pathSegments = rest.slice(2).map(decodeSegment);
      if (pathSegments.some((s) => s === undefined)) return errorAnswer(400, 'Malformed path');
      const directoryRequested = pathSegments.length === 0 || pathSegments[pathSegments.length - 1] === '';
      const path = (pathSegments as string[]).filter((s, i, all) => !(s === '' && i === all.length - 1)).join('/');
      return src(repo, commitRev, path, directoryRequested, url);
    }
    return errorAnswer(404, 'Resource not found');
  };

  /** `/repositories/{ws}/{slug}/hooks[/{uid}]`: list, create, read, update and delete webhooks (scope `webhook`). */
  const routeHooks = async (req: IncomingMessage, url: URL, segments: string[]): Promise<Answer> => {
    const workspace = decodeSegment(segments[3] ?? '');
    const slug = decodeSegment(segments[4] ?? '');
    const repo = workspace && slug ? repositories.get(`${workspace}/${slug}`) : undefined;
    if (segments[1] !== '2.0' || segments[2] !== 'repositories' || !repo) return errorAnswer(404, 'Repository not found');
    if (req.headers.authorization !== `Bearer ${repo.token}`) return errorAnswer(401, INVALID_TOKEN);
    if (!repo.scopes.includes('webhook')) return missingScope(repo, 'webhook');
    const uid = segments.length > 6 ? decodeSegment(segments[6] ?? '') : undefined;
    if (segments.length > 7) return errorAnswer(404, 'Resource not found');
    const method = req.method ?? 'GET';
    if (uid === undefined || uid === '') {
      if (method === 'GET') return { status: 200, body: pageOf(repo.webhooks.map((hook) => webhookJson(repo, hook)), url, { default: 10, max: 100 }) };
      if (method !== 'POST') return errorAnswer(405, 'Method not allowed.');
      const input = await readJsonBody(req);
      const problem = input ? validateWebhook(input, true) : 'The request body is not a JSON object.';
      if (problem || !input) return errorAnswer(400, problem ?? 'Bad request');
      const hook: SimulatedWebhook = {
        uuid: `{${randomUUID()}}`,
        url: String(input.url),
        description: typeof input.description === 'string' ? input.description : '',
        active: input.active !== false,
        events: [...(input.events as string[])],
        secret: typeof input.secret === 'string' ? input.secret : '',
        createdAt: new Date().toISOString(),
      };
      repo.webhooks.push(hook);
      const location = `${apiUrl}/repositories/${encodePath(repo.fullName)}/hooks/${encodeURIComponent(hook.uuid)}`;
      return { status: 201, headers: { location }, body: webhookJson(repo, hook) };
    }
    const index = repo.webhooks.findIndex((hook) => hook.uuid === uid || hook.uuid === `{${uid}}`);
    const hook = repo.webhooks[index];
    if (!hook) return errorAnswer(404, `Webhook ${uid} not found.`);
    if (method === 'GET') return { status: 200, body: webhookJson(repo, hook) };
    if (method === 'DELETE') {
      repo.webhooks.splice(index, 1);
      return { status: 204 };
    }
    if (method !== 'PUT') return errorAnswer(405, 'Method not allowed.');
    const input = await readJsonBody(req);
    const problem = input ? validateWebhook(input, false) : 'The request body is not a JSON object.';
    if (problem || !input) return errorAnswer(400, problem ?? 'Bad request');
    // Fields left out keep their values; a secret of null or "" removes it (the API's documented semantics).
    const updated: SimulatedWebhook = {
      ...hook,
      ...(input.url !== undefined ? { url: String(input.url) } : {}),
      ...(typeof input.description === 'string' ? { description: input.description } : {}),
      ...(typeof input.active === 'boolean' ? { active: input.active } : {}),
      ...(Array.isArray(input.events) ? { events: [...(input.events as string[])] } : {}),
      ...('secret' in input ? { secret: typeof input.secret === 'string' ? input.secret : '' } : {}),
    };
    repo.webhooks[index] = updated;
    return { status: 200, body: webhookJson(repo, updated) };
  };

  const webhookJson = (repo: RepositoryState, hook: SimulatedWebhook): Record<string, unknown> => ({
    type: 'webhook_subscription',
    uuid: hook.uuid,
    url: hook.url,
    description: hook.description,
    subject_type: 'repository',
    subject: { type: 'repository', full_name: repo.fullName, uuid: repo.uuid, name: repo.fullName.split('/')[1] },
    active: hook.active,
    created_at: hook.createdAt,
    events: [...hook.events],
    secret_set: hook.secret !== '',
    links: { self: { href: `${apiUrl}/repositories/${encodePath(repo.fullName)}/hooks/${encodeURIComponent(hook.uuid)}` } },
  });

  const pageOf = <T>(items: T[], url: URL, pagelen: { default: number; max: number }): Record<string, unknown> => {
    const requested = Number(url.searchParams.get('pagelen'));
    const size = Math.max(1, Math.min(pagelen.max, Number.isInteger(requested) && requested > 0 ? requested : pagelen.default));
    const page = Math.max(1, Number(url.searchParams.get('page')) || 1);
    const values = items.slice((page - 1) * size, page * size);
    const result: Record<string, unknown> = { pagelen: size, values, page, size: items.length };
    const link = (n: number): string => {
      const next = new URL(url.href);
      next.searchParams.set('page', String(n));
      return next.href;
    };
    if (page * size < items.length) result.next = link(page + 1);
    if (page > 1) result.previous = link(page - 1);
    return result;
  };

  const diffstat = async (repo: RepositoryState, spec: string, url: URL): Promise<Answer> => {
    const [sourceRev, destinationRev, extra] = spec.split('..');
    if (extra !== undefined || !sourceRev) return errorAnswer(400, `Invalid spec ${spec}`);
    const source = repo.resolve(sourceRev);
    if (!source) return errorAnswer(404, `Commit not found: ${sourceRev}`);
    let base: string | undefined;
    if (destinationRev === undefined) base = repo.requireCommit(source).parents[0] ?? EMPTY_TREE; // one commit: against its first parent
    else {
      const destination = repo.resolve(destinationRev);
      if (!destination) return errorAnswer(404, `Commit not found: ${destinationRev}`);
      // topic=false is git's two-dot diff; otherwise a three-dot diff against the merge base.
      base = url.searchParams.get('topic') === 'false' ? destination : ((await repo.git.mergeBase(source, destination)) ?? EMPTY_TREE);
    }
    const changes = await repo.git.diff(base, source, url.searchParams.get('renames') !== 'false');
    const baseCommit = base === EMPTY_TREE ? undefined : base;
    const values = changes.map((change) => ({
      type: 'diffstat',
      status: change.status,
      lines_added: change.linesAdded,
      lines_removed: change.linesRemoved,
      old: change.oldPath !== undefined && baseCommit ? diffFileJson(repo, baseCommit, change.oldPath, change.binary) : null,
      new: change.newPath !== undefined ? diffFileJson(repo, source, change.newPath, change.binary) : null,
    }));
    return { status: 200, body: pageOf(values, url, diffstatPagelen) };
  };

  const src = async (repo: RepositoryState, commitRev: string, path: string, directoryRequested: boolean, url: URL): Promise<Answer> => {
    const commit = repo.resolve(commitRev);
    if (!commit) return errorAnswer(404, `Commit not found: ${commitRev}`);
    const tree = await repo.git.tree(commit);
    const entry = path === '' ? ({ type: 'tree', mode: '040000', sha: '', size: 0 } as TreeEntry) : tree.get(path);
    if (!entry) return errorAnswer(404, `No such file or directory: ${path}`);
    if (entry.type === 'tree') {
      const depth = Number(url.searchParams.get('max_depth') ?? '1') || 1;
      if (options.maxListDepth !== undefined && depth > options.maxListDepth) {
        return errorAnswer(555, 'Service Timeout: the directory listing took too long; use a smaller max_depth.');
      }
      const prefix = path === '' ? '' : `${path}/`;
      const baseDepth = path === '' ? 0 : path.split('/').length;
      const listed: Array<{ depth: number; json: Record<string, unknown> }> = [];
      for (const [entryPath, child] of tree) {
        if (!entryPath.startsWith(prefix)) continue;
        const relative = entryPath.split('/').length - baseDepth;
        if (relative > depth) continue;
        listed.push({ depth: relative, json: treeEntryJson(repo, commit, entryPath, child) });
      }
      // Breadth-first: every level before the next, git's order within a level (sort is stable).
      listed.sort((a, b) => a.depth - b.depth);
      return { status: 200, body: pageOf(listed.map((item) => item.json), url, srcPagelen) };
    }
    if (entry.type !== 'blob' || directoryRequested) return errorAnswer(404, `No such directory: ${path}`);
    if (repo.lfsPaths.has(path)) {
      const id = randomBytes(16).toString('hex');
      media.set(id, { repo, sha: entry.sha, path });
      return { status: 301, headers: { location: `${mediaUrl}/media/${id}/${encodePath(path.split('/').pop() ?? 'file')}` } };
    }
    const bytes = await repo.git.readBlob(entry.sha);
    return { status: 200, headers: { 'content-type': contentTypeFor(path), etag: `"${entry.sha}"` }, body: bytes };
  };

  const repositoryJson = (repo: RepositoryState): Record<string, unknown> => {
    const [workspace, slug] = repo.fullName.split('/') as [string, string];
    const api = `${apiUrl}/repositories/${encodePath(repo.fullName)}`;
    return {
      type: 'repository',
      full_name: repo.fullName,
      name: slug,
      slug,
      uuid: repo.uuid,
      description: '',
      scm: 'git',
      is_private: true,
      fork_policy: 'no_public_forks',
      language: '',
      size: 0,
      has_issues: false,
      has_wiki: false,
      created_on: repo.createdOn,
      updated_on: repo.createdOn,
      links: {
        self: { href: api },
        html: { href: `${HTML}/${repo.fullName}` },
        avatar: { href: `https://bytebucket.org/ravatar/${encodeURIComponent(repo.uuid)}` },
        commits: { href: `${api}/commits` },
        pullrequests: { href: `${api}/pullrequests` },
        hooks: { href: `${api}/hooks` },
      },
      owner: {
        type: 'team',
        display_name: workspace,
        uuid: repo.workspaceUuid,
        links: { self: { href: `${apiUrl}/workspaces/${encodeURIComponent(workspace)}` }, avatar: { href: `${HTML}/workspaces/${workspace}/avatar/` }, html: { href: `${HTML}/${workspace}/` } },
      },
      workspace: {
        type: 'workspace',
        uuid: repo.workspaceUuid,
        name: workspace,
        slug: workspace,
        links: { self: { href: `${apiUrl}/workspaces/${encodeURIComponent(workspace)}` }, html: { href: `${HTML}/${workspace}/` }, avatar: { href: `${HTML}/workspaces/${workspace}/avatar/` } },
      },
      project: {
        type: 'project',
        key: 'MOD',
        uuid: repo.projectUuid,
        name: 'Models',
        links: { html: { href: `${HTML}/${workspace}/workspace/projects/MOD` }, avatar: { href: `${HTML}/${workspace}/workspace/projects/MOD/avatar/32` } },
      },
      mainbranch: { type: 'branch', name: repo.mainBranch },
    };
  };

  const commitJson = (repo: RepositoryState, hash: string): Record<string, unknown> => {
    const commit = repo.requireCommit(hash);
    const api = `${apiUrl}/repositories/${encodePath(repo.fullName)}`;
    const commitLinks = (h: string) => ({ self: { href: `${api}/commit/${h}` }, html: { href: `${HTML}/${repo.fullName}/commits/${h}` } });
    return {
      type: 'commit',
      hash,
      date: isoDate(commit.time),
      author: { type: 'author', raw: `${AUTHOR_NAME} <${AUTHOR_EMAIL}>` },
      message: commit.message,
      summary: { raw: commit.message, markup: 'markdown', html: `<p>${commit.message.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>` },
      parents: commit.parents.map((parent) => ({ type: 'commit', hash: parent, links: commitLinks(parent) })),
      links: commitLinks(hash),
    };
  };

  const branchJson = (repo: RepositoryState, name: string, hash: string): Record<string, unknown> => {
    const api = `${apiUrl}/repositories/${encodePath(repo.fullName)}`;
    return {
      type: 'branch',
      name,
      target: commitJson(repo, hash),
      links: {
        self: { href: `${api}/refs/branches/${encodePath(name)}` },
        commits: { href: `${api}/commits/${encodePath(name)}` },
        html: { href: `${HTML}/${repo.fullName}/branch/${encodePath(name)}` },
      },
      merge_strategies: ['merge_commit', 'squash', 'fast_forward', 'squash_fast_forward', 'rebase_fast_forward', 'rebase_merge'],
      default_merge_strategy: 'merge_commit',
    };
  };

  const srcHref = (repo: RepositoryState, commit: string, path: string): string =>
    `${apiUrl}/repositories/${encodePath(repo.fullName)}/src/${commit}/${encodePath(path)}`;

  const shortCommitJson = (repo: RepositoryState, commit: string): Record<string, unknown> => ({
    type: 'commit',
    hash: commit,
    links: { self: { href: `${apiUrl}/repositories/${encodePath(repo.fullName)}/commit/${commit}` }, html: { href: `${HTML}/${repo.fullName}/commits/${commit}` } },
  });

  const fileAttributes = (repo: RepositoryState, path: string, mode: string | undefined, binary: boolean): Record<string, string> => {
    if (repo.lfsPaths.has(path)) return { attributes: 'lfs' };
    if (mode === '120000') return { attributes: 'link' };
    if (mode === '100755') return { attributes: 'executable' };
    if (mode === '160000') return { attributes: 'subrepository' };
    return binary ? { attributes: 'binary' } : {};
  };

  const diffFileJson = (repo: RepositoryState, commit: string, path: string, binary: boolean): Record<string, unknown> => ({
    path,
    escaped_path: path,
    type: 'commit_file',
    ...fileAttributes(repo, path, undefined, binary),
    links: { self: { href: srcHref(repo, commit, path) } },
  });

  const treeEntryJson = (repo: RepositoryState, commit: string, path: string, entry: TreeEntry): Record<string, unknown> => {
    if (entry.type === 'tree') {
      const href = `${srcHref(repo, commit, path)}/`;
      return { path, type: 'commit_directory', commit: shortCommitJson(repo, commit), links: { self: { href }, meta: { href: `${href}?format=meta` } } };
    }
    const href = srcHref(repo, commit, path);
    return {
      path,
      escaped_path: path,
      type: 'commit_file',
      ...fileAttributes(repo, path, entry.mode, false),
      size: entry.size,
      commit: shortCommitJson(repo, commit),
      links: { self: { href }, meta: { href: `${href}?format=meta` }, history: { href: `${apiUrl}/repositories/${encodePath(repo.fullName)}/filehistory/${commit}/${encodePath(path)}` } },
    };
  };

  const handleMedia = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Like a pre-signed object-store URL: a second credential is refused.
    if (req.headers.authorization !== undefined) return send(req, res, 'media', { status: 400, body: { message: 'Only one auth mechanism allowed; the URL is already signed.' } });
    const id = (req.url ?? '').split('/')[2] ?? '';
    const item = media.get(id);
    if (!item) return send(req, res, 'media', { status: 404, body: { message: 'Not found' } });
    const bytes = await item.repo.git.readBlob(item.sha);
    send(req, res, 'media', { status: 200, headers: { 'content-type': contentTypeFor(item.path) }, body: bytes });
  };

  const serve = (origin: SimulatorRequest['origin'], handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server =>
    createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (!res.headersSent) send(req, res, origin, errorAnswer(500, `Simulator error: ${error instanceof Error ? error.message : String(error)}`));
        else res.destroy();
      });
    });

  const apiServer = serve('api', handleApi);
  const mediaServer = serve('media', handleMedia);
  const listen = (server: Server, port = 0): Promise<number> =>
    new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, '127.0.0.1', () => resolve((server.address() as AddressInfo).port));
    });
  apiUrl = `http://127.0.0.1:${await listen(apiServer, options.port)}/2.0`;
  // A different port is a different origin: enough to prove the token is not forwarded across origins.
  mediaUrl = `http://127.0.0.1:${await listen(mediaServer)}`;

  return {
    apiUrl,
    mediaUrl,
    requests,
    async createRepository(fullName, repoOptions = {}) {
      const [workspace, slug, extra] = fullName.split('/');
      if (!workspace || !slug || extra !== undefined) throw new Error(`repository name must be "workspace/repo_slug", got ${fullName}`);
      if (repositories.has(fullName)) throw new Error(`repository ${fullName} already exists`);
      const git = await GitStore.create(join(root, `${repositories.size}.git`));
      const token = repoOptions.token ?? randomBytes(24).toString('base64url');
      const scopes = repoOptions.scopes ?? ['repository', 'webhook'];
      const repo = new RepositoryState(fullName, `{${randomUUID()}}`, token, repoOptions.mainBranch ?? 'main', scopes, git, () => apiUrl);
      repositories.set(fullName, repo);
      return repo;
    },
    addFault(rule) {
      faults.push({ ...rule, remaining: rule.times ?? Number.POSITIVE_INFINITY });
    },
    clearFaults() {
      faults = [];
    },
    setNearLimit(value) {
      nearLimit = value;
    },
    resetRequests() {
      requests.length = 0;
    },
    async close() {
      closed = true;
      for (const release of delays) release();
      for (const server of [apiServer, mediaServer]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await Promise.all([...repositories.values()].map((repo) => repo.git.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
}
