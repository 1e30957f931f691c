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
  const concurrency = Math.max(1, options.concurrency ?? 8);
  const safetyMarginMs = options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS;
  const checkpointEvery = Math.max(1, options.checkpointEvery ?? 100);
  const counts = { ...zeroCounts(), ...start.counts }; // progress saved before a count existed lacks it
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
    return {
      ...progress,
      counts: { ...counts },
      watermark: prefix > 0 ? ops[prefix - 1]!.key : progress.watermark,
      done: (start.done ?? 0) + applied,
    };
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
          } else if (error instanceof SourceDeadlineError) {
            // A request cut at the invocation's deadline: the op is not done, the continuation does it.
            stoppedBy ??= 'deadline';
          } else {
            failure ??= error;
          }
          return;
        }
        if (sinceCheckpoint >= checkpointEvery) {
          sinceCheckpoint = 0;
          try {
            await saveCheckpoint();
          } catch (error) {
            // One failure stops every worker: none starts another op, and the run returns once all have stopped.
            failure ??= error;
            return;
          }
        }
      }
    };
    // Workers never reject (failures are kept in `failure`), so this waits for every one of them.
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
