/**
 * Decides what a sync does: from the saved progress and the source, the ops that bring the stored models to
 * the target commit (the diff, a reselection after a `.hubignore` change, or a full listing), and how the
 * repository is read: over REST, or from one git snapshot for full syncs and large diffs.
 */
import { createModelSelector, HUBIGNORE_FILE } from '../../models/model-selection';
import { DiffUnavailableError, PlanDeadlineError, SnapshotUnavailableError, SourceDeadlineError, SourceEntryNotAFileError } from './errors';
import { openHeadSnapshot } from './head-snapshot';
import { planFromDiff, planFromListing, type SyncOp } from './plan';
import { planFromSnapshot } from './plan-from-snapshot';
import type { SourceRepository, SourceSnapshot, SyncMode, SyncProgress, SyncState, SyncTransport } from './ports';
import { resolveLfsPointers } from './stored-content';
import type { SyncDeps, SyncTarget } from './sync-types';
import { restHubignoreOf, snapshotHubignoreOf } from './target-hubignore';

/**
 * A diff touching more models than this is read from a git snapshot. Measured (docs/BENCHMARKS.md, "REST vs git
 * by changed models"): REST is faster up to several hundred models (git reads the whole head), but each REST
 * download spends the token's hourly budget (1,000 requests on small workspaces); 50 caps a push at ~5 % of it.
 */
export const DEFAULT_GIT_MIN_CHANGED_MODELS = 50;

/** The plan of a run and how to read what it writes. */
export interface DerivedPlan {
  readonly ops: SyncOp[];
  readonly mode: SyncMode;
  /** `.hubignore` text at the target commit. */
  readonly hubignore: string;
  /** Why the target's `.hubignore` was not applied (it is no regular file), when a plan read it and that is so. */
  readonly hubignoreNotice?: string;
  /** Why an incremental sync became a full one, when it did. */
  readonly fallbackReason?: string;
  readonly transport: SyncTransport;
  /** Why git was wanted but REST used (the snapshot failed, or is skipped for this target), when that happened. */
  readonly transportFallback?: string;
  /** Why this target stays on REST (`SyncProgress.gitSkipped`), when the snapshot failed in a way that would repeat. */
  readonly gitSkipped?: string;
  /** The commit the plan brings the models to: a snapshot's may be newer than the head read before. */
  readonly toCommit: string;
  /** A snapshot plan lists only outstanding work: applied ops drop out of it when it is derived again. */
  readonly converging: boolean;
  /** Reads a file of the target commit (from the snapshot, or from the source). */
  readFile(path: string): Promise<Buffer>;
  /** Releases the snapshot, if any. */
  close(): Promise<void>;
}

/** Which syncs read a git snapshot. */
export interface PlanOptions {
  /** An incremental sync whose diff plans more ops than this uses git, when the source offers it. */
  readonly gitMinChangedModels?: number;
}

type RestPlan = Pick<DerivedPlan, 'ops' | 'mode' | 'hubignore' | 'hubignoreNotice' | 'fallbackReason'>;

/** Why git is not used for this target (kept in the progress), as the decision is made. */
interface GitDecision {
  skipped?: string;
}

/**
 * The plan of the run. Throws {@link PlanDeadlineError} when planning runs out of the invocation's time (a git fetch
 * or a listing that reached the deadline): the caller keeps the target, and why git is skipped, for a continuation.
 */
export async function derivePlan(
  target: SyncTarget,
  progress: SyncProgress,
  state: SyncState,
  deps: SyncDeps,
  options: PlanOptions = {},
): Promise<DerivedPlan> {
  const git: GitDecision = progress.gitSkipped === undefined ? {} : { skipped: progress.gitSkipped };
  try {
    return await planWith(git, target, progress, state, deps, options);
  } catch (error) {
    if (error instanceof SourceDeadlineError && !(error instanceof PlanDeadlineError))
      throw new PlanDeadlineError(error.message, git.skipped);
    throw error;
  }
}

