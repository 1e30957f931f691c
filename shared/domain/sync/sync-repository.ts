import { createModelSelector } from '../../models/model-selection';
import { HUBIGNORE_FILE } from '../repository-config';
import { DiffUnavailableError, SourceFileMissingError, SourceFileTooLargeError, SourceRateLimitedError } from './errors';
import { planFromDiff, planFromListing, remainingOps, type SyncOp } from './plan';
import type { ModelStore, SourceRepository, SyncCounts, SyncMode, SyncProgress, SyncState, SyncStateStore } from './ports';

const DEFAULT_SAFETY_MARGIN_MS = 60_000;

export interface SyncTarget {
  readonly uuid: string;
  readonly fullName: string;
  readonly modelPattern: string;
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
  /** Checkpoint after this many applied ops. @default 100 */
  readonly checkpointEvery?: number;
  readonly now?: () => Date;
  /** Called after each applied op (tests stop a sync at chosen points through it). */
  readonly onOpApplied?: (op: SyncOp) => void | Promise<void>;
}

export type SyncOutcome = 'up-to-date' | 'synced' | 'partial' | 'deferred' | 'no-branch';

export interface SyncReport {
  readonly outcome: SyncOutcome;
  readonly branch?: string;
  readonly fromCommit: string | null;
  readonly toCommit?: string;
  readonly mode?: SyncMode;
  /** Why an incremental sync became a full one, when it did. */
  readonly fallbackReason?: string;
  readonly counts: SyncCounts;
  readonly opsApplied: number;
  readonly opsRemaining: number;
  readonly retryAfterMs?: number;
  /** True when this run finished a plan made in an earlier invocation: the branch may have moved since. */
  readonly continued?: boolean;
}

export interface SyncDeps {
  readonly source: SourceRepository;
  readonly models: ModelStore;
  readonly state: SyncStateStore;
}

const zeroCounts = (): SyncCounts => ({ added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0 });

/**
 * Brings the stored models of one repository to the head of its default branch, level-triggered: the queued
 * message is only a hint, the truth is read from Bitbucket. Cursor = head: nothing to do; no cursor (or another
 * branch or pattern): full sync; otherwise the diff from cursor to head. Progress is checkpointed so a sync can
 * stop before the invocation's deadline or a rate limit and resume later; the cursor advances only when the
 * whole plan is applied, with a conditional write.
 */
