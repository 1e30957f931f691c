// Adapter between the Bitbucket client and the sync engine's SourceRepository port, so the engine stays free of
// HTTP and Bitbucket error types.
import {
  DiffUnavailableError,
  SourceDeadlineError,
  SourceFileMissingError,
  SourceFileTooLargeError,
  SourceRateLimitedError,
} from '../domain/sync/errors';
import type { PlannedChange } from '../domain/sync/plan';
import type { SourceRepository } from '../domain/sync/ports';
import type { BitbucketClient } from './bitbucket-client';
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
 * tree once.
 */
export class BitbucketSource implements SourceRepository {
  private readonly listings = new Map<string, Promise<string[]>>();

  constructor(
    private readonly client: BitbucketClient,
    private readonly fullName: string,
  ) {}

  async getMainBranch(): Promise<string | undefined> {
    return translate(async () => (await this.client.getRepository(this.fullName)).mainBranch);
  }

  getBranchHead(branch: string): Promise<string> {
    return translate(() => this.client.getBranchHead(this.fullName, branch));
  }

  async listChangedFiles(newCommit: string, oldCommit: string): Promise<PlannedChange[]> {
    return translate(async () => {
      try {
        const changes = await this.client.listChangedFiles(this.fullName, newCommit, oldCommit);
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

  listFiles(commit: string): Promise<string[]> {
    let listing = this.listings.get(commit);
    if (!listing) {
      listing = translate(() => this.client.listFiles(this.fullName, commit));
      listing.catch(() => this.listings.delete(commit));
      this.listings.set(commit, listing);
    }
    return listing;
  }

  getFile(commit: string, path: string): Promise<Buffer> {
    return translate(async () => {
      try {
        return await this.client.getFile(this.fullName, commit, path);
      } catch (error) {
        if (error instanceof BitbucketFileTooLargeError) throw new SourceFileTooLargeError(error.message, undefined);
        if (error instanceof BitbucketNotFoundError)
          throw new SourceFileMissingError(`${path} at ${commit.slice(0, 12)} cannot be downloaded (404)`);
        throw error;
      }
    });
  }
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
