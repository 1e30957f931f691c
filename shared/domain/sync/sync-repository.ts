/**
 * The sync of one repository, start to finish: reads where it stands, has the plan decided (`derive-plan.ts`),
 * applied (`apply-ops.ts`) and recorded (`sync-run-record.ts`), and reports what happened.
 */
import { HubignoreRejectedError } from '../../models/model-selection';
import { applyOps, type RunResult } from './apply-ops';
import { derivePlan, type DerivedPlan } from './derive-plan';
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
  return new SyncPass(target, options, deps, record, now).run();
}

/** What a pass knows once it has decided its target: the branch, and whether it goes on with saved progress. */
interface PassTarget {
  readonly branch: string;
  readonly continuing: boolean;
}

/** The steps of one pass over one repository, sharing the run's record of the sync state. */
class SyncPass {
  /** Whether this pass read the branch head (see `SyncReport.readHead`). */
  private readHead = false;
  // A sync that finds earlier progress follows an interrupted one, which may have left orphan chunks.
  private readonly resumed: boolean;
  private readonly adminOverride: boolean;

  constructor(
    private readonly target: SyncTarget,
    private readonly options: SyncOptions,
    private readonly deps: SyncDeps,
    private readonly record: SyncRunRecord,
    private readonly now: () => Date,
  ) {
    this.resumed = record.state.progress !== undefined;
    this.adminOverride = options.mode === 'full' || options.fromCommit !== undefined;
  }

  private get state(): SyncState {
    return this.record.state;
  }

  async run(): Promise<SyncReport> {
    const { notBefore } = this.state;
    const parked = notBefore && !this.options.ignoreNotBefore && !this.adminOverride ? Date.parse(notBefore) - this.now().getTime() : 0;
    if (parked > 0) return { ...this.nothingDone('deferred'), retryAfterMs: parked };
    try {
      return await this.syncToHead();
    } catch (error) {
      return this.settle(error);
    }
  }

  private async syncToHead(): Promise<SyncReport> {
    const branch = await this.deps.source.getMainBranch();
    if (!branch) return this.noBranch();
    // Saved progress is only worth continuing for the same branch and the same model selection.
    const saved = this.state.progress;
    const continuing = saved !== undefined && saved.branch === branch && saved.pattern === this.target.modelPattern && !this.adminOverride;
    this.readHead = !continuing;
    const aimed = continuing ? saved : await this.newTarget(branch, saved !== undefined);
    if ('outcome' in aimed) return aimed;
    const pass = { branch, continuing };
    const progress = { ...aimed, invocations: aimed.invocations + 1 };
    // Without time to plan (a listing or a git fetch can take a while), keep the target for the continuation.
    if (this.outOfTime()) return this.planLater(pass, progress);
    let plan: DerivedPlan;
    try {
      plan = await derivePlan(this.target, progress, this.state, this.deps, { gitMinChangedModels: this.options.gitMinChangedModels });
    } catch (error) {
      // Retrying the message would run into the same deadline until the DLQ: a continuation starts with a whole
      // invocation instead, over REST when the git fetch is what took the time. A request that timed out with time
      // left is a failure like any other (retried with backoff), not a reason to queue continuations at once.
      if (!(error instanceof PlanDeadlineError) || !this.outOfTime()) throw error;
      return this.planLater(pass, error.gitSkipped ? { ...progress, gitSkipped: error.gitSkipped } : progress, error.gitSkipped);
    }
    // A reason to stay on REST holds for the whole target: its continuations and retries do not fetch git again.
    const run = await this.apply(pass, plan, plan.gitSkipped ? { ...progress, gitSkipped: plan.gitSkipped } : progress);
    return this.finish(pass, plan, run);
  }