export async function syncRepository(target: SyncTarget, options: SyncOptions, deps: SyncDeps): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  let state = await deps.state.getSyncState(target.uuid);
  // A sync that finds earlier progress follows an interrupted one, which may have left orphan chunks.
  const resumed = state.progress !== undefined;
  const adminOverride = options.mode === 'full' || options.fromCommit !== undefined;

  if (state.notBefore && !options.ignoreNotBefore && !adminOverride && Date.parse(state.notBefore) > now().getTime()) {
    return { outcome: 'deferred', fromCommit: state.cursor ?? null, counts: zeroCounts(), opsApplied: 0, opsRemaining: 0, retryAfterMs: Date.parse(state.notBefore) - now().getTime() };
  }

  const saveState = async (next: Omit<SyncState, 'revision' | 'uuid'>) => {
    state = await deps.state.putSyncState({ uuid: target.uuid, ...next }, state.revision);
  };

  try {
    const branch = await deps.source.getMainBranch();
    if (!branch) {
      await saveState({ ...withoutProgress(state), lastRun: { at: now().toISOString(), outcome: 'no-branch', requestUuid: options.requestUuid } });
      return { outcome: 'no-branch', fromCommit: state.cursor ?? null, counts: zeroCounts(), opsApplied: 0, opsRemaining: 0 };
    }

    // Saved progress is only worth continuing for the same branch and the same model selection.
    const continuing = state.progress !== undefined && state.progress.branch === branch && state.progress.pattern === target.modelPattern && !adminOverride;
    let progress = continuing ? state.progress : undefined;
    if (!progress) {
      const head = await deps.source.getBranchHead(branch);
      const sameSelection = state.branch === branch && state.pattern === target.modelPattern;
      const cursor = options.mode === 'full' ? undefined : options.fromCommit ?? (sameSelection ? state.cursor : undefined);
      if (cursor === head) {
        if (state.progress || state.notBefore) await saveState({ ...withoutProgress(state), lastRun: { at: now().toISOString(), outcome: 'up-to-date', requestUuid: options.requestUuid } });
        return { outcome: 'up-to-date', branch, fromCommit: head, toCommit: head, counts: zeroCounts(), opsApplied: 0, opsRemaining: 0 };
      }
      progress = { branch, pattern: target.modelPattern, fromCommit: cursor ?? null, toCommit: head, mode: cursor ? 'incremental' : 'full', startedAt: now().toISOString(), counts: zeroCounts(), invocations: 0 };
    }
    progress = { ...progress, invocations: progress.invocations + 1 };
    if (options.remainingTimeMs() < (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS)) {
      // No time left to plan (a listing can take a while): keep the target for the continuation.
      await saveState({ ...withoutProgress(state), progress, lastRun: { at: now().toISOString(), outcome: 'partial', requestUuid: options.requestUuid } });
      return { outcome: 'partial', branch, fromCommit: progress.fromCommit, toCommit: progress.toCommit, counts: progress.counts, opsApplied: 0, opsRemaining: (progress.total ?? 0) - (progress.done ?? 0), continued: continuing };
    }

    const { ops, mode, hubignore, fallbackReason } = await derivePlan(target, progress, state, deps);
    const pending = remainingOps(ops, progress.watermark);
    progress = { ...progress, mode, total: ops.length, done: ops.length - pending.length };
    // Record a new plan as in progress before its first write, so a crash is followed by a resume and a cleanup.
    if (pending.length > 0 && !continuing) await saveState({ ...withoutProgress(state), progress, notBefore: undefined });
    const run = await applyOps(target, progress, pending, options, deps, async (checkpoint) => {
      progress = checkpoint;
      await saveState({ ...withoutProgress(state), progress: checkpoint, notBefore: undefined });
    });
    progress = run.progress;

    const report = { branch, fromCommit: progress.fromCommit, toCommit: progress.toCommit, mode, fallbackReason, counts: progress.counts, continued: continuing };
    if (run.stoppedBy === 'rate-limit') {
      const notBefore = new Date(now().getTime() + run.retryAfterMs).toISOString();
      await saveState({ ...withoutProgress(state), progress, notBefore, lastRun: { at: now().toISOString(), outcome: 'deferred', requestUuid: options.requestUuid } });
      return { ...report, outcome: 'deferred', opsApplied: run.applied, opsRemaining: run.remaining, retryAfterMs: run.retryAfterMs };
    }
    if (run.stoppedBy === 'deadline') {
      await saveState({ ...withoutProgress(state), progress, lastRun: { at: now().toISOString(), outcome: 'partial', requestUuid: options.requestUuid } });
      return { ...report, outcome: 'partial', opsApplied: run.applied, opsRemaining: run.remaining };
    }

    // Chunks abandoned by an interrupted run (replaced versions are removed by the store itself). Reading the
    // partition costs, so only after a resume; safe now, as one repository's syncs never overlap. Before the
    // cursor write: once the cursor is at the head no later run is a resume, so a crash in between would leave
    // the orphans forever (test/reliability/crash-safety.test.ts).
    if (resumed) await deps.models.removeOrphanChunks(target.uuid, { olderThanMs: 0 });
    // The whole plan is applied: advance the cursor (conditional on nobody else having written meanwhile).
    await saveState({
      branch, cursor: progress.toCommit, pattern: target.modelPattern, hubignore,
      lastRun: { at: now().toISOString(), outcome: 'synced', requestUuid: options.requestUuid },
    });
    return { ...report, outcome: 'synced', opsApplied: run.applied, opsRemaining: 0 };
  } catch (error) {
    if (error instanceof SourceRateLimitedError) {
      const notBefore = new Date(now().getTime() + error.retryAfterMs).toISOString();
      await saveState({ ...state, notBefore, lastRun: { at: now().toISOString(), outcome: 'deferred', requestUuid: options.requestUuid } });
      return { outcome: 'deferred', fromCommit: state.cursor ?? null, counts: zeroCounts(), opsApplied: 0, opsRemaining: 0, retryAfterMs: error.retryAfterMs };
    }
    throw error;
  }
}

