/**
 * Applies a plan's ops with a bounded pool of concurrent workers, checkpointing a watermark so an interrupted
 * sync resumes where it stopped; stops near the deadline or on a rate limit.
 */
import {
  SourceDeadlineError,
  SourceEntryNotAFileError,
  SourceFileMissingError,
  SourceFileTooLargeError,
  SourceRateLimitedError,
} from './errors';
import type { SyncOp } from './plan';
import type { SyncCounts, SyncProgress } from './ports';
import { DEFAULT_SAFETY_MARGIN_MS, zeroCounts, type SyncDeps, type SyncOptions, type SyncTarget } from './sync-types';

/** How far a run of {@link applyOps} got and why it stopped early, if it did. */
export interface RunResult {
  progress: SyncProgress;
  applied: number;
  remaining: number;
  stoppedBy?: 'deadline' | 'rate-limit';
  retryAfterMs: number;
}

/**
 * Applies ops phase by phase (deletes, moves, puts) with bounded concurrency, checkpointing a watermark below
 * which every op is done. Stops launching new ops near the deadline or on a rate limit; other errors (a failed
 * op or checkpoint write) stop every worker and are rethrown only after the ops in flight finish and the
 * progress is saved, so no write of this run lands after it returns and a retry resumes instead of restarting.
 */
export async function applyOps(
  target: SyncTarget,
  start: SyncProgress,
  ops: SyncOp[],
  options: SyncOptions,
  deps: SyncDeps,
  checkpoint: (progress: SyncProgress) => Promise<void>,
): Promise<RunResult> {
  const run = new OpRun(target, start, ops, options, deps, checkpoint);
  for (const phase of ['0:', '1:', '2:']) {
    await run.applyPhase(ops.flatMap((op, index) => (op.key.startsWith(phase) ? [index] : [])));
    if (run.stopped) break;
  }
  return run.finish();
}

/** The state of one {@link applyOps} call: what is done, the watermark, why it stopped, the checkpoint chain. */
class OpRun {
  private readonly concurrency: number;
  private readonly safetyMarginMs: number;
  private readonly checkpointEvery: number;
  private readonly counts: SyncCounts;
  private readonly done: boolean[];
  private prefix = 0; // ops[0..prefix) are all done
  private applied = 0;
  private sinceCheckpoint = 0;
  private stoppedBy: RunResult['stoppedBy'];
  private retryAfterMs = 0;
  private failure: unknown;
  private progress: SyncProgress;
  // Checkpoints are conditional writes on one revision: parallel workers must take turns.
  private checkpoints: Promise<void> = Promise.resolve();

  constructor(
    private readonly target: SyncTarget,
    private readonly start: SyncProgress,
    private readonly ops: SyncOp[],
    private readonly options: SyncOptions,
    private readonly deps: SyncDeps,
    private readonly checkpoint: (progress: SyncProgress) => Promise<void>,
  ) {
    this.concurrency = Math.max(1, options.concurrency ?? 8);
    this.safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
    this.checkpointEvery = Math.max(1, options.checkpointEvery ?? 100);
    this.counts = { ...zeroCounts(), ...start.counts }; // progress saved before a count existed lacks it
    this.done = new Array<boolean>(ops.length).fill(false);
    this.progress = start;
  }

  get stopped(): boolean {
    return this.stoppedBy !== undefined || this.failure !== undefined;
  }

  /** Applies the ops at `indices` with the pool of workers; returns once every worker has stopped. */
  async applyPhase(indices: number[]): Promise<void> {
    let next = 0;
    const worker = async (): Promise<void> => {
      while (next < indices.length && !this.stopped) {
        if (this.options.remainingTimeMs() < this.safetyMarginMs) {
          this.stoppedBy = 'deadline';
          return;
        }
        if (!(await this.applyOne(indices[next++]!))) return;
        if (!(await this.checkpointIfDue())) return;
      }
    };
    // Workers never reject (failures are kept in `failure`), so this waits for every one of them.
    await Promise.all(Array.from({ length: Math.min(this.concurrency, indices.length) }, worker));
  }

