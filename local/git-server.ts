// A bare git repository made with the git CLI and a tiny HTTP server in front of it through the simulator's
// `git http-backend` adapter: the real protocol, for the git source's tests and its benchmark (here in the local
// runtime, which both may load; the benchmarks may not load the tests).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { checkGitAuth, parseGitRequestPath, serveGitRequest } from './bitbucket-simulator/git-http-backend';

const GIT_ENV = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  LC_ALL: 'C',
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 't@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 't@example.com',
};

/** Runs git in `cwd` and returns its stdout. */
export function git(cwd: string, args: readonly string[], input?: Buffer | string): Buffer {
  return execFileSync('git', args, { cwd, env: GIT_ENV, input, maxBuffer: 256 * 1024 * 1024 });
}

/** What goes in a test repository: file contents, symlinks (path → target) and submodule entries (path → commit). */
export interface RepositoryContent {
  files: ReadonlyMap<string, Buffer>;
  symlinks?: ReadonlyMap<string, string>;
  submodules?: ReadonlyMap<string, string>;
}

/** A bare repository `<root>/<name>.git` with one commit on `main` holding `content`; returns the commit. */
export function createBareRepository(root: string, name: string, content: RepositoryContent): string {
  const work = mkdtempSync(join(tmpdir(), 'git-work-'));
  try {
    git(work, ['init', '-q', '-b', 'main']);
    for (const [path, bytes] of content.files) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      writeFileSync(join(work, path), bytes);
    }
    for (const [path, target] of content.symlinks ?? []) {
      mkdirSync(dirname(join(work, path)), { recursive: true });
      symlinkSync(target, join(work, path));
    }
    git(work, ['add', '-A']);
    for (const [path, commit] of content.submodules ?? []) git(work, ['update-index', '--add', '--cacheinfo', `160000,${commit},${path}`]);
    git(work, ['commit', '-q', '-m', 'content']);
    git(root, ['clone', '-q', '--bare', work, `${name}.git`]);
    return git(work, ['rev-parse', 'HEAD']).toString('utf8').trim();
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

/** A local smart-HTTP git server over the bare repositories of `projectRoot`, counting the requests it served. */
export interface GitServer {
  readonly url: string;
  readonly requests: string[];
  close(): Promise<void>;
}

/** Serves `/{workspace}/{name}.git/...` from `<projectRoot>/<name>.git` for Basic `x-token-auth:<token>`. */
export async function startGitServer(projectRoot: string, token: string): Promise<GitServer> {
  const requests: string[] = [];
  const server: Server = createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    const target = parseGitRequestPath(new URL(req.url ?? '/', 'http://localhost').pathname);
    if (!target) {
      res.writeHead(404).end();
      return;
    }
    if (!checkGitAuth(req, res, (given) => given === token)) return;
    void serveGitRequest(req, res, { projectRoot, repoPath: `${target.slug}.git`, gitPath: target.gitPath });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
