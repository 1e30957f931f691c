// The git source's fetch: one shallow fetch of a branch head over smart HTTP (2 requests), then its tree entries
// with their blob ids and any blob's bytes, read locally from the fetched pack.
import { mkdtemp, rm } from 'node:fs/promises';
import * as nodeFs from 'node:fs';
import { join } from 'node:path';
import * as git from 'isomorphic-git';
import { Agent, type Dispatcher } from 'undici';
import { GitFetchError, redactSecrets } from './errors';
import { MemoryFs } from './memory-fs';
import { DEFAULT_PACK_LIMITS, guardUploadPack, type PackLimits } from './pack-guard';
import { createUndiciHttp, type GitHttpStats, type UndiciHttp } from './undici-http';

/** One file-like entry of the fetched tree (directories are walked, not listed). */
export interface GitTreeEntry {
  /** Path from the repository root, `/`-separated. */
  readonly path: string;
  /** Git object id: the blob id of a file or symlink, the commit of a submodule. */
  readonly oid: string;
  /** Git mode: `100644` file, `100755` executable, `120000` symlink (blob = link target), `160000` submodule. */
  readonly mode: string;
  /** `blob` for files and symlinks, `commit` for submodules. */
  readonly type: 'blob' | 'commit';
}

/** Whether an entry is a regular file (not a symlink or a submodule), i.e. has content worth syncing. */
export function isRegularFile(entry: GitTreeEntry): boolean {
  return entry.type === 'blob' && (entry.mode === '100644' || entry.mode === '100755');
}

/** Options of {@link fetchHeadSnapshot}. */
export interface FetchHeadSnapshotOptions {
  /** https clone URL without credentials (see `cloneUrlFrom`). */
  cloneUrl: string;
  /** Repository (or project/workspace) access token, sent as Basic `x-token-auth:<token>` on the first request. */
  token: string;
  /** Branch to fetch (the repository's main branch). */
  branch: string;
  /** Epoch milliseconds after which the fetch is abandoned with reason `timeout`. */
  deadline?: number;
  /** Keep the fetched pack in a fresh directory under this one (removed by `close()`) instead of in memory. */
  tmpDir?: string;
  /** Header and body inactivity timeout per request. @default 30_000 */
  requestTimeoutMs?: number;
  /** Attempts of the whole fetch when it fails transiently (unreachable, timeout, 429/5xx). @default 2 */
  maxAttempts?: number;
  /** Connection pool to use (the caller closes it); by default one is made for the fetch and closed after it. */
  dispatcher?: Dispatcher;
  /** Counters the fetch's traffic is added to, failed attempts included (the snapshot's `stats` are these then). */
  stats?: GitHttpStats;
  /** How large a pack the fetch takes in; a larger one fails with reason `too-large`. @default DEFAULT_PACK_LIMITS */
  packLimits?: PackLimits;
  /** Clock of the deadline (epoch ms). @default Date.now */
  now?: () => number;
}

/** A fetched branch head, read locally. Call `close()` to release the pack (memory or temporary directory). */
export interface HeadSnapshot {
  /** The commit actually fetched: sync to this one, not to a head read earlier. */
  readonly commit: string;
  /** Git HTTP traffic of the fetch (requests include retried attempts). */
  readonly stats: Readonly<GitHttpStats>;
  /** Every file, symlink and submodule of the commit's tree, recursively, in git's order. */
  listEntries(): Promise<GitTreeEntry[]>;
  /** The bytes of a blob of the snapshot. */
  readBlob(oid: string): Promise<Buffer>;
  /** Releases the fetched pack. Idempotent. */
  close(): Promise<void>;
}

/** Where the fetched repository lives: isomorphic-git's fs, its git dir, and how to remove it. */
interface Storage {
  fs: git.CallbackFsClient | git.PromiseFsClient;
  gitdir: string;
  dispose(): Promise<void>;
}

const TOKEN_USER = 'x-token-auth';
const DEFAULT_ATTEMPTS = 2;

/**
 * Shallow-fetches `refs/heads/<branch>` (depth 1, that branch only, never a tag of the same name, no checkout) and
 * returns the snapshot.
 * Throws {@link GitFetchError} (whose message never contains the token) when it cannot.
 */
