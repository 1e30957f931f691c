/**
 * An in-memory stand-in for one Bitbucket repository as the sync engine sees it (the `SourceRepository` port),
 * so engine tests run in milliseconds. It mirrors BitbucketSource over the real API: the same PlannedChange
 * shapes (renames detected by content, as `git diff -M` does for unchanged files), and the same errors.
 */
import { createHash } from 'node:crypto';
import { renameKeepsContent } from '../../../shared/bitbucket/bitbucket-source';
import { BitbucketNotFoundError } from '../../../shared/bitbucket/errors';
import {
  DiffUnavailableError,
  SourceDeadlineError,
  SnapshotUnavailableError,
  SourceFileMissingError,
  SourceFileTooLargeError,
  SourceEntryNotAFileError,
  SourceRateLimitedError,
} from '../../../shared/domain/sync/errors';
import type { PlannedChange } from '../../../shared/domain/sync/plan';
import type { SourceRepository, SourceSnapshot } from '../../../shared/domain/sync/ports';
import { gitBlobId } from '../../../shared/models/git-blob-id';

/** Methods of the port, as counted in `calls` and named by faults. */
export type SourceMethod = 'getMainBranch' | 'getBranchHead' | 'listChangedFiles' | 'listFiles' | 'getFile' | 'snapshot';

/** A fault to inject, like the simulator's fault rules: on `method` (and, for getFile, paths matching `path`). */
export interface SourceFault {
  readonly method: SourceMethod;
  readonly path?: RegExp;
  /**
   * rate-limit: Bitbucket's 429 after in-process retries; diff-too-large: 555; missing: 404 on a file;
   * deadline: no answer before the invocation's deadline (the client cut the request); git-unavailable: the git
   * fetch failed (refused, unreachable, failing past its retries); git-not-head: the git fetch lands on `commit`,
   * not on the head the REST API names (a git side behind the API, or a ref that resolved to something else);
   * git-too-large: the head's pack is over the fetch's budget; git-deadline: the git fetch ran into the deadline.
   */
  readonly kind:
    'rate-limit' | 'diff-too-large' | 'missing' | 'deadline' | 'git-unavailable' | 'git-not-head' | 'git-too-large' | 'git-deadline';
  readonly retryAfterMs?: number;
  /** The commit a `git-not-head` snapshot serves. */
  readonly commit?: string;
  /** How many calls fail; forever when omitted. */
  times?: number;
}

/** Largest file getFile returns (BitbucketClient's default `maxFileBytes`, 32 MiB). */
export const DEFAULT_MAX_FILE_BYTES = 32 * 1024 * 1024;

type Tree = ReadonlyMap<string, Buffer>;

/** A tree entry that is no file: git's mode 120000 (its bytes are the target path) or 160000 (a commit of another repository). */
export type SpecialEntry = { readonly symlink: string } | { readonly submodule: string };
/** What a test may write at a path: file content, a special entry, or null to delete. */
export type EntryInput = string | Buffer | null | SpecialEntry;

/** The special entry's kind and the bytes Bitbucket's `/src` answers for it (the link target, the submodule's commit). */
export function specialEntry(entry: SpecialEntry): { kind: 'symlink' | 'submodule'; bytes: Buffer } {
  return 'symlink' in entry
    ? { kind: 'symlink', bytes: Buffer.from(entry.symlink) }
    : { kind: 'submodule', bytes: Buffer.from(entry.submodule) };
}

/**
 * A git-like history: commits are immutable file maps with content-derived hashes, branches point at commits.
 * Author it like the simulator's SimulatedRepository (`commit`, `createBranch`, `forcePush`, `forgetCommit`,
 * `setMainBranch`), read it through `source()`.
 */