async function planWith(
  git: GitDecision,
  target: SyncTarget,
  progress: SyncProgress,
  state: SyncState,
  deps: SyncDeps,
  options: PlanOptions,
): Promise<DerivedPlan> {
  const threshold = options.gitMinChangedModels ?? DEFAULT_GIT_MIN_CHANGED_MODELS;
  const fullSync = progress.mode === 'full' || !progress.fromCommit;
  // A continuation keeps its transport (a REST plan's watermark means nothing to a snapshot plan and back), except a
  // full sync on REST after a transient git failure: git may be back, and its plan skips what REST already wrote.
  const gitAllowed = deps.source.snapshot !== undefined && git.skipped === undefined && (progress.transport !== 'rest' || fullSync);
  let transportFallback = git.skipped;
  const viaGit = async (mode: SyncMode, fallbackReason?: string): Promise<DerivedPlan | undefined> => {
    if (!gitAllowed || transportFallback !== undefined) return undefined;
    try {
      return { ...(await snapshotPlan(target, progress, deps)), mode, ...(fallbackReason ? { fallbackReason } : {}) };
    } catch (error) {
      if (!(error instanceof SnapshotUnavailableError)) throw error;
      transportFallback = skipGit(error, git);
      return undefined;
    }
  };
  const viaRest = (plan: RestPlan): DerivedPlan => ({
    ...plan,
    transport: 'rest',
    ...(transportFallback ? { transportFallback } : {}),
    ...(git.skipped ? { gitSkipped: git.skipped } : {}),
    toCommit: progress.toCommit,
    converging: false,
    readFile: (path) => deps.source.getFile(progress.toCommit, path),
    close: async () => undefined,
  });

  if (progress.transport === 'git' || fullSync) {
    const plan = await viaGit(fullSync ? 'full' : progress.mode);
    if (plan) return plan;
  }
  if (fullSync) return viaRest(await restListingPlan(target, progress, deps));

  let changes;
  let fallbackReason: string | undefined;
  try {
    changes = await deps.source.listChangedFiles(progress.toCommit, progress.fromCommit!);
  } catch (error) {
    if (!(error instanceof DiffUnavailableError)) throw error;
    fallbackReason = error.message;
  }
  if (!changes)
    return (await viaGit('full', fallbackReason)) ?? viaRest({ ...(await restListingPlan(target, progress, deps)), fallbackReason });

  const hubignoreChanged = changes.some((change) => change.oldPath === HUBIGNORE_FILE || change.newPath === HUBIGNORE_FILE);
  if (!hubignoreChanged && state.hubignore !== undefined) {
    const isModel = createModelSelector({ pattern: target.modelPattern, hubignore: state.hubignore });
    // Only the diff's paths matter: look them up rather than list the whole repository.
    const touched = changes.flatMap((change) => [change.oldPath, change.newPath].filter((path): path is string => path !== undefined));
    const stored = await deps.models.existingPaths(target.uuid, touched);
    const ops = planFromDiff(changes, isModel, stored);
    // Many downloads cost more (requests and time) than one fetch of the whole head.
    if (ops.length > threshold) {
      const plan = await viaGit('incremental');
      if (plan) return plan;
    }
    return viaRest({ ops, mode: 'incremental', hubignore: state.hubignore });
  }
  // A changed .hubignore re-applies to the whole tree: newly ignored models go, un-ignored ones come back.
  const reselected = await viaGit('reselect');
  if (reselected) return reselected;
  const { text: hubignore, notice } = await restHubignoreOf(deps.source, progress.toCommit);
  const isModel = createModelSelector({ pattern: target.modelPattern, hubignore });
  const changed = new Set(changes.flatMap((change) => (change.newPath && change.status !== 'removed' ? [change.newPath] : [])));
  const files = await deps.source.listFiles(progress.toCommit);
  const stored = new Set((await deps.models.listModels(target.uuid)).map((model) => model.path));
  return viaRest({ ops: planFromListing(files, isModel, stored, changed), mode: 'reselect', hubignore, ...noticed(notice) });
}

/**
 * What a failed snapshot means for the run: a transient failure falls back to REST this once; a pack over the budget
 * skips git for the whole target; a fetch that reached the deadline leaves no time, so the continuation reads over
 * REST (thrown as {@link PlanDeadlineError}). Returns the fallback's reason.
 */
function skipGit(error: SnapshotUnavailableError, git: GitDecision): string {
  switch (error.reason) {
    case 'failed':
      return `git unavailable, read over REST: ${error.message}`;
    case 'too-large':
      git.skipped = `git skipped for this target, read over REST: ${error.message}`;
      return git.skipped;
    case 'deadline':
      git.skipped = `git fetch ran into the deadline, the continuation reads over REST: ${error.message}`;
      throw new PlanDeadlineError(git.skipped, git.skipped);
  }
}

/** Every model of the listing, fetched again (Bitbucket's REST listing carries no content hash). */
async function restListingPlan(target: SyncTarget, progress: SyncProgress, deps: SyncDeps): Promise<RestPlan> {
  const { text: hubignore, notice } = await restHubignoreOf(deps.source, progress.toCommit);
  const files = await deps.source.listFiles(progress.toCommit);
  const stored = new Set((await deps.models.listModels(target.uuid)).map((model) => model.path));
  return {
    ops: planFromListing(files, createModelSelector({ pattern: target.modelPattern, hubignore }), stored, 'all'),
    mode: 'full',
    hubignore,
    ...noticed(notice),
  };
}

/** The head's tree compared with the stored blob ids: only what differs is written. */
async function snapshotPlan(target: SyncTarget, progress: SyncProgress, deps: SyncDeps): Promise<Omit<DerivedPlan, 'mode'>> {
  const snapshot = await openHeadSnapshot(deps.source, progress.branch, progress.toCommit);
  try {
    const { text: hubignore, notice } = await snapshotHubignoreOf(snapshot);
    const isModel = createModelSelector({ pattern: target.modelPattern, hubignore });
    const stored = await deps.models.listModels(target.uuid);
    // A Git LFS file's tree id is its pointer's: compared by the content the pointer names, it is no change.
    const ops = planFromSnapshot(await resolveLfsPointers(snapshot, isModel, stored), isModel, stored);
    return {
      ops,
      hubignore,
      ...noticed(notice),
      transport: 'git',
      toCommit: snapshot.commit,
      converging: true,
      readFile: (path) => snapshot.readFile(path),
      close: () => snapshot.close(),
    };
  } catch (error) {
    await snapshot.close();
    throw error;
  }
}

const noticed = (notice: string | undefined) => (notice ? { hubignoreNotice: notice } : {});

/** `.hubignore` of a snapshot's tree ('' when it has none or it is no regular file: see `target-hubignore.ts`). */
export async function snapshotHubignore(snapshot: SourceSnapshot): Promise<string> {
  return (await snapshotHubignoreOf(snapshot)).text;
}

/** A file's text at `commit`, '' when the listing lacks it or it is no regular file (a symbolic link, a submodule). */
export async function readOptionalFile(source: SourceRepository, commit: string, path: string): Promise<string> {
  const files = await source.listFiles(commit).catch(() => undefined);
  // Listing is cached by the adapter per commit, so this costs no extra request when the plan lists anyway.
  if (files && !files.includes(path)) return '';
  try {
    return (await source.getFile(commit, path)).toString('utf8');
  } catch (error) {
    if (error instanceof SourceEntryNotAFileError) return '';
    throw error;
  }
}
