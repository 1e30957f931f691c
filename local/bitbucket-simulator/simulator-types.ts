/** The simulator's public vocabulary: its options, the handle tests drive it through, and what it records. */
import type { PushChange } from './webhook-payload';

/** Options of `startBitbucketSimulator`. */
export interface BitbucketSimulatorOptions {
  /**
   * Server-enforced page sizes (default and maximum), e.g. tiny pages to prove pagination is followed.
   * @default diffstat 500 (max 5000), src 10 (max 100), repositories (a workspace listing) 10 (max 100), as documented by Atlassian
   */
  pagelen?: { diffstat?: number; src?: number; repositories?: number };
  /** Largest `max_depth` a `/src` listing accepts; deeper requests answer 555 like a timed-out listing. @default unlimited */
  maxListDepth?: number;
  /** Port of the API server on 127.0.0.1 (a fixed one lets a hub be started before the simulator). @default ephemeral */
  port?: number;
}

/** A repository webhook registered through the API, with its secret (which the API itself never returns). */
export interface SimulatedWebhook {
  /** With braces, like Bitbucket. */
  readonly uuid: string;
  readonly url: string;
  readonly description: string;
  readonly active: boolean;
  readonly events: readonly string[];
  /** Empty when the hook has no secret (deliveries are then unsigned). */
  readonly secret: string;
  readonly createdAt: string;
}

/** One push delivered to a registered webhook, as Bitbucket's "View requests" would list it. */
export interface SimulatedDelivery {
  readonly hookUuid: string;
  readonly url: string;
  readonly commit: string;
  /** HTTP status of the answer; 0 when the hook's URL could not be reached. */
  readonly status: number;
  readonly body: string;
}

/** An access token covering a whole workspace (Bitbucket's workspace or project access token). */
export interface SimulatedAccessToken {
  readonly token: string;
  readonly workspace: string;
  /** `repository` reads the workspace's repositories (and lists them), `webhook` reads and writes their hooks. */
  readonly scopes: readonly string[];
}

/** A fault injection rule; see {@link BitbucketSimulator.addFault}. */
export interface FaultRule {
  /**
   * Tested against the request's raw path and query (e.g. `/2.0/repositories/a/b/diffstat/...`, or
   * `/a/b.git/git-upload-pack` for git smart HTTP). @default every request, git included
   */
  pathPattern?: RegExp;
  /** `latency` delays then serves normally; `status` answers `status`; `drop` destroys the socket unanswered. */
  kind: 'latency' | 'status' | 'drop';
  /** Status for `kind: 'status'` (429 answers in plain text like Bitbucket, others with an error JSON). */
  status?: number;
  /** Adds `Retry-After: <seconds>` to a `status` answer. */
  retryAfterSeconds?: number;
  /** Delay for `latency`. @default 0 */
  delayMs?: number;
  /** Applies to this many matching requests, then expires. @default unlimited */
  times?: number;
  /** Chance in [0, 1] of applying to a matching request. @default 1 */
  probability?: number;
}

/** One served request, for counting in tests and benchmarks. */
export interface SimulatorRequest {
  readonly method: string;
  /** Raw path and query as received. */
  readonly path: string;
  /** Status answered; 0 when the connection was dropped. */
  readonly status: number;
  /** Response body bytes. */
  readonly bytes: number;
  /** `api` for the Bitbucket REST API, `git` for git smart HTTP (its own rate limit), `media` for the Git LFS media host. */
  readonly origin: 'api' | 'git' | 'media';
  /** Whether the request carried an Authorization header. */
  readonly authorization: boolean;
}

/** A running Bitbucket Cloud simulator; see `startBitbucketSimulator`. */
export interface BitbucketSimulator {
  /** API root, e.g. `http://127.0.0.1:PORT/2.0`. */
  readonly apiUrl: string;
  /** Origin of the second host that serves Git LFS content. */
  readonly mediaUrl: string;
  /**
   * Creates an empty repository (no commits yet); `mainBranch` defaults to `main`, `token` to a random one, and
   * `scopes` (what the token may do, as a repository access token's scopes) to `repository` and `webhook`.
   */
  createRepository(
    fullName: string,
    options?: { mainBranch?: string; token?: string; scopes?: readonly string[] },
  ): Promise<SimulatedRepository>;
  /**
   * Renames or transfers a repository, as Bitbucket's repository settings do: it keeps its uuid, commits, branches
   * and webhooks under `newFullName` (`workspace/repo_slug`; another workspace is a transfer, and a workspace new
   * to the simulator gets its own uuid). Its old name answers 404 from then on, over the API and git alike; no
   * push is delivered. A transfer revokes the repository's access token, as Bitbucket does: `token` is a new one.
   */
  renameRepository(repository: Pick<SimulatedRepository, 'uuid' | 'fullName'>, newFullName: string): void;
  /** The uuid (with braces) of a workspace the simulator has a repository in, or had; undefined otherwise. */
  workspaceUuid(workspace: string): string | undefined;
  /**
   * Hands out an access token that reads every repository of `workspace` (created before or after) and lists
   * them at `GET /repositories/{workspace}`, like a workspace access token; `scopes` default to `repository`
   * and `webhook`, `token` to a random one. A repository's own token lists only that repository.
   */
  createWorkspaceToken(workspace: string, options?: { token?: string; scopes?: readonly string[] }): SimulatedAccessToken;
  /** Fault injection: each rule applies to requests whose path matches; count-limited or probabilistic. */
  addFault(rule: FaultRule): void;
  /** Removes every fault rule. */
  clearFaults(): void;
  /** While true, API answers carry `X-RateLimit-NearLimit: true`. */
  setNearLimit(nearLimit: boolean): void;
  /** Every request served so far (API and media host), in order of answer. */
  readonly requests: ReadonlyArray<SimulatorRequest>;
  /** Empties `requests`. */
  resetRequests(): void;
  /** Stops both servers and deletes the git repositories. */
  close(): Promise<void>;
}