export class InMemoryRepository {
  readonly uuid: string;
  readonly fullName: string;
  mainBranch: string;
  /** Every call made through the port, in order (the API-call count of the real client). */
  readonly calls: Array<{ method: SourceMethod; args: readonly string[] }> = [];
  private readonly commits = new Map<string, Tree>();
  /** Per commit, the paths that are symbolic links or submodules (their bytes in the tree are what `/src` answers). */
  private readonly specials = new Map<string, ReadonlyMap<string, 'symlink' | 'submodule'>>();
  private readonly branches = new Map<string, string>();
  /** Tags, as the simulator keeps them: a snapshot names `refs/heads/<branch>`, so a tag never stands in for a branch. */
  readonly tags = new Map<string, string>();
  private readonly forgotten = new Set<string>();
  private readonly faults: SourceFault[] = [];
  /** Paths held in Git LFS: git has a pointer to the content, which the snapshot downloads over REST. */
  private readonly lfsPaths = new Set<string>();
  private sequence = 0;

  constructor(options: { uuid?: string; fullName?: string; mainBranch?: string } = {}) {
    this.uuid = options.uuid ?? `{${randomHex(8)}-0000-4000-8000-${randomHex(12)}}`;
    this.fullName = options.fullName ?? 'acme/models';
    this.mainBranch = options.mainBranch ?? 'main';
  }

  /**
   * Creates one commit on `branch` (default: the main branch, created from it when missing): string/Buffer
   * writes, null deletes, `renames` move files (content kept unless also written). Returns the commit hash.
   */
  async commit(
    changes: Record<string, EntryInput>,
    options: { branch?: string; renames?: ReadonlyArray<readonly [string, string]> } = {},
  ): Promise<string> {
    const branch = options.branch ?? this.mainBranch;
    const parent = this.branches.get(branch) ?? this.branches.get(this.mainBranch);
    const files = new Map(parent ? this.commits.get(parent)! : []);
    for (const [from, to] of options.renames ?? []) {
      const content = files.get(from);
      if (!content) throw new Error(`cannot rename ${from}: no such file`);
      files.delete(from);
      files.set(to, content);
    }
    const kinds = new Map(parent ? this.specials.get(parent) : []);
    for (const [from, to] of options.renames ?? []) {
      const kind = kinds.get(from);
      kinds.delete(from);
      if (kind) kinds.set(to, kind);
    }
    for (const [path, content] of Object.entries(changes)) {
      kinds.delete(path);
      if (content === null) files.delete(path);
      else if (typeof content === 'string' || Buffer.isBuffer(content)) files.set(path, Buffer.from(content));
      else {
        const { kind, bytes } = specialEntry(content);
        files.set(path, bytes);
        kinds.set(path, kind);
      }
    }
    this.sequence += 1;
    const hash = createHash('sha1')
      .update(`${this.uuid}:${this.sequence}:${parent ?? ''}`)
      .digest('hex');
    this.commits.set(hash, files);
    this.specials.set(hash, kinds);
    this.branches.set(branch, hash);
    return hash;
  }

  async createBranch(name: string, fromCommit: string): Promise<void> {
    if (!this.commits.has(fromCommit)) throw new Error(`no commit ${fromCommit}`);
    this.branches.set(name, fromCommit);
  }

  async createTag(name: string, commit: string): Promise<void> {
    if (!this.commits.has(commit)) throw new Error(`no commit ${commit}`);
    this.tags.set(name, commit);
  }

  async forcePush(branch: string, commit: string): Promise<void> {
    await this.createBranch(branch, commit);
  }

  /** The commit answers 404 from now on (history rewritten and garbage-collected). */
  forgetCommit(hash: string): void {
    this.forgotten.add(hash);
  }

  setMainBranch(name: string): void {
    this.mainBranch = name;
  }

  async head(branch = this.mainBranch): Promise<string> {
    const hash = this.branches.get(branch);
    if (!hash) throw new Error(`no branch ${branch}`);
    return hash;
  }

  /** Ground truth for tests: every regular file at a commit (symbolic links and submodules left out). */
  async readFiles(commit: string): Promise<Map<string, Buffer>> {
    return new Map([...(this.tree(commit) ?? [])].filter(([path]) => !this.specialKind(commit, path)));
  }

  /** @internal 'symlink' or 'submodule' when `path` is one at `commit`. */
  specialKind(commit: string, path: string): 'symlink' | 'submodule' | undefined {
    return this.specials.get(commit)?.get(path);
  }

