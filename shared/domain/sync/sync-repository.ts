/**
 * The sync of one repository, start to finish: reads where it stands, has the plan decided (`derive-plan.ts`),
 * applied (`apply-ops.ts`) and recorded (`sync-run-record.ts`), and reports what happened.
 */
import { HubignoreRejectedError } from '../../models/model-selection';
import { applyOps } from './apply-ops';
import { derivePlan } from './derive-plan';
import { PlanDeadlineError, SourceDeadlineError, SourceRateLimitedError } from './errors';
import { remainingOps } from './plan';
import type { SourceRepository, SyncProgress, SyncState } from './ports';
import { SyncRunRecord } from './sync-run-record';
import {
  combineReports,
  DEFAULT_SAFETY_MARGIN_MS,
  zeroCounts,
  type SyncDeps,
  type SyncOptions,
  type SyncReport,
  type SyncTarget,
} from './sync-types';

export type { SyncDeps, SyncOptions, SyncOutcome, SyncReport, SyncTarget } from './sync-types';

/**
 * Brings the stored models of one repository to the head of its default branch, level-triggered: the queued
 * message is only a hint, the truth is read from Bitbucket. Cursor = head: nothing to do; no cursor (or another
 * branch or pattern): full sync; otherwise the diff from cursor to head. Progress is checkpointed so a sync can
 * stop before the invocation's deadline or a rate limit and resume later; the cursor advances only when the
 * whole plan is applied, with a conditional write.
 */
export async function syncRepository(target: SyncTarget, options: SyncOptions, deps: SyncDeps): Promise<SyncReport> {
  const first = await syncOnce(target, options, deps);
  if (first.outcome !== 'synced' || !first.continued) return first;
  // The run finished a plan made earlier: pushes since then are not in it, so read the head again (two API
  // calls when it has not moved). Otherwise nothing would read the head until the next push or schedule.
  // Without time for that, report "partial": the continuation queued for it reads the head.
  const readHeadLater: SyncReport = { ...first, outcome: 'partial', readHead: false };
  if (options.remainingTimeMs() < (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS)) return readHeadLater;
  let next: SyncReport;
  try {
    next = await syncOnce(target, { ...options, mode: undefined, fromCommit: undefined }, deps);
  } catch (error) {
    if (error instanceof SourceDeadlineError) return readHeadLater;
    throw error;
  }
  return combineReports(first, next, true);
}