export async function fetchHeadSnapshot(options: FetchHeadSnapshotOptions): Promise<HeadSnapshot> {
  const credentials = Buffer.from(`${TOKEN_USER}:${options.token}`, 'utf8').toString('base64');
  const authorization = `Basic ${credentials}`;
  const secrets = [options.token, credentials];
  const dispatcher = options.dispatcher ?? new Agent({ keepAliveTimeout: 10_000 });
  const now = options.now ?? Date.now;
  const http = guardedHttp(
    createUndiciHttp({
      dispatcher,
      secrets,
      now,
      ...optional('deadline', options.deadline),
      ...optional('requestTimeoutMs', options.requestTimeoutMs),
      ...optional('stats', options.stats),
    }),
    options.packLimits ?? DEFAULT_PACK_LIMITS,
  );
  const url = withoutCredentials(options.cloneUrl);
  const attempts = Math.max(1, options.maxAttempts ?? DEFAULT_ATTEMPTS);
  try {
    for (let attempt = 1; ; attempt++) {
      const storage = options.tmpDir === undefined ? memoryStorage() : await tmpStorage(options.tmpDir);
      const cache = {}; // isomorphic-git keeps the parsed pack index here: without it every read re-parses the pack
      http.packReceived = false;
      try {
        await git.init({ fs: storage.fs, dir: storage.gitdir, bare: true });
        // fetch records what it got under refs/remotes/origin/*, so it needs the remote's refspec.
        await git.addRemote({ fs: storage.fs, gitdir: storage.gitdir, remote: 'origin', url });
        const result = await git.fetch({
          fs: storage.fs,
          http,
          cache,
          gitdir: storage.gitdir,
          url,
          // The full ref name: a bare name resolves `refs/tags/<name>` before `refs/heads/<name>` (git's own order).
          ref: `refs/heads/${options.branch}`,
          singleBranch: true,
          depth: 1,
          tags: false,
          // Sent on the first request, so there is no 401 round trip; onAuth only runs if the server refuses it,
          // and then refuses to resend the same credentials (that would cost a request and fail again).
          headers: { Authorization: authorization },
          onAuth: (_url, auth) =>
            auth.headers?.Authorization === authorization ? { cancel: true } : { username: TOKEN_USER, password: options.token },
          onProgress: indexingDeadline(http, options.deadline, now),
        });
        if (!result.fetchHead) throw new GitFetchError('not-found', `branch ${options.branch} not found over git (empty repository)`);
        return openSnapshot(storage, cache, result.fetchHead, http.stats, secrets);
      } catch (error) {
        await storage.dispose();
        const failure = toGitFetchError(error, options.branch, secrets);
        const timeLeft = options.deadline === undefined || options.deadline > now();
        if (!failure.transient || attempt >= attempts || !timeLeft) throw failure;
      }
    }
  } finally {
    if (!options.dispatcher) await dispatcher.destroy().catch(() => undefined);
  }
}

/** The HTTP plugin with every upload-pack response read through the pack guard; `packReceived` once one was read whole. */
function guardedHttp(http: UndiciHttp, limits: PackLimits): UndiciHttp & { packReceived: boolean } {
  const guarded = {
    stats: http.stats,
    packReceived: false,
    async request(req: Parameters<UndiciHttp['request']>[0]) {
      const response = await http.request(req);
      if (!req.url.endsWith('/git-upload-pack') || response.statusCode !== 200) return response;
      return { ...response, body: whole(guardUploadPack(response.body, limits)) };
    },
  };
  async function* whole(body: AsyncIterable<Uint8Array>): AsyncGenerator<Uint8Array> {
    yield* body;
    guarded.packReceived = true;
  }
  return guarded;
}

/**
 * isomorphic-git indexes the pack after receiving it (CPU-bound, and long for a large one), reporting progress as it
 * goes: past the deadline, the report throws and the indexing stops. Only once the pack was received whole, and only
 * for the indexing's phases: the same callback gets the server's progress lines, whose rejection nobody awaits.
 */
