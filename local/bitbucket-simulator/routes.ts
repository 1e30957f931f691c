/**
 * The simulator's API routes: repository, branch, diffstat, `/src` (with the LFS redirect) and webhook CRUD, with
 * Bitbucket's auth and scope checks; `{workspace}` and `{repo_slug}` are names or braced uuids.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { EMPTY_TREE, type TreeEntry } from './git-store';
import { encodePath, errorAnswer, missingScope, pageOf, type Answer, type JsonShapes } from './json-shapes';
import type { AccessTokens } from './access-tokens';
import { findRepository, inWorkspace } from './repository-lookup';
import type { RepositoryState } from './repository-state';
import type { BitbucketSimulatorOptions, SimulatedWebhook } from './simulator-types';

const INVALID_TOKEN = 'Token is invalid, expired, or not supported for this endpoint.';

/** What the routes read: the repositories, the server's URLs (known once it listens) and the LFS media table. */
export interface RouteContext {
  readonly repositories: ReadonlyMap<string, RepositoryState>;
  readonly tokens: AccessTokens;
  readonly apiUrl: () => string;
  readonly mediaUrl: () => string;
  readonly media: Map<string, { repo: RepositoryState; sha: string; path: string }>;
  readonly options: BitbucketSimulatorOptions;
  readonly shapes: JsonShapes;
}

