// Adapter between the Bitbucket client and the sync engine's SourceRepository port, so the engine stays free of
// HTTP and Bitbucket error types.
import {
  DiffUnavailableError,
  SourceDeadlineError,
  SourceEntryNotAFileError,
  SourceFileMissingError,
  SourceFileTooLargeError,
  SourceRateLimitedError,
} from '../domain/sync/errors';
import type { PlannedChange } from '../domain/sync/plan';
import type { SourceRepository, SourceSnapshot } from '../domain/sync/ports';
import type { GitHttpStats } from '../git/undici-http';
import { openGitSnapshot, type GitSnapshotOptions } from './bitbucket-snapshot';
import type { BitbucketClient } from './bitbucket-client';
import type { RepositoryAddress } from './bitbucket-endpoints';
import type { TreeEntry } from './bitbucket-resources';
import {
  BitbucketDeadlineError,
  BitbucketDiffTooLargeError,
  BitbucketFileTooLargeError,
  BitbucketNotFoundError,
  BitbucketRateLimitedError,
} from './errors';

/**
 * Adapts the Bitbucket client to the sync engine's view of one repository: translates Bitbucket's errors into
 * the engine's (555 or a vanished commit → DiffUnavailableError, 429 → SourceRateLimitedError, the caller's
 * deadline → SourceDeadlineError) and remembers a commit's listing, which never changes, so one sync lists a
 * tree once. Given git options, it also offers the whole head as a git snapshot (`snapshot`), for full syncs and
 * large diffs.
 *
 * Symbolic links and submodules are no models: `/src` answers a link's target path (a submodule's commit) as if
 * it were the file, and diffstat entries do not say what a path is. A listed commit's entries carry their kind
 * (`attributes`), so no request is made for them; a file fetched without a listing (incremental syncs) whose
 * bytes cannot be a model (not a JSON object) is asked about once more with `?format=meta` before it is taken.
 */
export class BitbucketSource implements SourceRepository {
  /** Git traffic of this source's snapshots (git has its own rate limit, apart from the REST API's). */
  readonly gitStats: GitHttpStats = { requests: 0, bytesSent: 0, bytesReceived: 0 };
  /** Present when the source may read over git (see {@link GitSnapshotOptions}). */
  readonly snapshot?: (branch: string) => Promise<SourceSnapshot>;
  private readonly listings = new Map<string, Promise<Map<string, TreeEntry>>>();
  private cloneUrl: string | undefined;
  private named: { fullName: string; workspaceUuid?: string } | undefined;

  constructor(
    private readonly client: BitbucketClient,
    private readonly repository: RepositoryAddress,
    git?: GitSnapshotOptions,
  ) {
    if (git) this.snapshot = (branch) => this.openSnapshot(branch, git);
  }

  async getMainBranch(): Promise<string | undefined> {
    return translate(async () => {
      const repository = await this.client.getRepository(this.repository);
      this.cloneUrl = repository.cloneUrl;
      this.named = { fullName: repository.fullName, ...(repository.workspaceUuid ? { workspaceUuid: repository.workspaceUuid } : {}) };
      return repository.mainBranch;
    });
  }

  currentName(): { fullName: string; workspaceUuid?: string } | undefined {
    return this.named;
  }

  private async openSnapshot(branch: string, git: GitSnapshotOptions): Promise<SourceSnapshot> {
    // The repository read of this run named the clone URL; read it only when nothing did.
    this.cloneUrl ??= await translate(async () => (await this.client.getRepository(this.repository)).cloneUrl);
    return openGitSnapshot(this.cloneUrl, branch, git, this.gitStats, (commit, path) => this.getFile(commit, path));
  }

  getBranchHead(branch: string): Promise<string> {
    return translate(() => this.client.getBranchHead(this.repository, branch));
  }

