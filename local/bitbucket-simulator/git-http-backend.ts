// Serves git smart HTTP (read only) for a bare repository on disk the way Bitbucket Cloud does, by running
// `git http-backend` (a CGI program shipped with git) once per request.
import { spawn } from 'node:child_process';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { runGit } from './git-store';

/** Options of {@link serveGitRequest}. */
export interface GitRequestTarget {
  /** Directory holding the bare repositories (`GIT_PROJECT_ROOT`). */
  projectRoot: string;
  /** The repository's directory relative to `projectRoot`, e.g. `0.git`. */
  repoPath: string;
  /** The smart-HTTP part of the request path after the repository: `/info/refs` or `/git-upload-pack`. */
  gitPath: string;
  /** User name the request authenticated as (`REMOTE_USER`). @default 'x-token-auth' */
  remoteUser?: string;
}

/** A smart-HTTP request path split into the repository and the git endpoint, e.g. `/acme/models.git/info/refs`. */
export interface GitRequestPath {
  workspace: string;
  slug: string;
  gitPath: '/info/refs' | '/git-upload-pack';
}

/** Realm Bitbucket Cloud names in its git Basic challenge. */
export const GIT_AUTH_REALM = 'Bitbucket.org HTTP';

// Isolated from the machine's git configuration, like the simulator's own git calls.
const BACKEND_ENV: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
};

/**
 * Recognises `/{workspace}/{slug}.git/info/refs` and `/{workspace}/{slug}.git/git-upload-pack` (the `.git` suffix is
 * optional, as on Bitbucket). Dumb-HTTP paths and `git-receive-pack` (pushes) are not served: undefined.
 */
export function parseGitRequestPath(pathname: string): GitRequestPath | undefined {
  const match = /^\/([^/]+)\/([^/]+?)(?:\.git)?(\/info\/refs|\/git-upload-pack)$/.exec(pathname);
  if (!match?.[1] || !match[2] || !match[3]) return undefined;
  return { workspace: decodeURIComponent(match[1]), slug: decodeURIComponent(match[2]), gitPath: match[3] as GitRequestPath['gitPath'] };
}

/**
 * Checks `Authorization: Basic x-token-auth:<token>` against `isAllowedToken`. On refusal, answers 401 with
 * Bitbucket's Basic challenge and returns false; the caller then stops.
 */
export function checkGitAuth(req: IncomingMessage, res: ServerResponse, isAllowedToken: (token: string) => boolean): boolean {
  const header = req.headers.authorization ?? '';
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  const decoded = match?.[1] ? Buffer.from(match[1], 'base64').toString('utf8') : '';
  const colon = decoded.indexOf(':');
  if (colon > 0 && decoded.slice(0, colon) === 'x-token-auth' && isAllowedToken(decoded.slice(colon + 1))) return true;
  res.writeHead(401, { 'WWW-Authenticate': `Basic realm="${GIT_AUTH_REALM}"`, 'Content-Type': 'text/plain' });
  res.end('Unauthorized\n');
  return false;
}

/**
 * Runs `git http-backend` for one request: CGI environment from the request, request body to its stdin
 * (gzip bodies are inflated by git itself via `HTTP_CONTENT_ENCODING`), CGI headers and body back to `res`.
 * Resolves when the answer is complete.
 */
