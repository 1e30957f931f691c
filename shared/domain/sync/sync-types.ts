/** The inputs and the report of one repository sync, shared by the orchestrator and the modules it calls. */
import type { SyncOp } from './plan';
import type { DriftSummary } from './replica-drift';
import type { ModelStore, SourceRepository, SyncCounts, SyncMode, SyncStateStore, SyncTransport } from './ports';

/** Time kept in reserve for the op in flight and the checkpoint, unless the caller says otherwise. */
export const DEFAULT_SAFETY_MARGIN_MS = 60_000;

export interface SyncTarget {
  readonly uuid: string;
  readonly fullName: string;
  /** The workspace's uuid, when stored (see RepositoryConfig): the source then addresses the repository by uuids. */
  readonly workspaceUuid?: string;
  readonly modelPattern: string;
  /** The stored access token the source opens the repository with (opaque here; see RepositoryConfig). */
  readonly tokenId?: string;
  /** The repository's generation (`RepositoryConfig.generation`): every write of the sync is fenced by it. */
  readonly generation?: string;
}

export interface SyncOptions {
  /** Milliseconds left in this invocation; the sync checkpoints and stops before it runs out. */
  readonly remainingTimeMs: () => number;
  /** `full` ignores the cursor; `fromCommit` diffs from that commit (admin actions). */
  readonly mode?: 'incremental' | 'full';
  readonly fromCommit?: string;
  readonly requestUuid?: string;
  /** Admin actions run even while a rate limit parks the repository. */
  readonly ignoreNotBefore?: boolean;
  /** Parallel file fetches and writes. @default 8 */
  readonly concurrency?: number;
  /** Time kept in reserve for the op in flight and the checkpoint. @default 60000 */
  readonly safetyMarginMs?: number;
  /** An incremental sync whose diff plans more ops than this reads a git snapshot instead. @default 50 */
  readonly gitMinChangedModels?: number;
  /** Checkpoint after this many applied ops. @default 100 */
  readonly checkpointEvery?: number;
  readonly now?: () => Date;
  /** Called after each applied op (tests stop a sync at chosen points through it). */
  readonly onOpApplied?: (op: SyncOp) => void | Promise<void>;
}

/** `blocked`: the repository's content keeps it from syncing (see `blockedReason`); a push that fixes it syncs. */
export type SyncOutcome = 'up-to-date' | 'synced' | 'partial' | 'deferred' | 'no-branch' | 'blocked';

export interface SyncReport {
  readonly outcome: SyncOutcome;
  readonly branch?: string;
  readonly fromCommit: string | null;
  readonly toCommit?: string;
  readonly mode?: SyncMode;
  /** Why an incremental sync became a full one, when it did. */
  readonly fallbackReason?: string;
  /** How the repository was read; absent when no plan was made. */
  readonly transport?: SyncTransport;
  /** Why git was wanted but REST used, when that happened. */
  readonly transportFallback?: string;
  /** Why the `.hubignore` the run read was not applied (it is no regular file), when that happened. */
  readonly hubignoreNotice?: string;
  readonly counts: SyncCounts;
  readonly opsApplied: number;
  readonly opsRemaining: number;
  readonly retryAfterMs?: number;
  /** What keeps a `blocked` repository from syncing and how to fix it (e.g. a `.hubignore` over the limits). */
  readonly blockedReason?: string;
  /** True when this run finished a plan made in an earlier invocation: the branch may have moved since. */
  readonly continued?: boolean;
  /**
   * True when this run read the branch head and targets it (or found it synced): every push made before the run
   * is covered by it or its continuations. False for a run that only went on with an older plan.
   */
  readonly readHead?: boolean;
  /** The comparison of the stored models with the head's tree, on a verification run only. */
  readonly verification?: VerificationReport;
}

/**
 * How a verification ended: `no-drift` (compared, nothing differed but maybe backfills), `drift` (compared,
 * differences found and `repaired` of them written) or `not-verified` (not compared this time, with `reason`).
 */
export interface VerificationReport {
  readonly status: 'no-drift' | 'drift' | 'not-verified';
  /** Why the run could not verify. */
  readonly reason?: string;
  /** The commit compared with (the cursor, equal to the tree's commit). */
  readonly commit?: string;
  /** How the tree was read: a git snapshot, or a REST listing and download of every model. */
  readonly via?: SyncTransport;
  /** Models of the tree compared. */
  readonly models: number;
  readonly drift?: DriftSummary;
  /** Records stored without a blob id, rewritten with one (not drift). */
  readonly backfilled: number;
  /** Ops of the repair applied. */
  readonly repaired: number;
  /** Models of the tree that could not be read and were left as stored. */
  readonly uncompared: number;
  /** True when the repair stopped before its end: the cursor was dropped, so the next sync is a full one. */
  readonly repairIncomplete?: boolean;
}

/** A verification's options: a sync's, and how far a comparison over REST may go when git is unavailable. */
export interface VerifyOptions extends SyncOptions {
  /** Without git, compare over REST only up to this many models (one download each). @default 100 */
  readonly restVerifyMaxModels?: number;
}

export interface SyncDeps {
  readonly source: SourceRepository;
  readonly models: ModelStore;
  readonly state: SyncStateStore;
  /** Told what a run commits, before its cursor moves (the change records); absent: no records are kept. */
  readonly changes?: SyncChanges;
}

/** The target a sync committed: what the `Repository Synced` record says. */
export interface SyncedTarget {
  readonly branch: string;
  readonly fromCommit: string | null;
  readonly toCommit: string;
  readonly mode: SyncMode;
  readonly transport?: SyncTransport;
  /** When the target was chosen (kept by continuations and retries): with `toCommit`, names the sync. */
  readonly startedAt: string;
}

/** Where a run's committed changes go (`shared/domain/changes/commit-changes.ts`). */
export interface SyncChanges {
  /** The whole plan is applied and the cursor moves to `sync.toCommit` next. */
  synced(sync: SyncedTarget): Promise<void>;
  /** A verification compared the replica with the synced commit (and repaired what differed). */
  verified(verification: VerificationReport): Promise<void>;
}

export const zeroCounts = (): SyncCounts => ({
  added: 0,
  updated: 0,
  removed: 0,
  renamed: 0,
  invalid: 0,
  tooLarge: 0,
  missing: 0,
  skipped: 0,
});

export const addCounts = (a: SyncCounts, b: SyncCounts): SyncCounts => ({
  added: a.added + b.added,
  updated: a.updated + b.updated,
  removed: a.removed + b.removed,
  renamed: a.renamed + b.renamed,
  invalid: a.invalid + b.invalid,
  tooLarge: a.tooLarge + b.tooLarge,
  missing: a.missing + b.missing,
  // Progress saved before this count existed lacks it.
  skipped: (a.skipped ?? 0) + (b.skipped ?? 0),
});

/**
 * Two passes of one run reported as one: a second pass that found the head synced adds nothing but the fact that it
 * read it; otherwise its target and outcome, with the first pass's start and the counts and ops of both.
 */
export function combineReports(first: SyncReport, next: SyncReport, continued: boolean): SyncReport {
  if (next.outcome === 'up-to-date') return { ...first, readHead: true };
  return {
    ...next,
    fromCommit: first.fromCommit,
    counts: addCounts(first.counts, next.counts),
    opsApplied: first.opsApplied + next.opsApplied,
    continued,
  };
}
