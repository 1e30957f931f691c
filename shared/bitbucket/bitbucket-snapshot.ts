/**
 * The git side of the Bitbucket source: one shallow fetch of the branch head over git smart HTTP with the
 * repository's token, turned into the engine's SourceSnapshot (regular files with blob ids; Git LFS pointers'
 * content read over REST, as the REST path does). Git failures become SnapshotUnavailableError: the run reads
 * over REST instead.
 */
import { SnapshotUnavailableError, SourceEntryNotAFileError, SourceFileMissingError, SourceFileTooLargeError } from '../domain/sync/errors';
import type { SourceSnapshot } from '../domain/sync/ports';
import { fetchHeadSnapshot, isRegularFile, type GitTreeEntry } from '../git/git-snapshot';
import { GitFetchError } from '../git/errors';
import { parseLfsPointer } from '../git/lfs-pointer';
import type { GitHttpStats } from '../git/undici-http';
import type { PackLimits } from '../git/pack-guard';

/** How the git side of a source fetches. */
export interface GitSnapshotOptions {
  /** The repository's access token (`x-token-auth` Basic auth). */
  readonly token: string;
  /** Largest file read from the snapshot, as the REST client's download limit. @default 32 MiB */
  readonly maxFileBytes?: number;
  /** Timeout of each git request. @default 30 s */
  readonly requestTimeoutMs?: number;
  /** Attempts of a fetch that fails transiently (5xx, 429, dropped). @default 2 */
  readonly maxAttempts?: number;
  /** Epoch ms after which no git request goes on (the invocation's end minus its safety margin). */
  readonly deadline?: number;
  /** How large a pack the fetch takes in (over it: SnapshotUnavailableError `too-large`). @default DEFAULT_PACK_LIMITS */
  readonly packLimits?: PackLimits;
}

const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Fetches `branch` from `cloneUrl` and returns it as a snapshot; `restFile` reads a Git LFS file's real content. */
export async function openGitSnapshot(
  cloneUrl: string | undefined,
  branch: string,
  options: GitSnapshotOptions,
  stats: GitHttpStats,
  restFile: (commit: string, path: string) => Promise<Buffer>,
): Promise<SourceSnapshot> {
  if (!cloneUrl)
    throw new SnapshotUnavailableError("the repository object names no https clone URL on the configured Bitbucket's git host");
  let head;
  try {
    head = await fetchHeadSnapshot({
      cloneUrl,
      token: options.token,
      branch,
      stats,
      ...(options.requestTimeoutMs !== undefined ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
      ...(options.maxAttempts !== undefined ? { maxAttempts: options.maxAttempts } : {}),
      ...(options.deadline !== undefined ? { deadline: options.deadline } : {}),
      ...(options.packLimits !== undefined ? { packLimits: options.packLimits } : {}),
    });
  } catch (error) {
    if (error instanceof GitFetchError) throw unavailable(error);
    throw error;
  }
  const snapshot = head;
  const maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
  let files: Map<string, string>;
  let notFiles: Map<string, GitTreeEntry>;
  try {
    // Symlinks (their blob is the link target) and submodules (a commit of another repository) are no models.
    const entries = await snapshot.listEntries();
    files = new Map(entries.filter(isRegularFile).map((entry) => [entry.path, entry.oid]));
    notFiles = new Map(entries.filter((entry) => !isRegularFile(entry)).map((entry) => [entry.path, entry]));
  } catch (error) {
    await snapshot.close();
    if (error instanceof GitFetchError) throw unavailable(error);
    throw error;
  }
  return {
    commit: snapshot.commit,
    files,
    async readFile(path) {
      const oid = files.get(path);
      const other = notFiles.get(path);
      if (other) throw notAFile(other, snapshot.commit);
      if (!oid) throw new SourceFileMissingError(`${path} is not in the tree of ${snapshot.commit.slice(0, 12)}`);
      const bytes = await snapshot.readBlob(oid);
      if (parseLfsPointer(bytes)) return restFile(snapshot.commit, path);
      if (bytes.byteLength > maxFileBytes)
        throw new SourceFileTooLargeError(`${path} is larger than the limit of ${maxFileBytes} bytes`, bytes.byteLength);
      return bytes;
    },
    async lfsPointer(path) {
      const oid = files.get(path);
      return oid === undefined ? undefined : parseLfsPointer(await snapshot.readBlob(oid));
    },
    close: () => snapshot.close(),
  };
}

/** The error `getFile` gives for the same entry over REST: a symbolic link or a submodule is no file. */
function notAFile(entry: GitTreeEntry, commit: string): SourceEntryNotAFileError {
  const kind = entry.type === 'commit' ? 'submodule' : 'symlink';
  return new SourceEntryNotAFileError(
    `${entry.path} at ${commit.slice(0, 12)} is a ${kind === 'symlink' ? 'symbolic link' : 'submodule'}, not a file`,
    kind,
  );
}

/** The engine's error for a failed fetch: a pack over the budget, or the deadline, decide what later runs do. */
function unavailable(error: GitFetchError): SnapshotUnavailableError {
  const reason = error.reason === 'too-large' || error.reason === 'deadline' ? error.reason : 'failed';
  return new SnapshotUnavailableError(`${error.reason}: ${error.message}`, reason);
}