  /** Applies one op; false when the run must stop (a rate limit, the deadline, or a failure). */
  private async applyOne(index: number): Promise<boolean> {
    const op = this.ops[index]!;
    try {
      await applyOp(this.target, this.start.toCommit, op, this.counts, this.deps);
      this.done[index] = true;
      this.applied += 1;
      this.sinceCheckpoint += 1;
      await this.options.onOpApplied?.(op);
      return true;
    } catch (error) {
      this.stopOn(error);
      return false;
    }
  }

  private stopOn(error: unknown): void {
    if (error instanceof SourceRateLimitedError) {
      this.stoppedBy = 'rate-limit';
      this.retryAfterMs = Math.max(this.retryAfterMs, error.retryAfterMs);
    } else if (error instanceof SourceDeadlineError) {
      // A request cut at the invocation's deadline: the op is not done, the continuation does it.
      this.stoppedBy ??= 'deadline';
    } else {
      this.failure ??= error;
    }
  }

  /** Saves a checkpoint every `checkpointEvery` ops; false when it failed (one failure stops every worker). */
  private async checkpointIfDue(): Promise<boolean> {
    if (this.sinceCheckpoint < this.checkpointEvery) return true;
    this.sinceCheckpoint = 0;
    try {
      await this.saveCheckpoint();
      return true;
    } catch (error) {
      this.failure ??= error;
      return false;
    }
  }

  private saveCheckpoint(): Promise<void> {
    this.checkpoints = this.checkpoints.then(async () => {
      this.progress = this.current();
      await this.checkpoint(this.progress);
    });
    return this.checkpoints;
  }

  private current(): SyncProgress {
    while (this.prefix < this.ops.length && this.done[this.prefix]) this.prefix += 1;
    return {
      ...this.progress,
      counts: { ...this.counts },
      watermark: this.prefix > 0 ? this.ops[this.prefix - 1]!.key : this.progress.watermark,
      done: (this.start.done ?? 0) + this.applied,
    };
  }

  /** Waits for the checkpoint in flight; on a failure, keeps what was applied (the retry resumes) and rethrows. */
  async finish(): Promise<RunResult> {
    await this.checkpoints.catch(() => undefined);
    this.progress = this.current();
    const remaining = this.done.filter((value) => !value).length;
    if (this.failure !== undefined) {
      if (this.applied > 0) await this.checkpoint(this.progress).catch(() => undefined);
      throw this.failure;
    }
    return { progress: this.progress, applied: this.applied, remaining, stoppedBy: this.stoppedBy, retryAfterMs: this.retryAfterMs };
  }
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
      await putModel(target, commit, op.path, op.change, counts, deps, op.blobId);
  }
}

async function putModel(
  target: SyncTarget,
  commit: string,
  path: string,
  change: 'added' | 'updated',
  counts: SyncCounts,
  deps: SyncDeps,
  blobId?: string,
): Promise<void> {
  let bytes: Buffer;
  try {
    bytes = await deps.source.getFile(commit, path);
  } catch (error) {
    if (error instanceof SourceEntryNotAFileError) {
      // A symbolic link or submodule named like a model is no model; a model stored at that path before goes.
      await deps.models.deleteModel(target.uuid, path);
      counts.skipped += 1;
      return;
    }
    if (error instanceof SourceFileMissingError) {
      // One undownloadable file must not stop the repository's sync forever; the events log shows the count.
      counts.missing += 1;
      return;
    }
    if (!(error instanceof SourceFileTooLargeError)) throw error;
    await deps.models.recordTooLarge({ repositoryUuid: target.uuid, path, commit, size: error.size ?? 0, ...(blobId ? { blobId } : {}) });
    counts.tooLarge += 1;
    counts[change] += 1;
    return;
  }
  const record = await deps.models.putModel({ repositoryUuid: target.uuid, path, commit, bytes });
  if (record.status === 'invalid') counts.invalid += 1;
  counts[change] += 1;
}
