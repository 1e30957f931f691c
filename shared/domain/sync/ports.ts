// The ports the sync engine needs (source repository, model store, sync state), so the engine is pure and its
// tests run against in-memory fakes.
import type { PlannedChange } from './plan';

/** Where a repository's replication stands. Written only with a condition on `revision`. */
export interface SyncState {
  readonly uuid: string;
  /** Generation of the repository that wrote it (see `RepositoryConfig.generation`); absent before generations. */
  readonly generation?: string;
  /** Branch the cursor belongs to; a different default branch means a full sync. */
  readonly branch?: string;
  /** Last commit of `branch` whose models are fully replicated. */
  readonly cursor?: string;
  /** Model pattern the cursor was synced with; a different pattern means a full sync. */
  readonly pattern?: string;
  /** `.hubignore` text at the cursor (empty when absent), so an incremental sync needs no extra request. */
  readonly hubignore?: string;
  /** A sync that spans invocations: its target and how far it got. */
  readonly progress?: SyncProgress;
  /** Set while Bitbucket's rate limit parks the sync: the earliest time to try again. */
  readonly notBefore?: string;
  readonly lastRun?: { readonly at: string; readonly outcome: string; readonly requestUuid?: string; readonly error?: string };
  readonly revision: number;
}

export interface SyncProgress {
  readonly branch: string;
  /** The model pattern the plan was made with (progress made with another pattern is dropped). */
  readonly pattern?: string;
  readonly fromCommit: string | null;
  readonly toCommit: string;
  readonly mode: SyncMode;
  readonly startedAt: string;
  /** Every op with a key up to this one is applied. */
  readonly watermark?: string;
  /** How the plan reads the repository; a continuation keeps it (another transport's plan starts afresh). */
  readonly transport?: SyncTransport;
  /**
   * Why this target is read over REST only: its git fetch failed in a way that would repeat (the pack over the
   * memory budget, or the fetch running into the deadline), so continuations and retries do not fetch it again.
   * A transient git failure sets nothing: the next continuation of a full sync tries git again.
   */
  readonly gitSkipped?: string;
  /** Ops in the plan and ops applied so far (for progress displays: files done / total). */
  readonly total?: number;
  readonly done?: number;
  readonly counts: SyncCounts;
  readonly invocations: number;
}

/** full: every model at the target; incremental: the diff; reselect: the diff plus a changed `.hubignore`. */
export type SyncMode = 'full' | 'incremental' | 'reselect';

/** rest: listings, diffs and one download per model over the REST API; git: one shallow fetch of the head. */
export type SyncTransport = 'rest' | 'git';

export interface SyncCounts {
  added: number;
  updated: number;
  removed: number;
  renamed: number;
  invalid: number;
  tooLarge: number;
  /** Listed in the tree but not downloadable (404); any stored version is left as it was. */
  missing: number;
  /** Named like a model but no file (a symbolic link or a submodule): not stored. */
  skipped: number;
}

/** The repository in Bitbucket, as the sync engine sees it. */
export interface SourceRepository {
  /** The default branch, or undefined for an empty repository. */
  getMainBranch(): Promise<string | undefined>;
  getBranchHead(branch: string): Promise<string>;
  /** Changes from `oldCommit` to `newCommit`; throws DiffUnavailableError when Bitbucket cannot give it. */
  listChangedFiles(newCommit: string, oldCommit: string): Promise<PlannedChange[]>;
  listFiles(commit: string): Promise<string[]>;
  /**
   * Exact bytes; throws SourceFileTooLargeError above the model size limit, SourceFileMissingError on 404,
   * SourceEntryNotAFileError for a symbolic link or a submodule.
   */
  getFile(commit: string, path: string): Promise<Buffer>;
  /**
   * The whole tree at the branch's head with blob ids, in a few requests (git): present when the source can
   * give it. Throws SnapshotUnavailableError when it cannot this time (the sync then reads over REST).
   */
  snapshot?(branch: string): Promise<SourceSnapshot>;
  /**
   * How Bitbucket names the repository now, once `getMainBranch` has read it (a repository addressed by uuid may
   * have been renamed with no push since): present when the source can tell.
   */
  currentName?(): { readonly fullName: string; readonly workspaceUuid?: string } | undefined;
}

/** A branch head fetched whole: its files with their git blob ids, and their bytes read locally. */
export interface SourceSnapshot {
  /**
   * The commit actually fetched: `refs/heads/<branch>`, never a tag of the same name (the branch may have moved
   * since its head was read; the engine takes it only when REST names it the head, see `head-snapshot.ts`).
   */
  readonly commit: string;
  /** Regular files only (symlinks and submodules have no content to sync), path → git blob id. */
  readonly files: ReadonlyMap<string, string>;
  /** Exact bytes of a file of the snapshot, with the errors of `getFile` (Git LFS content is fetched as REST does). */
  readFile(path: string): Promise<Buffer>;
  /**
   * The Git LFS pointer a file of the snapshot is, read locally (no request), or undefined for ordinary content:
   * the tree names the pointer's blob id, the store the content's, and the pointer's sha256 and size tell whether
   * the stored content is the one it points at. Absent when the source cannot tell (every file is then content).
   */
  lfsPointer?(path: string): Promise<LfsPointerIdentity | undefined>;
  /** Releases the fetched data. Idempotent. */
  close(): Promise<void>;
}