function withoutProgress(state: SyncState): Omit<SyncState, 'revision' | 'uuid'> {
  const { revision: _revision, uuid: _uuid, progress: _progress, notBefore: _notBefore, ...rest } = state;
  return rest;
}

async function derivePlan(target: SyncTarget, progress: SyncProgress, state: SyncState, deps: SyncDeps): Promise<{ ops: SyncOp[]; mode: SyncMode; hubignore: string; fallbackReason?: string }> {
  const listStored = async () => new Set((await deps.models.listModels(target.uuid)).map((model) => model.path));
  const readHubignore = () => readOptionalFile(deps.source, progress.toCommit, HUBIGNORE_FILE);

  if (progress.mode !== 'full' && progress.fromCommit) {
    let changes;
    let fallbackReason: string | undefined;
    try {
      changes = await deps.source.listChangedFiles(progress.toCommit, progress.fromCommit);
    } catch (error) {
      if (!(error instanceof DiffUnavailableError)) throw error;
      fallbackReason = error.message;
    }
    if (changes) {
      const hubignoreChanged = changes.some((change) => change.oldPath === HUBIGNORE_FILE || change.newPath === HUBIGNORE_FILE);
      if (!hubignoreChanged && state.hubignore !== undefined) {
        const isModel = createModelSelector({ pattern: target.modelPattern, hubignore: state.hubignore });
        // Only the diff's paths matter: look them up rather than list the whole repository.
        const touched = changes.flatMap((change) => [change.oldPath, change.newPath].filter((path): path is string => path !== undefined));
        const stored = await deps.models.existingPaths(target.uuid, touched);
        return { ops: planFromDiff(changes, isModel, stored), mode: 'incremental', hubignore: state.hubignore };
      }
      // A changed .hubignore re-applies to the whole tree: newly ignored models go, un-ignored ones come back.
      const hubignore = await readHubignore();
      const isModel = createModelSelector({ pattern: target.modelPattern, hubignore });
      const changed = new Set(changes.flatMap((change) => (change.newPath && change.status !== 'removed' ? [change.newPath] : [])));
      const files = await deps.source.listFiles(progress.toCommit);
      return { ops: planFromListing(files, isModel, await listStored(), changed), mode: 'reselect', hubignore };
    }
    const hubignore = await readHubignore();
    const files = await deps.source.listFiles(progress.toCommit);
    return { ops: planFromListing(files, createModelSelector({ pattern: target.modelPattern, hubignore }), await listStored(), 'all'), mode: 'full', hubignore, fallbackReason };
  }
  const hubignore = await readHubignore();
  const files = await deps.source.listFiles(progress.toCommit);
  return { ops: planFromListing(files, createModelSelector({ pattern: target.modelPattern, hubignore }), await listStored(), 'all'), mode: 'full', hubignore };
}

async function readOptionalFile(source: SourceRepository, commit: string, path: string): Promise<string> {
  const files = await source.listFiles(commit).catch(() => undefined);
  // Listing is cached by the adapter per commit, so this costs no extra request when the plan lists anyway.
  if (files && !files.includes(path)) return '';
  return (await source.getFile(commit, path)).toString('utf8');
}

interface RunResult {
  progress: SyncProgress;
  applied: number;
  remaining: number;
  stoppedBy?: 'deadline' | 'rate-limit';
  retryAfterMs: number;
}

/**
 * Applies ops phase by phase (deletes, moves, puts) with bounded concurrency, checkpointing a watermark below
 * which every op is done. Stops launching new ops near the deadline or on a rate limit; other errors are
 * rethrown after the ops in flight finish and the progress is saved, so a retry resumes instead of restarting.
 */