  /**
   * The target of a pass that does not go on with saved progress: the head, from the cursor (or an admin's base
   * commit), or an up-to-date report when there is nothing to do. Progress that is not continued was partly
   * applied (deletes go first): the store matches no commit, so neither the cursor nor an admin's base commit
   * describes it. Only a full plan (with orphan cleanup) can.
   */
  private async newTarget(branch: string, abandoned: boolean): Promise<SyncProgress | SyncReport> {
    const head = await this.deps.source.getBranchHead(branch);
    const { state, options } = this;
    const sameSelection = state.branch === branch && state.pattern === this.target.modelPattern;
    const cursor = options.mode === 'full' || abandoned ? undefined : (options.fromCommit ?? (sameSelection ? state.cursor : undefined));
    if (cursor === head) {
      if (state.notBefore) await this.record.save({ ...this.record.withoutProgress(), lastRun: this.record.lastRun('up-to-date') });
      return { ...this.nothingDone('up-to-date'), branch, fromCommit: head, toCommit: head, readHead: true };
    }
    return {
      branch,
      pattern: this.target.modelPattern,
      fromCommit: cursor ?? null,
      toCommit: head,
      mode: cursor ? 'incremental' : 'full',
      startedAt: this.now().toISOString(),
      counts: zeroCounts(),
      invocations: 0,
    };
  }

  /** Applies the plan's outstanding ops from `start`, checkpointing as it goes; releases the plan's snapshot. */
  private async apply(pass: PassTarget, plan: DerivedPlan, start: SyncProgress): Promise<RunResult> {
    let progress = start;
    try {
      // A snapshot newer than the saved target, or another transport than the saved one: the watermark belongs to
      // another plan, so this one starts afresh (its ops are idempotent; a snapshot plan skips what already matches).
      if (plan.toCommit !== progress.toCommit || plan.transport !== progress.transport)
        progress = { ...progress, toCommit: plan.toCommit, transport: plan.transport, watermark: undefined };
      const pending = remainingOps(plan.ops, progress.watermark);
      // A snapshot plan holds only the work left, so what was done before adds to it.
      progress = plan.converging
        ? { ...progress, mode: plan.mode, total: (progress.done ?? 0) + pending.length, done: progress.done ?? 0 }
        : { ...progress, mode: plan.mode, total: plan.ops.length, done: plan.ops.length - pending.length };
      // Record a new plan as in progress before its first write, so a crash is followed by a resume and a cleanup.
      if (pending.length > 0 && !pass.continuing)
        await this.record.save({ ...this.record.withoutProgress(), progress, notBefore: undefined });
      return await applyOps(this.target, progress, pending, this.options, this.readingPlan(plan), async (checkpoint) => {
        await this.record.save({ ...this.record.withoutProgress(), progress: checkpoint, notBefore: undefined });
      });
    } finally {
      await plan.close();
    }
  }

  /**
   * The deps with downloads served by the plan. A snapshot's reads run in this process and inflate a whole blob
   * each: several at once add memory (8 reads of 31 MiB models peaked over 600 MB), not speed. The writes after
   * them still overlap.
   */
  private readingPlan(plan: DerivedPlan): SyncDeps {
    const read = (path: string) => plan.readFile(path);
    return { ...this.deps, source: readingAt(this.deps.source, plan.toCommit, plan.transport === 'git' ? oneAtATime(read) : read) };
  }

