/**
 * Starts the Bitbucket Cloud simulator: two HTTP servers (API and LFS media host) in front of the routes, the
 * fault injector and the request log. Repository state, JSON shapes, routes and faults live in their own modules.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AccessTokens } from './access-tokens';
import { faultAnswer, FaultInjector } from './faults';
import { isGitPath, serveGit } from './git-routes';
import { GitStore } from './git-store';
import { createJsonShapes, errorAnswer, type Answer } from './json-shapes';
import { RepositoryState } from './repository-state';
import { contentTypeFor, createRouter } from './routes';
import type { BitbucketSimulator, BitbucketSimulatorOptions, SimulatorRequest } from './simulator-types';

export type {
  BitbucketSimulator,
  BitbucketSimulatorOptions,
  FaultRule,
  SimulatedAccessToken,
  SimulatedDelivery,
  SimulatedRepository,
  SimulatedWebhook,
  SimulatorRequest,
} from './simulator-types';

/**
 * Starts a Bitbucket Cloud API 2.0 simulator on 127.0.0.1 (ephemeral ports) backed by real git repositories
 * in a temp folder, plus a second origin acting as Atlassian's LFS media host.
 *
 * Serves `GET /2.0/repositories/{ws}` (the repositories a token can read), `GET /2.0/repositories/{ws}/{slug}`,
 * `.../refs/branches/{name}`, `.../diffstat/{spec}` and `.../src/{commit}/{path}` with Bitbucket's JSON shapes,
 * bearer-token checks (repository and workspace tokens), pagination via `next`, `X-RateLimit-*` headers, and
 * injectable faults; and git smart HTTP (`/{ws}/{slug}.git/...`, the repository object's `links.clone`) through
 * `git http-backend`. In API paths `{ws}` and `{slug}` may also be uuids in braces (percent-encoded), as
 * Bitbucket allows; `renameRepository` renames or transfers a repository. Every request is logged in `requests`.
 *
 * @example
 * const sim = await startBitbucketSimulator();
 * const repo = await sim.createRepository('acme/models');
 * const head = await repo.commit({ 'models/a.hck.json': '{}' });
 */