async function applyOps(
  target: SyncTarget, start: SyncProgress, ops: SyncOp[], options: SyncOptions, deps: SyncDeps,
  checkpoint: (progress: SyncProgress) => Promise<void>,
): Promise<RunResult> {
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const checkpointEvery = Math.max(1, options.checkpointEvery ?? 100);
  const counts = { ...start.counts };
  const done = new Array<boolean>(ops.length).fill(false);
  let prefix = 0; // ops[0..prefix) are all done
  let applied = 0;
  let sinceCheckpoint = 0;
  let stoppedBy: RunResult['stoppedBy'];
  let retryAfterMs = 0;
  let failure: unknown;
  let progress = start;

  // Checkpoints are conditional writes on one revision: parallel workers must take turns.
  let checkpoints: Promise<void> = Promise.resolve();
  const saveCheckpoint = (): Promise<void> => {
    checkpoints = checkpoints.then(async () => {
      progress = current();
      await checkpoint(progress);
    });
    return checkpoints;
  };
  const current = (): SyncProgress => {
    while (prefix < ops.length && done[prefix]) prefix += 1;
    return { ...progress, counts: { ...counts }, watermark: prefix > 0 ? ops[prefix - 1]!.key : progress.watermark, done: (start.done ?? 0) + applied };
  };

  for (const phase of ['0:', '1:', '2:']) {
    const indices = ops.flatMap((op, index) => (op.key.startsWith(phase) ? [index] : []));
    let next = 0;
    const worker = async () => {
      while (next < indices.length && !stoppedBy && failure === undefined) {
        if (options.remainingTimeMs() < safetyMarginMs) {
          stoppedBy = 'deadline';
          return;
        }
        const index = indices[next++]!;
        try {
          await applyOp(target, start.toCommit, ops[index]!, counts, deps);
          done[index] = true;
          applied += 1;
          sinceCheckpoint += 1;
          await options.onOpApplied?.(ops[index]!);
        } catch (error) {
          if (error instanceof SourceRateLimitedError) {
            stoppedBy = 'rate-limit';
            retryAfterMs = Math.max(retryAfterMs, error.retryAfterMs);
          } else {
            failure ??= error;
          }
          return;
        }
        if (sinceCheckpoint >= checkpointEvery) {
          sinceCheckpoint = 0;
          await saveCheckpoint();
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, indices.length) }, worker));
    if (stoppedBy || failure !== undefined) break;
  }

  await checkpoints.catch(() => undefined);
  progress = current();
  const remaining = done.filter((value) => !value).length;
  if (failure !== undefined) {
    // Keep what was applied, so the retry resumes instead of starting over.
    if (applied > 0) await checkpoint(progress).catch(() => undefined);
    throw failure;
  }
  return { progress, applied, remaining, stoppedBy, retryAfterMs };
}

async function applyOp(target: SyncTarget, commit: string, op: SyncOp, counts: SyncCounts, deps: SyncDeps): Promise<void> {
  switch (op.kind) {
    case 'delete':
      await deps.models.deleteModel(target.uuid, op.path);
      counts.removed += 1;
      return;
    case 'move': {
      const moved = await deps.models.moveModel(target.uuid, op.from, op.to, commit);
      if (moved !== undefined) {
        counts.renamed += 1;
        return;
      }
      // The source record is gone (e.g. a resumed sync already moved it): fetch the target instead.
      await putModel(target, commit, op.to, 'added', counts, deps);
      return;
    }
    case 'put':
      await putModel(target, commit, op.path, op.change, counts, deps);
  }
}

async function putModel(target: SyncTarget, commit: string, path: string, change: 'added' | 'updated', counts: SyncCounts, deps: SyncDeps): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await deps.source.getFile(commit, path);
  } catch (error) {
    if (error instanceof SourceFileMissingError) {
      // One undownloadable file must not stop the repository's sync forever; the events log shows the count.
      counts.missing += 1;
      return;
    }
    if (!(error instanceof SourceFileTooLargeError)) throw error;
    await deps.models.recordTooLarge({ repositoryUuid: target.uuid, path, commit, size: error.size ?? 0 });
    counts.tooLarge += 1;
    counts[change] += 1;
    return;
  }
  const record = await deps.models.putModel({ repositoryUuid: target.uuid, path, commit, bytes });
  if (record.status === 'invalid') counts.invalid += 1;
  counts[change] += 1;
}