  /** From now on, `path` is a Git LFS file (as the simulator's `markLfs`; here the snapshot lists the pointer's id). */
  markLfs(path: string): void {
    this.lfsPaths.add(path);
  }

  addFault(fault: SourceFault): void {
    this.faults.push({ ...fault });
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  /**
   * The port, as BitbucketSource gives it; `maxFileBytes` is the client's download limit. With `git`, the source
   * also offers snapshots of a branch head (one `snapshot` call, reads counted as `readBlob`, not as `getFile`).
   */
  source(options: { maxFileBytes?: number; git?: boolean } = {}): SourceRepository {
    const source = new InMemorySource(this, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES);
    if (!options.git) return source;
    return Object.assign(source, { snapshot: (branch: string) => this.snapshotOf(branch, options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES) });
  }

  /** Blob reads from snapshots (local reads of a fetched pack: no request). */
  blobReads = 0;

  /**
   * As the git adapter's snapshot: the tree of `refs/heads/<branch>` now (or of a `git-not-head` fault's commit),
   * regular files only with their blob ids; reading a symbolic link or a submodule fails as getFile does.
   */
  private async snapshotOf(branch: string, maxFileBytes: number): Promise<SourceSnapshot> {
    const served = this.enter('snapshot', branch)?.commit;
    const commit = served ?? this.branches.get(branch);
    const tree = commit === undefined ? undefined : this.tree(commit);
    if (commit === undefined || !tree) throw new SnapshotUnavailableError(`not-found: branch ${branch} not found over git`);
    const lfs = (path: string) => (this.lfsPaths.has(path) && tree.has(path) ? lfsPointerOf(tree.get(path)!) : undefined);
    const regular = [...tree].filter(([path]) => !this.specialKind(commit, path));
    const files = new Map(regular.map(([path, bytes]) => [path, gitBlobId(lfs(path)?.text ?? bytes)]));
    return {
      commit,
      files,
      lfsPointer: async (path) => lfs(path)?.pointer,
      readFile: async (path) => {
        const bytes = tree.get(path);
        const kind = this.specialKind(commit, path);
        if (kind) throw notAFile(path, commit, kind);
        if (!bytes) throw new SourceFileMissingError(`${path} is not in the tree of ${commit.slice(0, 12)}`);
        this.blobReads += 1; // as the adapter, which reads a blob only for a file of the tree
        if (lfs(path)) this.enter('getFile', commit, path); // the content comes over REST (`/src`, redirected)
        if (bytes.byteLength > maxFileBytes) throw new SourceFileTooLargeError(`${path} is larger than the limit`, bytes.byteLength);
        return Buffer.from(bytes);
      },
      close: async () => undefined,
    };
  }

  /** @internal the source's view; undefined for unknown or forgotten commits. */
  tree(commit: string): Tree | undefined {
    return this.forgotten.has(commit) ? undefined : this.commits.get(commit);
  }

  /** @internal the live branch table (including branches of forgotten commits, as Bitbucket keeps the ref). */
  branchHead(branch: string): string | undefined {
    return this.branches.get(branch);
  }

  /** @internal records a call and throws the first matching fault (returns one that changes the answer instead). */
  enter(method: SourceMethod, ...args: string[]): SourceFault | undefined {
    this.calls.push({ method, args });
    const fault = this.faults.find(
      (candidate) =>
        candidate.method === method &&
        (candidate.path === undefined || candidate.path.test(args[args.length - 1] ?? '')) &&
        (candidate.times ?? 1) > 0,
    );
    if (!fault) return undefined;
    if (fault.times !== undefined) fault.times -= 1;
    switch (fault.kind) {
      case 'rate-limit': {
        const retryAfterMs = fault.retryAfterMs ?? 60_000;
        throw new SourceRateLimitedError(
          `Bitbucket rate limit exceeded (repository ${this.fullName}); retry in about ${Math.ceil(retryAfterMs / 1000)} s.`,
          retryAfterMs,
        );
      }
      case 'diff-too-large':
        throw new DiffUnavailableError(`diff ${args[1]?.slice(0, 12)}..${args[0]?.slice(0, 12)} is too large for Bitbucket (555)`);
      case 'missing':
        throw new SourceFileMissingError(`${args[1]} at ${args[0]?.slice(0, 12)} cannot be downloaded (404)`);
      case 'deadline':
        throw new SourceDeadlineError(`No time left before the deadline to fetch ${method} in repository ${this.fullName}.`);
      case 'git-unavailable':
        throw new SnapshotUnavailableError('unavailable: git fetch answered HTTP 503');
      case 'git-not-head':
        return fault;
      case 'git-too-large':
        throw new SnapshotUnavailableError('too-large: git fetch stopped: the pack is larger than 50331648 bytes', 'too-large');
      case 'git-deadline':
        throw new SnapshotUnavailableError('deadline: git POST git-upload-pack was not answered before the deadline', 'deadline');
    }
  }
}

class InMemorySource implements SourceRepository {
  /** Like BitbucketSource, one listing per commit and source: a commit's tree never changes. */
  private readonly listings = new Map<string, Promise<string[]>>();