/** What a Git LFS pointer names: the content's sha256 (hex) and size in bytes. */
export interface LfsPointerIdentity {
  readonly sha256: string;
  readonly size: number;
}

export interface StoredModelSummary {
  readonly path: string;
  readonly status: string;
  /** Git blob id of the stored bytes; absent when unknown (written before ids were kept): such a model is refetched. */
  readonly blobId?: string;
  /** Hex sha256 and size of the stored bytes (absent for a `too-large` record): what a Git LFS pointer names. */
  readonly sha256?: string;
  readonly size?: number;
  /**
   * Set by a verification that read the body back and a reader would get no model (chunks missing, bytes that fail
   * the record's checks): whatever its ids say, the record is rewritten.
   */
  readonly unreadableBody?: boolean;
  /** Generation of the repository that wrote it (absent before generations). */
  readonly generation?: string;
  /** The record's version (each write makes a new one): tells whether a record was rewritten since it was listed. */
  readonly version?: string;
  /**
   * Pieces of the record's entity index (`ModelRecord.indexChunks`): absent on a valid model stored before indexes
   * were kept, which a full sync or verification then rewrites (see `lacksEntityIndex`).
   */
  readonly indexChunks?: number;
}

/** A stored model as a reader gets it (see `ModelStore.readBackModels`). */
export interface ReadBackModel extends StoredModelSummary {
  /**
   * The ids of the bytes `getModel` returns; `unreadable` when it would fail; absent for a record without a body
   * (`too-large`).
   */
  readonly body?: { readonly blobId: string; readonly sha256: string; readonly size: number } | 'unreadable';
}

/**
 * The record of another generation that made a fenced write fail: a model store's conflict error carries it as
 * `heldBy`, so a writer whose own generation is current can delete exactly that record (`deleteModel` with this
 * generation and version) and write again. Such a record is a removed generation's, stranded by a writer that
 * died between its write and the undo its fence would have made.
 */
export interface ForeignGenerationRecord {
  readonly path: string;
  readonly generation: string;
  readonly version: string;
}

/**
 * Which repository generation a write belongs to. A write of generation `g` stores `g` on the record and never
 * replaces or deletes a record of another generation (ModelWriteConflictError, with `heldBy` naming that record:
 * see {@link ForeignGenerationRecord}); without it the write is unfenced (records of repositories added before
 * generations, admin tools).
 */
export interface WriteFence {
  readonly generation?: string;
}

/** The replicated models of one repository (implemented by the DynamoDB model store). */
export interface ModelStore {
  putModel(
    input: { repositoryUuid: string; path: string; commit: string; bytes: Buffer } & WriteFence,
  ): Promise<{ status: string; version: string }>;
  recordTooLarge(
    input: { repositoryUuid: string; path: string; commit: string; size: number; blobId?: string } & WriteFence,
  ): Promise<{ version: string }>;
  listModels(repositoryUuid: string): Promise<readonly StoredModelSummary[]>;
  /**
   * Every record with what a reader gets of its body: read back and checked as `getModel` checks it (chunk count,
   * size, sha256), then hashed. Reads every stored body (the partition's size in read units): verifications only.
   */
  readBackModels(repositoryUuid: string): Promise<readonly ReadBackModel[]>;
  /** Which of `paths` are stored (cheaper than listing when only a diff's paths matter). */
  existingPaths(repositoryUuid: string, paths: readonly string[]): Promise<Set<string>>;
  /** Deletes the record at `path`; with `version`, only that version (a no-op when the record is another one, never a conflict). */
  deleteModel(repositoryUuid: string, path: string, options?: WriteFence & { version?: string }): Promise<void>;
  moveModel(
    repositoryUuid: string,
    fromPath: string,
    toPath: string,
    commit: string,
    options?: WriteFence,
  ): Promise<{ version: string } | undefined>;
  removeOrphanChunks(repositoryUuid: string, options?: { olderThanMs?: number }): Promise<number>;
}

export interface SyncStateStore {
  getSyncState(uuid: string): Promise<SyncState>;
  /**
   * Writes `state` if the stored one is still at `expectedRevision` (0: none stored) and, when `state.generation`
   * is set, of that generation; else SyncStateConflictError.
   */
  putSyncState(state: Omit<SyncState, 'revision'>, expectedRevision: number): Promise<SyncState>;
}

/** Undoes sync state writes of a removed repository's work (`repository-fence.ts`). */
export interface SyncStateEraser {
  /** Deletes the state if it is still at `expected` revision and generation (a no-op otherwise). */
  deleteSyncState(uuid: string, expected: { revision: number; generation?: string }): Promise<void>;
}