  async listChangedFiles(newCommit: string, oldCommit: string): Promise<PlannedChange[]> {
    return translate(async () => {
      try {
        const changes = await this.client.listChangedFiles(this.repository, newCommit, oldCommit);
        return changes.map((change) => ({ ...change, contentUnchanged: renameKeepsContent(change) }));
      } catch (error) {
        if (error instanceof BitbucketDiffTooLargeError)
          throw new DiffUnavailableError(`diff ${oldCommit.slice(0, 12)}..${newCommit.slice(0, 12)} is too large for Bitbucket (555)`);
        if (error instanceof BitbucketNotFoundError)
          throw new DiffUnavailableError(`commit ${oldCommit.slice(0, 12)} no longer exists (history rewritten)`);
        throw error;
      }
    });
  }

  async listFiles(commit: string): Promise<string[]> {
    return [...(await this.listTree(commit)).keys()];
  }

  getFile(commit: string, path: string): Promise<Buffer> {
    return translate(async () => {
      const listed = await this.listedEntry(commit, path);
      if (listed && listed.kind !== 'file') throw notAFile(commit, listed);
      try {
        const bytes = await this.client.getFile(this.repository, commit, path);
        if (!listed && !startsLikeJsonObject(bytes)) {
          const entry = await this.client.getTreeEntry(this.repository, commit, path);
          if (entry.kind !== 'file') throw notAFile(commit, entry);
        }
        return bytes;
      } catch (error) {
        if (error instanceof BitbucketFileTooLargeError) {
          // The size Bitbucket announced: the download's Content-Length, else the listing's, else the file's metadata.
          const size =
            error.declaredSize ??
            listed?.size ??
            (await this.client.getTreeEntry(this.repository, commit, path).catch(() => undefined))?.size;
          throw new SourceFileTooLargeError(error.message, size);
        }
        if (error instanceof BitbucketNotFoundError)
          throw new SourceFileMissingError(`${path} at ${commit.slice(0, 12)} cannot be downloaded (404)`);
        throw error;
      }
    });
  }

  /** The listing of `commit` by path, listed once per source. */
  private listTree(commit: string): Promise<Map<string, TreeEntry>> {
    let listing = this.listings.get(commit);
    if (!listing) {
      listing = translate(async () => new Map((await this.client.listTree(this.repository, commit)).map((entry) => [entry.path, entry])));
      listing.catch(() => this.listings.delete(commit));
      this.listings.set(commit, listing);
    }
    return listing;
  }

  /** The entry of `path` when `commit` was listed already (never lists just for this). */
  private async listedEntry(commit: string, path: string): Promise<TreeEntry | undefined> {
    const listing = this.listings.get(commit);
    return listing ? (await listing.catch(() => undefined))?.get(path) : undefined;
  }
}

function notAFile(commit: string, entry: TreeEntry): SourceEntryNotAFileError {
  const kind = entry.kind === 'symlink' ? 'symlink' : 'submodule';
  return new SourceEntryNotAFileError(
    `${entry.path} at ${commit.slice(0, 12)} is a ${kind === 'symlink' ? 'symbolic link' : 'submodule'}, not a file`,
    kind,
  );
}

/** True when the first non-blank byte is `{`: every model is a JSON object, a link target or a commit hash never is. */
function startsLikeJsonObject(bytes: Buffer): boolean {
  const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0; // a UTF-8 byte order mark
  const text = bytes
    .subarray(start, start + 4096)
    .toString('latin1')
    .trimStart();
  return text.startsWith('{');
}

/**
 * Whether a rename provably kept its content, so the stored bytes can move without a refetch. Bitbucket's
 * diffstat gives no proof: it counts 0 lines added and removed for a binary file (a NUL byte, or `binary` /
 * `-diff` in `.gitattributes`) whatever changed, so a 0/0 rename may carry new bytes. Without a content hash in
 * the answer, every rename is fetched again.
 */
export function renameKeepsContent(_change: { status: string; linesAdded?: number; linesRemoved?: number }): boolean {
  return false;
}

async function translate<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (error) {
    if (error instanceof BitbucketRateLimitedError) throw new SourceRateLimitedError(error.message, error.retryAfterMs);
    if (error instanceof BitbucketDeadlineError) throw new SourceDeadlineError(error.message, { cause: error });
    throw error;
  }
}