  constructor(
    private readonly repo: InMemoryRepository,
    private readonly maxFileBytes: number,
  ) {}

  async getMainBranch(): Promise<string | undefined> {
    this.repo.enter('getMainBranch');
    // Bitbucket names no main branch for a repository without commits.
    return this.repo.branchHead(this.repo.mainBranch) ? this.repo.mainBranch : undefined;
  }

  async getBranchHead(branch: string): Promise<string> {
    this.repo.enter('getBranchHead', branch);
    const hash = this.repo.branchHead(branch);
    if (!hash) throw new BitbucketNotFoundError(`Branch "${branch}" not found in repository ${this.repo.fullName}.`, this.repo.fullName);
    return hash;
  }

  async listChangedFiles(newCommit: string, oldCommit: string): Promise<PlannedChange[]> {
    this.repo.enter('listChangedFiles', newCommit, oldCommit);
    const after = this.repo.tree(newCommit);
    const before = this.repo.tree(oldCommit);
    if (!after || !before) throw new DiffUnavailableError(`commit ${oldCommit.slice(0, 12)} no longer exists (history rewritten)`);
    return diffTrees(before, after);
  }

  listFiles(commit: string): Promise<string[]> {
    let listing = this.listings.get(commit);
    if (!listing) {
      listing = (async () => {
        this.repo.enter('listFiles', commit);
        const tree = this.repo.tree(commit);
        if (!tree) throw new BitbucketNotFoundError(`Commit ${commit} not found in repository ${this.repo.fullName}.`, this.repo.fullName);
        return [...tree.keys()];
      })();
      listing.catch(() => this.listings.delete(commit));
      this.listings.set(commit, listing);
    }
    return listing;
  }