/** The router of API requests: one Answer per request (faults are applied before it). */
export function createRouter(context: RouteContext): (req: IncomingMessage) => Promise<Answer> {
  const { repositories, tokens, apiUrl, mediaUrl, media, options } = context;
  const { webhookJson, repositoryJson, branchJson, diffFileJson, treeEntryJson } = context.shapes;
  const diffstatPagelen = { default: options.pagelen?.diffstat ?? 500, max: options.pagelen?.diffstat ?? 5000 };
  const srcPagelen = { default: options.pagelen?.src ?? 10, max: options.pagelen?.src ?? 100 };
  const repositoriesPagelen = { default: options.pagelen?.repositories ?? 10, max: options.pagelen?.repositories ?? 100 };

  const route = async (req: IncomingMessage): Promise<Answer> => {
    const url = new URL(req.url ?? '/', apiUrl());
    const segments = url.pathname.split('/');
    if (segments[5] === 'hooks') return routeHooks(req, url, segments);
    if (req.method !== 'GET') return errorAnswer(405, 'Method not allowed by the simulator.');
    // ['', '2.0', 'repositories', ws, slug, ...rest]
    if (segments[1] === '2.0' && segments[2] === 'repositories' && (segments.length === 4 || (segments.length === 5 && segments[4] === '')))
      return listWorkspace(req, decodeSegment(segments[3] ?? '') ?? '', url);
    if (segments[1] !== '2.0' || segments[2] !== 'repositories' || segments.length < 5) return errorAnswer(404, 'Resource not found');
    const repo = findRepository(repositories, decodeSegment(segments[3] ?? ''), decodeSegment(segments[4] ?? ''));
    if (!repo) return errorAnswer(404, 'Repository not found');
    const granted = tokens.grantOn(req.headers.authorization, repo);
    if (!granted) return errorAnswer(401, INVALID_TOKEN);
    if (!granted.includes('repository')) return missingScope(granted, 'repository');

    const rest = segments.slice(5);
    if (rest.length === 0 || (rest.length === 1 && rest[0] === '')) return { status: 200, body: repositoryJson(repo) };
    if (rest[0] === 'refs' && rest[1] === 'branches' && rest.length >= 3) {
      const name = rest.slice(2).map(decodeSegment).join('/');
      const hash = repo.branches.get(name);
      return hash && !repo.forgotten.has(hash)
        ? { status: 200, body: branchJson(repo, name, hash) }
        : errorAnswer(404, `Branch "${name}" not found`);
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
    const repo = findRepository(repositories, decodeSegment(segments[3] ?? ''), decodeSegment(segments[4] ?? ''));
    if (segments[1] !== '2.0' || segments[2] !== 'repositories' || !repo) return errorAnswer(404, 'Repository not found');
    const granted = tokens.grantOn(req.headers.authorization, repo);
    if (!granted) return errorAnswer(401, INVALID_TOKEN);
    if (!granted.includes('webhook')) return missingScope(granted, 'webhook');
    const uid = segments.length > 6 ? decodeSegment(segments[6] ?? '') : undefined;
    if (segments.length > 7) return errorAnswer(404, 'Resource not found');
    const method = req.method ?? 'GET';
    if (uid === undefined || uid === '') {
      if (method === 'GET')
        return {
          status: 200,
          body: pageOf(
            repo.webhooks.map((hook) => webhookJson(repo, hook)),
            url,
            { default: 10, max: 100 },
          ),
        };
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
      const location = `${apiUrl()}/repositories/${encodePath(repo.fullName)}/hooks/${encodeURIComponent(hook.uuid)}`;
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

  /**
   * `GET /repositories/{workspace}`: the workspace's repositories the token can read, in creation order, 10 per
   * page by default (at most 100). A repository token sees its own repository only, a workspace token all of them.
   */
  const listWorkspace = (req: IncomingMessage, workspace: string, url: URL): Answer => {
    const all = [...repositories.values()];
    if (!tokens.isKnown(req.headers.authorization, all)) return errorAnswer(401, INVALID_TOKEN);
    const listed = all.filter((repo) => inWorkspace(repo, workspace));
    if (listed.length === 0) return errorAnswer(404, `No workspace with identifier '${workspace}'.`);
    const readable: RepositoryState[] = [];
    for (const repo of listed) {
      const granted = tokens.grantOn(req.headers.authorization, repo);
      if (granted && !granted.includes('repository')) return missingScope(granted, 'repository');
      if (granted) readable.push(repo);
    }
    return { status: 200, body: pageOf(readable.map(repositoryJson), url, repositoriesPagelen) };
  };

  const diffstat = async (repo: RepositoryState, spec: string, url: URL): Promise<Answer> => {
    const [sourceRev, destinationRev, extra] = spec.split('..');
    if (extra !== undefined || !sourceRev) return errorAnswer(400, `Invalid spec ${spec}`);
    const source = repo.resolve(sourceRev);
    if (!source) return errorAnswer(404, `Commit not found: ${sourceRev}`);
    let base: string | undefined;
    if (destinationRev === undefined)
      base = repo.requireCommit(source).parents[0] ?? EMPTY_TREE; // one commit: against its first parent
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
      old: change.oldPath !== undefined && baseCommit ? diffFileJson(repo, baseCommit, change.oldPath) : null,
      new: change.newPath !== undefined ? diffFileJson(repo, source, change.newPath) : null,
    }));
    return { status: 200, body: pageOf(values, url, diffstatPagelen) };
  };

  const src = async (repo: RepositoryState, commitRev: string, path: string, directoryRequested: boolean, url: URL): Promise<Answer> => {
    const commit = repo.resolve(commitRev);
    if (!commit) return errorAnswer(404, `Commit not found: ${commitRev}`);
    const tree = await repo.git.tree(commit);
    const entry = path === '' ? ({ type: 'tree', mode: '040000', sha: '', size: 0 } as TreeEntry) : tree.get(path);
    if (!entry) return errorAnswer(404, `No such file or directory: ${path}`);
    if (url.searchParams.get('format') === 'meta') return { status: 200, body: treeEntryJson(repo, commit, path, entry) };
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
      return {
        status: 200,
        body: pageOf(
          listed.map((item) => item.json),
          url,
          srcPagelen,
          { opaque: true },
        ),
      };
    }
    if (directoryRequested) return errorAnswer(404, `No such directory: ${path}`);
    // A submodule's `/src` answers the commit it points at; a symbolic link's (a blob) its target path.
    if (entry.type === 'commit') return { status: 200, headers: { 'content-type': 'text/plain' }, body: entry.sha };
    if (repo.lfsPaths.has(path) || (await repo.lfsObject(entry.sha))) {
      const id = randomBytes(16).toString('hex');
      media.set(id, { repo, sha: entry.sha, path });
      return { status: 301, headers: { location: `${mediaUrl()}/media/${id}/${encodePath(path.split('/').pop() ?? 'file')}` } };
    }
    const bytes = await repo.git.readBlob(entry.sha);
    return { status: 200, headers: { 'content-type': contentTypeFor(path), etag: `"${entry.sha}"` }, body: bytes };
  };

  return route;
}

/** Events a webhook may subscribe to (`webhook_subscription.events` of the OpenAPI document). */
const WEBHOOK_EVENTS = new Set([
  'issue:comment_created',
  'issue:created',
  'issue:updated',
  'pipeline:span_created',
  'project:updated',
  'pullrequest:approved',
  'pullrequest:changes_request_created',
  'pullrequest:changes_request_removed',
  'pullrequest:comment_created',
  'pullrequest:comment_deleted',
  'pullrequest:comment_reopened',
  'pullrequest:comment_resolved',
  'pullrequest:comment_updated',
  'pullrequest:created',
  'pullrequest:fulfilled',
  'pullrequest:push',
  'pullrequest:rejected',
  'pullrequest:unapproved',
  'pullrequest:updated',
  'repo:commit_comment_created',
  'repo:commit_status_created',
  'repo:commit_status_updated',
  'repo:created',
  'repo:deleted',
  'repo:fork',
  'repo:imported',
  'repo:push',
  'repo:transfer',
  'repo:updated',
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

export function contentTypeFor(path: string): string {
  // Bitbucket guesses from the extension and adds no charset.
  if (path.endsWith('.json')) return 'application/json';
  if (/\.(md|txt)$/.test(path)) return 'text/plain';
  return 'application/octet-stream';
}
