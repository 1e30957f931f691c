/**
 * The Bitbucket Cloud client the worker and the CLI use: one object per token that composes the transport,
 * the repository reads and the webhook calls, so callers keep a single, stable API.
 */
import type { RepositoryAddress } from './bitbucket-endpoints';
import * as resources from './bitbucket-resources';
import type { BitbucketApi, BitbucketRepositoryInfo, FileChange, TreeEntry } from './bitbucket-resources';
import { BitbucketTransport, type BitbucketClientStats, type BitbucketTransportOptions } from './bitbucket-transport';
import * as webhooks from './bitbucket-webhooks';
import type { BitbucketWebhook, BitbucketWebhookInput } from './bitbucket-webhooks';
import { listWorkspaceRepositories, type WorkspaceRepository } from './bitbucket-workspace';

const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

/** Options of {@link BitbucketClient}; only `baseUrl` and `token` are required. */
export interface BitbucketClientOptions extends BitbucketTransportOptions {
  /** Largest file `getFile` downloads; larger ones abort with `BitbucketFileTooLargeError`. @default 32 MiB */
  maxFileBytes?: number;
  /** Initial `max_depth` of recursive listings; halved on 555 (listing timed out). @default 10 */
  listMaxDepth?: number;
}

/**
 * Reads repositories, branches, diffstats and files from the Bitbucket Cloud REST API 2.0 with a repository
 * access token.
 *
 * Retries 429, 5xx, dropped connections and timeouts with exponential backoff and full jitter, honours
 * `Retry-After` (seconds or HTTP date), paces itself while `X-RateLimit-NearLimit` is reported, follows
 * pagination through `next` links and redirects itself (the token only ever goes to `baseUrl`'s origin, so a
 * Git LFS redirect to Atlassian's media host is followed without it). Throws the errors in `./errors`.
 *
 * Repository methods take a name (`workspace/repo_slug`) or a `RepositoryRef` (bitbucket-endpoints.ts): one that
 * knows the uuids of the repository and its workspace is addressed by them (a renamed or transferred repository is
 * still found), and messages name it by its full name either way.
 *
 * @example
 * const client = new BitbucketClient({ baseUrl: 'https://api.bitbucket.org/2.0', token });
 * const changes = await client.listChangedFiles('acme/models', newHash, oldHash);
 */
export class BitbucketClient {
  /** Traffic counters since construction. */
  readonly stats: BitbucketClientStats;

  private readonly api: BitbucketApi;
  private readonly maxFileBytes: number;
  private readonly listMaxDepth: number;

  constructor(options: BitbucketClientOptions) {
    if (!options.token) throw new TypeError('BitbucketClient needs a non-empty access token');
    const base = new URL(options.baseUrl);
    const transport = new BitbucketTransport(options);
    this.api = { transport, baseUrl: base.href.replace(/\/+$/, '') };
    this.stats = transport.stats;
    this.maxFileBytes = options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.listMaxDepth = Math.max(1, options.listMaxDepth ?? 10);
  }

  /** Reads the repository's uuid, current full name and main branch (`GET /repositories/{workspace}/{repo_slug}`). */
  getRepository(repository: RepositoryAddress): Promise<BitbucketRepositoryInfo> {
    return resources.getRepository(this.api, repository);
  }

  /**
   * Lists the repositories of `workspace` that the token can read (`GET /repositories/{workspace}`, every page),
   * sorted by slug. A repository access token sees only its own repository; a project or workspace token, more.
   */
  listWorkspaceRepositories(workspace: string): Promise<WorkspaceRepository[]> {
    return listWorkspaceRepositories(this.api, workspace);
  }

  /** Returns the commit hash `branch` points at now (`GET .../refs/branches/{name}`); 404 if it does not exist. */
  getBranchHead(repository: RepositoryAddress, branch: string): Promise<string> {
    return resources.getBranchHead(this.api, repository, branch);
  }

  /**
   * Lists the files that differ between `oldCommit` and `newCommit` as a plain two-dot tree difference
   * (`GET .../diffstat/{new}..{old}?topic=false`; Bitbucket's spec order is the reverse of git's), following
   * every `next` page. Correct after force pushes too, since no merge base is involved.
   * Throws `BitbucketDiffTooLargeError` when Bitbucket times out computing it.
   */
  listChangedFiles(repository: RepositoryAddress, newCommit: string, oldCommit: string): Promise<FileChange[]> {
    return resources.listChangedFiles(this.api, repository, newCommit, oldCommit);
  }

  /**
   * Lists every file path (not directories; symbolic links and submodules included) in the tree of `commit`.
   * See {@link listTree}.
   */
  async listFiles(repository: RepositoryAddress, commit: string): Promise<string[]> {
    return (await this.listTree(repository, commit)).map((entry) => entry.path);
  }

  /**
   * Lists every non-directory entry in the tree of `commit`, recursively, with its kind (file, symbolic link,
   * submodule, from the entry's `attributes`) and size.
   *
   * Uses breadth-first listings of `/src/{commit}/{dir}/?max_depth=N` (N = `listMaxDepth`), follows `next`
   * pages, and lists again below directories at the depth limit. When Bitbucket times out (555) on a deep
   * listing, N is halved for that directory down to 1.
   */
  listTree(repository: RepositoryAddress, commit: string): Promise<TreeEntry[]> {
    return resources.listTree(this.api, repository, commit, this.listMaxDepth);
  }

  /** What `path` is at `commit` (file, symbolic link or submodule) and its size (`GET .../src/{commit}/{path}?format=meta`). */
  getTreeEntry(repository: RepositoryAddress, commit: string, path: string): Promise<TreeEntry> {
    return resources.getTreeEntry(this.api, repository, commit, path);
  }

  /**
   * Downloads the exact bytes of `path` at `commit` (`GET .../src/{commit}/{path}`), following a Git LFS
   * redirect to another origin without the token. Aborts with `BitbucketFileTooLargeError` beyond
   * `maxFileBytes`.
   */
  getFile(repository: RepositoryAddress, commit: string, path: string): Promise<Buffer> {
    return resources.getFile(this.api, repository, commit, path, this.maxFileBytes);
  }

  /** Lists the repository's webhooks (`GET .../hooks`, every page). Needs the `webhook` scope. */
  listWebhooks(repository: RepositoryAddress): Promise<BitbucketWebhook[]> {
    return webhooks.listWebhooks(this.api, repository);
  }

  /**
   * Creates a webhook (`POST .../hooks`, answered 201). Never retried after the request may have reached
   * Bitbucket (a retry could create a second hook); callers find an existing hook first and update it instead.
   */
  createWebhook(repository: RepositoryAddress, input: BitbucketWebhookInput): Promise<BitbucketWebhook> {
    return webhooks.createWebhook(this.api, repository, input);
  }

  /** Replaces a webhook's settings (`PUT .../hooks/{uid}`); without `secret` the stored secret is kept. */
  updateWebhook(repository: RepositoryAddress, uid: string, input: BitbucketWebhookInput): Promise<BitbucketWebhook> {
    return webhooks.updateWebhook(this.api, repository, uid, input);
  }

  /** Deletes a webhook (`DELETE .../hooks/{uid}`, answered 204). Throws BitbucketNotFoundError when it is gone already. */
  deleteWebhook(repository: RepositoryAddress, uid: string): Promise<void> {
    return webhooks.deleteWebhook(this.api, repository, uid);
  }
}