  async getFile(commit: string, path: string): Promise<Buffer> {
    this.repo.enter('getFile', commit, path);
    const bytes = this.repo.tree(commit)?.get(path);
    if (!bytes) throw new SourceFileMissingError(`${path} at ${commit.slice(0, 12)} cannot be downloaded (404)`);
    const kind = this.repo.specialKind(commit, path);
    if (kind) throw notAFile(path, commit, kind);
    if (bytes.byteLength > this.maxFileBytes)
      throw new SourceFileTooLargeError(
        `File ${JSON.stringify(path)} in repository ${this.repo.fullName} is larger than the limit of ${this.maxFileBytes} bytes.`,
        bytes.byteLength, // what Bitbucket announces (Content-Length, the listing's size)
      );
    return Buffer.from(bytes);
  }
}

function notAFile(path: string, commit: string, kind: 'symlink' | 'submodule'): SourceEntryNotAFileError {
  return new SourceEntryNotAFileError(`${path} at ${commit.slice(0, 12)} is a ${kind === 'symlink' ? 'symbolic link' : 'submodule'}`, kind);
}

/**
 * The diffstat of two trees as Bitbucket reports it, turned into changes as BitbucketSource does: git pairs a
 * removed and an added path as a rename when their contents are identical or at least half alike (`git diff -M`),
 * and counts 0 lines added and removed for a binary file (a NUL byte) whatever changed.
 */
export function diffTrees(before: Tree, after: Tree): PlannedChange[] {
  const changes: Array<PlannedChange & { linesAdded: number; linesRemoved: number }> = [];
  const removed = [...before.keys()].filter((path) => !after.has(path)).sort();
  const added = [...after.keys()].filter((path) => !before.has(path)).sort();
  const unpaired = new Set(added);
  const pairs = new Map<string, string>();
  // Exact renames first, then renames with edits, as git pairs them.
  const pair = (alike: (old: Buffer, next: Buffer) => boolean) => {
    for (const oldPath of removed.filter((path) => !pairs.has(path))) {
      const newPath = [...unpaired].find((candidate) => alike(before.get(oldPath)!, after.get(candidate)!));
      if (newPath === undefined) continue;
      unpaired.delete(newPath);
      pairs.set(oldPath, newPath);
    }
  };
  pair((old, next) => old.equals(next));
  pair((old, next) => similarity(old, next) >= 0.5);
  const change = (status: PlannedChange['status'], oldPath: string | undefined, newPath: string | undefined) => {
    const delta = lineDelta(
      oldPath === undefined ? Buffer.alloc(0) : before.get(oldPath)!,
      newPath === undefined ? Buffer.alloc(0) : after.get(newPath)!,
    );
    const binary = [oldPath && before.get(oldPath), newPath && after.get(newPath)].some((bytes) => bytes && bytes.includes(0));
    const counted = binary ? { linesAdded: 0, linesRemoved: 0 } : delta;
    const paths = { ...(oldPath === undefined ? {} : { oldPath }), ...(newPath === undefined ? {} : { newPath }) };
    changes.push({ status, ...paths, ...counted, contentUnchanged: renameKeepsContent({ status, ...counted }) });
  };
  for (const oldPath of removed) {
    const newPath = pairs.get(oldPath);
    change(newPath === undefined ? 'removed' : 'renamed', oldPath, newPath);
  }
  for (const newPath of unpaired) change('added', undefined, newPath);
  for (const [path, content] of after) {
    const old = before.get(path);
    if (old && !old.equals(content)) change('modified', path, path);
  }
  return changes.sort((a, b) => (a.newPath ?? a.oldPath!).localeCompare(b.newPath ?? b.oldPath!));
}

/** Share of lines two versions have in common (git's similarity index, roughly). */
function similarity(old: Buffer, next: Buffer): number {
  const total = lineCount(old) + lineCount(next);
  if (total === 0) return 1;
  const { linesAdded, linesRemoved } = lineDelta(old, next);
  return (total - linesAdded - linesRemoved) / total;
}

function lines(bytes: Buffer): string[] {
  const text = bytes.toString('utf8');
  return text === '' ? [] : text.replace(/\n$/, '').split('\n');
}

function lineCount(bytes: Buffer): number {
  return lines(bytes).length;
}

/** Lines only in the new and only in the old version (a multiset difference; git's numstat for simple edits). */
function lineDelta(old: Buffer, next: Buffer): { linesAdded: number; linesRemoved: number } {
  const remaining = new Map<string, number>();
  for (const line of lines(old)) remaining.set(line, (remaining.get(line) ?? 0) + 1);
  let linesAdded = 0;
  for (const line of lines(next)) {
    const left = remaining.get(line) ?? 0;
    if (left > 0) remaining.set(line, left - 1);
    else linesAdded += 1;
  }
  const linesRemoved = [...remaining.values()].reduce((sum, count) => sum + count, 0);
  return { linesAdded, linesRemoved };
}

/** The Git LFS pointer git keeps instead of `content`, and what it names. */
function lfsPointerOf(content: Buffer): { text: Buffer; pointer: { sha256: string; size: number } } {
  const pointer = { sha256: createHash('sha256').update(content).digest('hex'), size: content.byteLength };
  const text = `version https://git-lfs.github.com/spec/v1\noid sha256:${pointer.sha256}\nsize ${pointer.size}\n`;
  return { text: Buffer.from(text), pointer };
}

function randomHex(length: number): string {
  return createHash('sha1').update(String(Math.random())).digest('hex').slice(0, length);
}