export function serveGitRequest(req: IncomingMessage, res: ServerResponse, target: GitRequestTarget): Promise<void> {
  const query = (req.url ?? '').includes('?') ? (req.url ?? '').slice((req.url ?? '').indexOf('?') + 1) : '';
  const env: NodeJS.ProcessEnv = {
    ...BACKEND_ENV,
    GIT_PROJECT_ROOT: target.projectRoot,
    GIT_HTTP_EXPORT_ALL: '1',
    PATH_INFO: `/${target.repoPath}${target.gitPath}`,
    PATH_TRANSLATED: join(target.projectRoot, target.repoPath) + target.gitPath,
    QUERY_STRING: query,
    REQUEST_METHOD: req.method ?? 'GET',
    CONTENT_TYPE: req.headers['content-type'] ?? '',
    REMOTE_USER: target.remoteUser ?? 'x-token-auth',
    REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
    GATEWAY_INTERFACE: 'CGI/1.1',
    ...(req.headers['git-protocol'] ? { GIT_PROTOCOL: String(req.headers['git-protocol']) } : {}),
    ...(req.headers['content-length'] ? { CONTENT_LENGTH: req.headers['content-length'] } : {}),
    ...(req.headers['content-encoding'] ? { HTTP_CONTENT_ENCODING: req.headers['content-encoding'] } : {}),
  };
  return new Promise((resolve) => {
    const child = spawn('git', ['http-backend'], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stderr = '';
    let head = Buffer.alloc(0);
    let headersSent = false;
    const fail = (message: string) => {
      if (!res.headersSent) res.writeHead(500, { 'Content-Type': 'text/plain' });
      res.end(res.headersSent ? undefined : `${message}\n`);
    };
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString('utf8');
    });
    child.stdout.on('data', (chunk: Buffer) => {
      if (headersSent) {
        res.write(chunk);
        return;
      }
      head = Buffer.concat([head, chunk]);
      const cgi = splitCgiHead(head);
      if (!cgi) return;
      headersSent = true;
      res.writeHead(cgi.status, cgi.headers);
      if (cgi.rest.length > 0) res.write(cgi.rest);
    });
    child.on('error', (error) => {
      fail(`git http-backend could not start: ${error.message}`);
      resolve();
    });
    child.on('close', (code) => {
      if (!headersSent) fail(`git http-backend exited (${code}) without an answer: ${stderr.trim()}`);
      else res.end();
      resolve();
    });
    child.stdin.on('error', () => undefined); // it may answer (e.g. an error) before reading the whole body
    req.pipe(child.stdin);
  });
}

/** Splits CGI output at the blank line: `Status:` becomes the HTTP status, the other lines headers. */
function splitCgiHead(output: Buffer): { status: number; headers: Record<string, string>; rest: Buffer } | undefined {
  let end = output.indexOf('\r\n\r\n');
  let separator = 4;
  const lf = output.indexOf('\n\n');
  if (lf >= 0 && (end < 0 || lf < end)) {
    end = lf;
    separator = 2;
  }
  if (end < 0) return undefined;
  let status = 200;
  const headers: Record<string, string> = {};
  for (const line of output.subarray(0, end).toString('latin1').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10) || 500;
    else headers[name] = value;
  }
  return { status, headers, rest: output.subarray(end + separator) };
}

/**
 * Makes a repository's branches and tags visible to `git http-backend`: the simulator keeps them in memory, so
 * before serving it writes them as `refs/heads/*` and `refs/tags/*` (deleting those that no longer exist) and
 * points `HEAD` at the main branch. The commits' objects must already be on disk (a fast-import checkpoint).
 */
export async function publishRefs(
  gitDir: string,
  branches: ReadonlyMap<string, string>,
  mainBranch: string,
  tags: ReadonlyMap<string, string> = new Map(),
): Promise<void> {
  const wanted = new Map([
    ...[...branches].map(([name, hash]): [string, string] => [`refs/heads/${name}`, hash]),
    ...[...tags].map(([name, hash]): [string, string] => [`refs/tags/${name}`, hash]),
  ]);
  const existing = (await runGit(gitDir, ['for-each-ref', '--format=%(refname)', 'refs/heads/', 'refs/tags/']))
    .toString('utf8')
    .split('\n')
    .filter(Boolean);
  const commands = [
    ...existing.filter((ref) => !wanted.has(ref)).map((ref) => `delete ${ref}\n`),
    ...[...wanted].map(([ref, hash]) => `update ${ref} ${hash}\n`),
  ];
  if (commands.length > 0) await runGit(gitDir, ['update-ref', '--stdin'], Buffer.from(commands.join(''), 'utf8'));
  await runGit(gitDir, ['symbolic-ref', 'HEAD', `refs/heads/${mainBranch}`]);
}