function indexingDeadline(
  http: { packReceived: boolean },
  deadline: number | undefined,
  now: () => number,
): git.ProgressCallback | undefined {
  if (deadline === undefined) return undefined;
  return ({ phase }) => {
    if (!http.packReceived || (phase !== 'Receiving objects' && phase !== 'Resolving deltas')) return;
    if (now() >= deadline) throw new GitFetchError('deadline', 'git fetch: the pack was not indexed before the deadline');
  };
}

function openSnapshot(storage: Storage, cache: object, commit: string, stats: GitHttpStats, secrets: readonly string[]): HeadSnapshot {
  const { fs, gitdir } = storage;
  let closed = false;
  const guard = async <T>(what: string, read: () => Promise<T>): Promise<T> => {
    if (closed) throw new GitFetchError('protocol', `${what}: the snapshot is closed`);
    try {
      return await read();
    } catch (error) {
      throw toGitFetchError(error, what, secrets);
    }
  };
  return {
    commit,
    stats,
    listEntries: () =>
      guard(`tree of ${commit}`, async () => {
        const entries: GitTreeEntry[] = [];
        const { oid: rootTree } = await git.readTree({ fs, gitdir, cache, oid: commit });
        await walkTree(rootTree, '', entries);
        return entries;
      }),
    readBlob: (oid) =>
      guard(`blob ${oid}`, async () => {
        const { blob } = await git.readBlob({ fs, gitdir, cache, oid });
        return Buffer.from(blob.buffer, blob.byteOffset, blob.byteLength);
      }),
    close: async () => {
      if (closed) return;
      closed = true;
      // The cache holds the parsed pack (under symbol keys): drop it with the files, so the memory goes now.
      for (const key of Reflect.ownKeys(cache)) Reflect.deleteProperty(cache, key);
      await storage.dispose();
    },
  };

  // Depth first in each tree's own order: the order `git ls-tree -r` prints.
  async function walkTree(treeOid: string, prefix: string, into: GitTreeEntry[]): Promise<void> {
    const { tree } = await git.readTree({ fs, gitdir, cache, oid: treeOid });
    for (const entry of tree) {
      const path = `${prefix}${entry.path}`;
      if (entry.type === 'tree') await walkTree(entry.oid, `${path}/`, into);
      else into.push({ path, oid: entry.oid, mode: entry.mode, type: entry.type });
    }
  }
}

function memoryStorage(): Storage {
  const memory = new MemoryFs();
  return { fs: memory, gitdir: '/repository.git', dispose: async () => memory.clear() };
}

async function tmpStorage(tmpDir: string): Promise<Storage> {
  const dir = await mkdtemp(join(tmpDir, 'git-snapshot-'));
  return { fs: nodeFs, gitdir: dir, dispose: () => rm(dir, { recursive: true, force: true }) };
}

/** Maps whatever isomorphic-git (or the plugin) threw to a {@link GitFetchError}, redacted. */
function toGitFetchError(error: unknown, what: string, secrets: readonly string[]): GitFetchError {
  if (error instanceof GitFetchError) return error;
  const code = (error as { code?: unknown } | undefined)?.code;
  const message = redactSecrets(error instanceof Error ? error.message : String(error), secrets);
  if (code === 'HttpError') {
    const status = Number((error as { data?: { statusCode?: unknown } }).data?.statusCode);
    const reason =
      status === 401 || status === 403
        ? 'unauthorized'
        : status === 404
          ? 'not-found'
          : status === 429 || status >= 500
            ? 'unavailable'
            : 'protocol';
    return new GitFetchError(reason, `git fetch of ${what} answered HTTP ${status}`, { status });
  }
  if (code === 'UserCanceledError')
    return new GitFetchError('unauthorized', `git fetch of ${what}: the server refused the access token`, { status: 401 });
  if (code === 'NotFoundError') return new GitFetchError('not-found', `git fetch of ${what}: ${message}`);
  return new GitFetchError('protocol', `git fetch of ${what} failed: ${message}`);
}

function withoutCredentials(cloneUrl: string): string {
  const url = new URL(cloneUrl);
  url.username = '';
  url.password = '';
  return url.toString().replace(/\/$/, '');
}

function optional<K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> {
  return value === undefined ? {} : ({ [key]: value } as Record<K, V>);
}