  /** Records how the applied plan ended: parked by a rate limit, stopped by the deadline, or synced. */
  private async finish(pass: PassTarget, plan: DerivedPlan, run: RunResult): Promise<SyncReport> {
    const { progress } = run;
    const { record } = this;
    const report = {
      branch: pass.branch,
      fromCommit: progress.fromCommit,
      toCommit: progress.toCommit,
      mode: plan.mode,
      fallbackReason: plan.fallbackReason,
      transport: plan.transport,
      ...(plan.transportFallback ? { transportFallback: plan.transportFallback } : {}),
      ...(plan.hubignoreNotice ? { hubignoreNotice: plan.hubignoreNotice } : {}),
      counts: progress.counts,
      continued: pass.continuing,
      readHead: !pass.continuing,
      opsApplied: run.applied,
    };
    if (run.stoppedBy === 'rate-limit') {
      const notBefore = new Date(this.now().getTime() + run.retryAfterMs).toISOString();
      await record.save({ ...record.withoutProgress(), progress, notBefore, lastRun: record.lastRun('deferred') });
      return { ...report, outcome: 'deferred', opsRemaining: run.remaining, retryAfterMs: run.retryAfterMs };
    }
    if (run.stoppedBy === 'deadline') {
      await record.save({ ...record.withoutProgress(), progress, lastRun: record.lastRun('partial') });
      return { ...report, outcome: 'partial', opsRemaining: run.remaining };
    }
    // Chunks abandoned by an interrupted run (replaced versions are removed by the store itself). Reading the
    // partition costs, so only after a resume; safe now, as one repository's syncs never overlap. Before the
    // cursor write: once the cursor is at the head no later run is a resume, so a crash in between would leave
    // the orphans forever (test/reliability/crash-safety.test.ts).
    if (this.resumed) await this.deps.models.removeOrphanChunks(this.target.uuid, { olderThanMs: 0 });
    // The change records before the cursor: a crash in between leaves the intents pending, and the retry (which finds
    // the plan applied) commits them again under the same idempotency keys.
    await this.deps.changes?.synced({
      branch: pass.branch,
      fromCommit: progress.fromCommit,
      toCommit: progress.toCommit,
      mode: plan.mode,
      transport: plan.transport,
      startedAt: progress.startedAt,
    });
    // The whole plan is applied: advance the cursor (conditional on nobody else having written meanwhile).
    const { modelPattern: pattern } = this.target;
    await record.save({
      branch: pass.branch,
      cursor: progress.toCommit,
      pattern,
      hubignore: plan.hubignore,
      lastRun: record.lastRun('synced'),
    });
    return { ...report, outcome: 'synced', opsRemaining: 0 };
  }

  /** Keeps the target, unplanned, for the continuation. */
  private async planLater(pass: PassTarget, unplanned: SyncProgress, transportFallback?: string): Promise<SyncReport> {
    await this.record.save({ ...this.record.withoutProgress(), progress: unplanned, lastRun: this.record.lastRun('partial') });
    return {
      outcome: 'partial',
      branch: pass.branch,
      fromCommit: unplanned.fromCommit,
      toCommit: unplanned.toCommit,
      ...(transportFallback ? { transportFallback } : {}),
      counts: unplanned.counts,
      opsApplied: 0,
      opsRemaining: (unplanned.total ?? 0) - (unplanned.done ?? 0),
      continued: pass.continuing,
      readHead: !pass.continuing,
    };
  }

  private async noBranch(): Promise<SyncReport> {
    // Dropped progress leaves the store matching no commit: forget the cursor too, so the next sync is full.
    const cursor = this.state.progress ? { cursor: undefined } : {};
    await this.record.save({ ...this.record.withoutProgress(), ...cursor, lastRun: this.record.lastRun('no-branch') });
    return { ...this.nothingDone('no-branch'), readHead: true };
  }

  /** How a pass ends on an error that is a decision, not a failure; any other error is rethrown. */
  private async settle(error: unknown): Promise<SyncReport> {
    const { state, record } = this;
    if (error instanceof HubignoreRejectedError) {
      // Decided before any write: cursor, progress and models stay as they are until a push fixes the file.
      await record.save({ ...state, lastRun: { ...record.lastRun('blocked'), error: error.message } });
      const fromCommit = state.progress?.fromCommit ?? state.cursor ?? null;
      return { ...this.nothingDone('blocked'), blockedReason: error.message, fromCommit, readHead: this.readHead };
    }
    if (error instanceof SourceRateLimitedError) {
      const notBefore = new Date(this.now().getTime() + error.retryAfterMs).toISOString();
      await record.save({ ...state, notBefore, lastRun: record.lastRun('deferred') });
      return { ...this.nothingDone('deferred'), fromCommit: state.cursor ?? null, retryAfterMs: error.retryAfterMs };
    }
    throw error;
  }

  /** A report of a pass that applied nothing, from the cursor it found. */
  private nothingDone(outcome: SyncReport['outcome']): SyncReport {
    return { outcome, fromCommit: this.state.cursor ?? null, counts: zeroCounts(), opsApplied: 0, opsRemaining: 0 };
  }

  private outOfTime(): boolean {
    return this.options.remainingTimeMs() < (this.options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS);
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