/** One pass: continue the saved plan, or read the head and plan to it. */
async function syncOnce(target: SyncTarget, options: SyncOptions, deps: SyncDeps): Promise<SyncReport> {
  const now = options.now ?? (() => new Date());
  const record = await SyncRunRecord.open(deps.state, target.uuid, now, options.requestUuid);
  let state = record.state;
  // A sync that finds earlier progress follows an interrupted one, which may have left orphan chunks.
  const resumed = state.progress !== undefined;
  const adminOverride = options.mode === 'full' || options.fromCommit !== undefined;

  if (state.notBefore && !options.ignoreNotBefore && !adminOverride && Date.parse(state.notBefore) > now().getTime()) {
    return {
      outcome: 'deferred',
      fromCommit: state.cursor ?? null,
      counts: zeroCounts(),
      opsApplied: 0,
      opsRemaining: 0,
      retryAfterMs: Date.parse(state.notBefore) - now().getTime(),
    };
  }

  const saveState = async (next: Omit<SyncState, 'revision' | 'uuid'>) => {
    await record.save(next);
    state = record.state;
  };

  let readHead = false;
  try {
    const branch = await deps.source.getMainBranch();
    if (!branch) {
      // Dropped progress leaves the store matching no commit: forget the cursor too, so the next sync is full.
      const cursor = state.progress ? { cursor: undefined } : {};
      await saveState({ ...record.withoutProgress(), ...cursor, lastRun: record.lastRun('no-branch') });
      return {
        outcome: 'no-branch',
        fromCommit: state.cursor ?? null,
        counts: zeroCounts(),
        opsApplied: 0,
        opsRemaining: 0,
        readHead: true,
      };
    }

    // Saved progress is only worth continuing for the same branch and the same model selection.
    const continuing =
      state.progress !== undefined && state.progress.branch === branch && state.progress.pattern === target.modelPattern && !adminOverride;
    // Progress that is not continued was partly applied (deletes go first): the store matches no commit, so
    // neither the cursor nor an admin's base commit describes it. Only a full plan (with orphan cleanup) can.
    const abandoned = state.progress !== undefined && !continuing;
    let progress = continuing ? state.progress : undefined;
    readHead = !continuing;
    if (!progress) {
      const head = await deps.source.getBranchHead(branch);
      const sameSelection = state.branch === branch && state.pattern === target.modelPattern;
      const cursor = options.mode === 'full' || abandoned ? undefined : (options.fromCommit ?? (sameSelection ? state.cursor : undefined));
      if (cursor === head) {
        if (state.notBefore) await saveState({ ...record.withoutProgress(), lastRun: record.lastRun('up-to-date') });
        return {
          outcome: 'up-to-date',
          branch,
          fromCommit: head,
          toCommit: head,
          counts: zeroCounts(),
          opsApplied: 0,
          opsRemaining: 0,
          readHead: true,
        };
      }
      progress = {
        branch,
        pattern: target.modelPattern,
        fromCommit: cursor ?? null,
        toCommit: head,
        mode: cursor ? 'incremental' : 'full',
        startedAt: now().toISOString(),
        counts: zeroCounts(),
        invocations: 0,
      };
    }
    progress = { ...progress, invocations: progress.invocations + 1 };
    // Without time to plan (a listing or a git fetch can take a while), keep the target for the continuation.
    const planLater = async (unplanned: SyncProgress, transportFallback?: string): Promise<SyncReport> => {
      await saveState({ ...record.withoutProgress(), progress: unplanned, lastRun: record.lastRun('partial') });
      return {
        outcome: 'partial',
        branch,
        fromCommit: unplanned.fromCommit,
        toCommit: unplanned.toCommit,
        ...(transportFallback ? { transportFallback } : {}),
        counts: unplanned.counts,
        opsApplied: 0,
        opsRemaining: (unplanned.total ?? 0) - (unplanned.done ?? 0),
        continued: continuing,
        readHead: !continuing,
      };
    };
    if (options.remainingTimeMs() < (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS)) return await planLater(progress);

    let plan;
    try {
      plan = await derivePlan(target, progress, state, deps, { gitMinChangedModels: options.gitMinChangedModels });
    } catch (error) {
      // Retrying the message would run into the same deadline until the DLQ: a continuation starts with a whole
      // invocation instead, over REST when the git fetch is what took the time. A request that timed out with time
      // left is a failure like any other (retried with backoff), not a reason to queue continuations at once.
      const outOfTime = options.remainingTimeMs() < (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
      if (!(error instanceof PlanDeadlineError) || !outOfTime) throw error;
      return await planLater(error.gitSkipped ? { ...progress, gitSkipped: error.gitSkipped } : progress, error.gitSkipped);
    }
    const { ops, mode, hubignore, hubignoreNotice, fallbackReason, transport, transportFallback } = plan;
    // A reason to stay on REST holds for the whole target: its continuations and retries do not fetch git again.
    if (plan.gitSkipped) progress = { ...progress, gitSkipped: plan.gitSkipped };
    let run;
    try {
      // A snapshot newer than the saved target, or another transport than the saved one: the watermark belongs to
      // another plan, so this one starts afresh (its ops are idempotent; a snapshot plan skips what already matches).
      if (plan.toCommit !== progress.toCommit || transport !== progress.transport)
        progress = { ...progress, toCommit: plan.toCommit, transport, watermark: undefined };
      const pending = remainingOps(ops, progress.watermark);
      // A snapshot plan holds only the work left, so what was done before adds to it.
      progress = plan.converging
        ? { ...progress, mode, total: (progress.done ?? 0) + pending.length, done: progress.done ?? 0 }
        : { ...progress, mode, total: ops.length, done: ops.length - pending.length };
      // Record a new plan as in progress before its first write, so a crash is followed by a resume and a cleanup.
      if (pending.length > 0 && !continuing) await saveState({ ...record.withoutProgress(), progress, notBefore: undefined });
      // A snapshot's reads run in this process and inflate a whole blob each: several at once add memory (8 reads of
      // 31 MiB models peaked over 600 MB), not speed. The writes after them still overlap.
      const read = (path: string) => plan.readFile(path);
      const reading = { ...deps, source: readingAt(deps.source, plan.toCommit, transport === 'git' ? oneAtATime(read) : read) };
      run = await applyOps(target, progress, pending, options, reading, async (checkpoint) => {
        progress = checkpoint;
        await saveState({ ...record.withoutProgress(), progress: checkpoint, notBefore: undefined });
      });
    } finally {
      await plan.close();
    }
    progress = run.progress;

    const report = {
      branch,
      fromCommit: progress.fromCommit,
      toCommit: progress.toCommit,
      mode,
      fallbackReason,
      transport,
      ...(transportFallback ? { transportFallback } : {}),
      ...(hubignoreNotice ? { hubignoreNotice } : {}),
      counts: progress.counts,
      continued: continuing,
      readHead: !continuing,
    };
    if (run.stoppedBy === 'rate-limit') {
      const notBefore = new Date(now().getTime() + run.retryAfterMs).toISOString();
      await saveState({ ...record.withoutProgress(), progress, notBefore, lastRun: record.lastRun('deferred') });
      return { ...report, outcome: 'deferred', opsApplied: run.applied, opsRemaining: run.remaining, retryAfterMs: run.retryAfterMs };
    }
    if (run.stoppedBy === 'deadline') {
      await saveState({ ...record.withoutProgress(), progress, lastRun: record.lastRun('partial') });
      return { ...report, outcome: 'partial', opsApplied: run.applied, opsRemaining: run.remaining };
    }

    // Chunks abandoned by an interrupted run (replaced versions are removed by the store itself). Reading the
    // partition costs, so only after a resume; safe now, as one repository's syncs never overlap. Before the
    // cursor write: once the cursor is at the head no later run is a resume, so a crash in between would leave
    // the orphans forever (test/reliability/crash-safety.test.ts).
    if (resumed) await deps.models.removeOrphanChunks(target.uuid, { olderThanMs: 0 });
    // The whole plan is applied: advance the cursor (conditional on nobody else having written meanwhile).
    await saveState({
      branch,
      cursor: progress.toCommit,
      pattern: target.modelPattern,
      hubignore,
      lastRun: record.lastRun('synced'),
    });
    return { ...report, outcome: 'synced', opsApplied: run.applied, opsRemaining: 0 };
  } catch (error) {
    if (error instanceof HubignoreRejectedError) {
      // Decided before any write: cursor, progress and models stay as they are until a push fixes the file.
      await saveState({ ...state, lastRun: { ...record.lastRun('blocked'), error: error.message } });
      const { cursor, progress } = state;
      return {
        outcome: 'blocked',
        blockedReason: error.message,
        fromCommit: progress?.fromCommit ?? cursor ?? null,
        counts: zeroCounts(),
        opsApplied: 0,
        opsRemaining: 0,
        readHead,
      };
    }
    if (error instanceof SourceRateLimitedError) {
      const notBefore = new Date(now().getTime() + error.retryAfterMs).toISOString();
      await saveState({ ...state, notBefore, lastRun: record.lastRun('deferred') });
      return {
        outcome: 'deferred',
        fromCommit: state.cursor ?? null,
        counts: zeroCounts(),
        opsApplied: 0,
        opsRemaining: 0,
        retryAfterMs: error.retryAfterMs,
      };
    }
    throw error;
  }
}

/** The source with downloads of `commit` served by `readFile` (a plan's or a verification's snapshot, or the source). */
export function readingAt(source: SourceRepository, commit: string, readFile: (path: string) => Promise<Buffer>): SourceRepository {
  return {
    getMainBranch: () => source.getMainBranch(),
    getBranchHead: (branch) => source.getBranchHead(branch),
    listChangedFiles: (newCommit, oldCommit) => source.listChangedFiles(newCommit, oldCommit),
    listFiles: (at) => source.listFiles(at),
    getFile: (at, path) => (at === commit ? readFile(path) : source.getFile(at, path)),
  };
}

/** `read` with its calls taken in turn, each starting when the one before has ended (failed or not). */
function oneAtATime(read: (path: string) => Promise<Buffer>): (path: string) => Promise<Buffer> {
  let previous: Promise<unknown> = Promise.resolve();
  return (path) => {
    const result = previous.then(() => read(path));
    previous = result.catch(() => undefined);
    return result;
  };
}