/** A repository inside the simulator, backed by a real bare git repository. */
export interface SimulatedRepository {
  /** `{xxxxxxxx-....}` like Bitbucket. */
  readonly uuid: string;
  /** `workspace/repo_slug`, current (see `renameRepository`). */
  readonly fullName: string;
  /** Uuid (with braces) of its workspace, shared by the workspace's repositories; `workspace.uuid` in its JSON. */
  readonly workspaceUuid: string;
  /** The repository access token the API accepts for this repository. */
  readonly token: string;
  readonly mainBranch: string;
  /** Scopes of `token`: `repository` reads the repository, `webhook` reads and writes its hooks. */
  readonly scopes: readonly string[];
  /** Webhooks registered through the API (`/hooks`), in creation order, secrets included. */
  readonly webhooks: ReadonlyArray<SimulatedWebhook>;
  /** Pushes delivered to registered webhooks so far. */
  readonly deliveries: ReadonlyArray<SimulatedDelivery>;
  /**
   * Creates one commit on `branch` (default main branch) applying the changes: string/Buffer writes, null
   * deletes, `{ symlink: target }` a symbolic link, `{ submodule: hash }` a submodule; `renames` moves files (content kept unless also written). Returns the new commit hash. Creates
   * the branch from the main branch head if missing. Like Bitbucket, then delivers a `repo:push` to every
   * active registered webhook subscribed to it (signed with the hook's secret), before resolving; see `deliveries`.
   */
  commit(
    changes: Record<string, SimulatedEntry>,
    options?: { branch?: string; message?: string; renames?: ReadonlyArray<readonly [from: string, to: string]> },
  ): Promise<string>;
  /** Creates (or moves) branch `name` at `fromCommit`. */
  createBranch(name: string, fromCommit: string): Promise<void>;
  /**
   * Creates (or moves) a lightweight tag `name` at `commit`, served over git as `refs/tags/<name>` (a tag may be
   * named like a branch). No webhook is delivered for it.
   */
  createTag(name: string, commit: string): Promise<void>;
  /** Deletes a branch. */
  deleteBranch(name: string): Promise<void>;
  /**
   * Moves a branch to any commit (history rewrite); the old commits stay reachable by hash only if something
   * else references them — emulate "cursor commit no longer exists" by `forgetCommit(hash)` making /diffstat
   * and /src answer 404 for it.
   */
  forcePush(branch: string, commit: string): Promise<void>;
  /** Makes the API answer 404 for this commit from now on. */
  forgetCommit(hash: string): void;
  /** Changes the repository's main branch (`mainbranch.name`). */
  setMainBranch(name: string): void;
  /** `/src` for this path answers 301 to the media host, which rejects requests carrying Authorization. */
  markLfs(path: string): void;
  /** Head commit of `branch` (default: the main branch); throws if it does not exist. */
  head(branch?: string): Promise<string>;
  /** Ground truth for tests: every file at a commit (a Git LFS file's content, as `/src` serves it). */
  readFiles(commit: string): Promise<Map<string, Buffer>>;
  /** A repo:push body shaped like Bitbucket's real deliveries; old/new null for create/delete. */
  pushPayload(change: PushChange): Record<string, unknown>;
  /**
   * Signs the compact JSON body with signBody and POSTs it to webhookUrl with X-Event-Key: repo:push,
   * X-Request-UUID (fresh unless given), X-Attempt-Number, X-Hook-UUID, User-Agent: Bitbucket-Webhooks/2.0,
   * Content-Type: application/json, X-Hub-Signature.
   */
  deliverPush(
    webhookUrl: string,
    secret: string,
    change: PushChange,
    options?: { requestUuid?: string; attempt?: number },
  ): Promise<{ status: number; body: string }>;
}

/**
 * What a commit writes at a path: file content, a symbolic link (git mode 120000), a submodule (160000), a Git LFS
 * file (git holds its pointer; `/src` redirects to the media host, which serves the content), or null to delete.
 */
export type SimulatedEntry =
  string | Buffer | null | { readonly symlink: string } | { readonly submodule: string } | { readonly lfs: string | Buffer };
