// The simulator's git smart-HTTP endpoint: `/{workspace}/{slug}.git/...` served by `git http-backend` for the
// repository's access token (the same rules as the REST API), with the branches and tags the simulator keeps in memory.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { basename, dirname } from 'node:path';
import type { AccessTokens } from './access-tokens';
import { checkGitAuth, parseGitRequestPath, publishRefs, serveGitRequest } from './git-http-backend';
import type { RepositoryState } from './repository-state';

/** What one served git request looked like, for the simulator's request log. */
export interface ServedGitRequest {
  status: number;
  bytes: number;
}

// Per repository: the branch table last written as refs, and the publication in flight (update-ref takes locks).
const published = new WeakMap<RepositoryState, { signature: string; done: Promise<void> }>();

/** Whether `pathname` is a git smart-HTTP path (the API's own paths all start with `/2.0/`). */
export function isGitPath(pathname: string): boolean {
  return parseGitRequestPath(pathname) !== undefined;
}

/**
 * Answers one git request: 404 for an unknown repository (as Bitbucket does, before authentication), 401 with a
 * Basic challenge unless `x-token-auth:<token>` names a token of the repository (its own or its workspace's) with
 * the `repository` scope, else
 * the real `git http-backend` over the repository's bare git directory. Resolves when the answer is sent.
 */
export async function serveGit(
  req: IncomingMessage,
  res: ServerResponse,
  repositories: ReadonlyMap<string, RepositoryState>,
  tokens: AccessTokens,
): Promise<ServedGitRequest> {
  const bytes = countBytes(res);
  const target = parseGitRequestPath(new URL(req.url ?? '/', 'http://simulator').pathname);
  const repo = target ? repositories.get(`${target.workspace}/${target.slug}`) : undefined;
  if (!target || !repo) {
    res.writeHead(404, { 'content-type': 'text/plain' });
    res.end('Repository not found\n');
    return { status: 404, bytes: bytes() };
  }
  if (!checkGitAuth(req, res, (token) => tokens.scopesOf(token, repo)?.includes('repository') ?? false)) {
    return { status: res.statusCode, bytes: bytes() };
  }
  await publishBranches(repo);
  const gitDir = repo.git.gitDir;
  await serveGitRequest(req, res, { projectRoot: dirname(gitDir), repoPath: basename(gitDir), gitPath: target.gitPath });
  return { status: res.statusCode, bytes: bytes() };
}

/** Writes the simulator's branch heads and tags as refs (once per change of the branch table), after flushing fast-import. */
async function publishBranches(repo: RepositoryState): Promise<void> {
  // A branch at a forgotten commit is as unreachable over git as over REST.
  const branches = new Map([...repo.branches].filter(([, hash]) => !repo.forgotten.has(hash)));
  const tags = new Map([...repo.tags].filter(([, hash]) => !repo.forgotten.has(hash)));
  const signature = JSON.stringify([repo.mainBranch, [...branches], [...tags]]);
  const last = published.get(repo);
  if (last?.signature === signature) return last.done;
  const done = (last?.done ?? Promise.resolve())
    .catch(() => undefined)
    .then(async () => {
      await repo.git.flush();
      await publishRefs(repo.git.gitDir, branches, repo.mainBranch, tags);
    });
  published.set(repo, { signature, done });
  done.catch(() => published.delete(repo));
  return done;
}

/** Counts the body bytes written to `res` (the backend streams them). */
function countBytes(res: ServerResponse): () => number {
  let total = 0;
  const write = res.write.bind(res) as (...args: unknown[]) => boolean;
  const end = res.end.bind(res) as (...args: unknown[]) => ServerResponse;
  const count = (chunk: unknown) => {
    if (Buffer.isBuffer(chunk) || chunk instanceof Uint8Array) total += chunk.byteLength;
    else if (typeof chunk === 'string') total += Buffer.byteLength(chunk);
  };
  res.write = ((...args: unknown[]) => {
    count(args[0]);
    return write(...args);
  }) as typeof res.write;
  res.end = ((...args: unknown[]) => {
    if (typeof args[0] !== 'function') count(args[0]);
    return end(...args);
  }) as typeof res.end;
  return () => total;
}