export async function startBitbucketSimulator(options: BitbucketSimulatorOptions = {}): Promise<BitbucketSimulator> {
  const root = await mkdtemp(join(tmpdir(), 'bitbucket-simulator-'));
  const repositories = new Map<string, RepositoryState>();
  // One uuid per workspace name, like Bitbucket's workspaces (a transfer into a new name creates one).
  const workspaces = new Map<string, string>();
  const workspaceUuid = (workspace: string): string => {
    let uuid = workspaces.get(workspace);
    if (!uuid) workspaces.set(workspace, (uuid = `{${randomUUID()}}`));
    return uuid;
  };
  const requests: SimulatorRequest[] = [];
  const faults = new FaultInjector();
  const tokens = new AccessTokens();
  let closed = false;
  let created = 0;
  let nearLimit = false;
  let apiUrl = '';
  let mediaUrl = '';
  const media = new Map<string, { repo: RepositoryState; sha: string; path: string }>();
  const shapes = createJsonShapes(() => apiUrl);
  const route = createRouter({ repositories, tokens, apiUrl: () => apiUrl, mediaUrl: () => mediaUrl, media, options, shapes });

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
    requests.push({
      method: req.method ?? 'GET',
      path: req.url ?? '',
      status: answer.status,
      bytes: body.length,
      origin,
      authorization: req.headers.authorization !== undefined,
    });
    res.writeHead(answer.status, headers);
    res.end(body);
  };

  const handleApi = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const rawUrl = req.url ?? '/';
    // Git smart HTTP shares the host (like bitbucket.org) but is logged apart: it has its own rate limit.
    const origin = isGitPath(new URL(rawUrl, 'http://simulator').pathname) ? 'git' : 'api';
    const fault = await faults.pick(rawUrl);
    if (closed) {
      req.socket.destroy();
      return;
    }
    const log = (status: number, bytes: number) =>
      requests.push({
        method: req.method ?? 'GET',
        path: rawUrl,
        status,
        bytes,
        origin,
        authorization: req.headers.authorization !== undefined,
      });
    if (fault?.kind === 'drop') {
      log(0, 0);
      req.socket.destroy();
      return;
    }
    if (fault) return send(req, res, origin, faultAnswer(fault));
    if (origin === 'git') {
      const served = await serveGit(req, res, repositories, tokens);
      log(served.status, served.bytes);
      return;
    }
    send(req, res, 'api', await route(req));
  };

  const handleMedia = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    // Like a pre-signed object-store URL: a second credential is refused.
    if (req.headers.authorization !== undefined)
      return send(req, res, 'media', { status: 400, body: { message: 'Only one auth mechanism allowed; the URL is already signed.' } });
    const id = (req.url ?? '').split('/')[2] ?? '';
    const item = media.get(id);
    if (!item) return send(req, res, 'media', { status: 404, body: { message: 'Not found' } });
    const bytes = (await item.repo.lfsObject(item.sha)) ?? (await item.repo.git.readBlob(item.sha));
    send(req, res, 'media', { status: 200, headers: { 'content-type': contentTypeFor(item.path) }, body: bytes });
  };

  const serve = (origin: SimulatorRequest['origin'], handler: (req: IncomingMessage, res: ServerResponse) => Promise<void>): Server =>
    createServer((req, res) => {
      handler(req, res).catch((error: unknown) => {
        if (!res.headersSent)
          send(req, res, origin, errorAnswer(500, `Simulator error: ${error instanceof Error ? error.message : String(error)}`));
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
      const workspace = workspaceOf(fullName);
      if (repositories.has(fullName)) throw new Error(`repository ${fullName} already exists`);
      const git = await GitStore.create(join(root, `${++created}.git`));
      const token = repoOptions.token ?? randomBytes(24).toString('base64url');
      const scopes = repoOptions.scopes ?? ['repository', 'webhook'];
      const uuid = `{${randomUUID()}}`;
      const repo = new RepositoryState(
        fullName,
        uuid,
        workspaceUuid(workspace),
        token,
        repoOptions.mainBranch ?? 'main',
        scopes,
        git,
        () => apiUrl,
      );
      repositories.set(fullName, repo);
      return repo;
    },
    renameRepository(repository, newFullName) {
      const repo = [...repositories.values()].find((candidate) => candidate.uuid === repository.uuid);
      if (!repo) throw new Error(`repository ${repository.fullName} ${repository.uuid} does not exist`);
      const workspace = workspaceOf(newFullName);
      if (repositories.has(newFullName)) throw new Error(`repository ${newFullName} already exists`);
      repositories.delete(repo.fullName);
      repo.moveTo(newFullName, workspaceUuid(workspace), randomBytes(24).toString('base64url'));
      repositories.set(newFullName, repo);
    },
    workspaceUuid(workspace) {
      return workspaces.get(workspace);
    },
    createWorkspaceToken(workspace, tokenOptions) {
      return tokens.createWorkspaceToken(workspace, tokenOptions);
    },
    addFault(rule) {
      faults.add(rule);
    },
    clearFaults() {
      faults.clear();
    },
    setNearLimit(value) {
      nearLimit = value;
    },
    resetRequests() {
      requests.length = 0;
    },
    async close() {
      closed = true;
      faults.releaseDelays();
      for (const server of [apiServer, mediaServer]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
      await Promise.all([...repositories.values()].map((repo) => repo.git.close()));
      await rm(root, { recursive: true, force: true });
    },
  };
}

/** The workspace of `workspace/repo_slug`; throws for anything else. */
function workspaceOf(fullName: string): string {
  const [workspace, slug, extra] = fullName.split('/');
  if (!workspace || !slug || extra !== undefined) throw new Error(`repository name must be "workspace/repo_slug", got ${fullName}`);
  return workspace;
}
