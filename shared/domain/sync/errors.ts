// The sync engine's own errors, so adapters translate Bitbucket or DynamoDB failures into what the engine acts on.
import { ModelHubError } from '../../util/model-hub-error';
import type { ModelRecord } from '../../models/model-record';
import type { ForeignGenerationRecord } from './ports';

/** The diff between two commits cannot be had (too large, or a commit vanished in a history rewrite). */
export class DiffUnavailableError extends ModelHubError {}

/** The source's rate limit is exhausted; waiting is not a failure, the sync resumes after `retryAfterMs`. */
export class SourceRateLimitedError extends ModelHubError {
  constructor(
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

/** A model file is larger than the hub stores (Hackolade's own limit is 32 MB). */
export class SourceFileTooLargeError extends ModelHubError {
  constructor(
    message: string,
    readonly size: number | undefined,
  ) {
    super(message);
  }
}

/** Why a snapshot could not be had, which decides what later runs of the same target do. */
export type SnapshotUnavailableReason =
  /** git refused, was unreachable or kept failing: this run reads over REST, a later one tries git again. */
  | 'failed'
  /** The head's pack is over the fetch's memory budget: fetching it again would fail the same way. */
  | 'too-large'
  /** The fetch ran into the invocation's deadline: no time is left to read anything in this run. */
  | 'deadline';

/** The source cannot give a snapshot this time: read over REST instead. */
export class SnapshotUnavailableError extends ModelHubError {
  constructor(
    message: string,
    readonly reason: SnapshotUnavailableReason = 'failed',
  ) {
    super(message);
  }
}

/** A file the tree lists cannot be downloaded (404: e.g. a Git LFS object missing from Bitbucket's media store). */
export class SourceFileMissingError extends ModelHubError {}

/** The invocation's time for source requests ran out before an answer (its deadline minus the safety margin). */
export class SourceDeadlineError extends ModelHubError {}

/**
 * Planning ran out of the invocation's time: the run keeps its target for a continuation. `gitSkipped` says why that
 * continuation reads over REST (the git fetch is what took the time, or its pack is over the budget), when it does.
 */
export class PlanDeadlineError extends SourceDeadlineError {
  constructor(
    message: string,
    readonly gitSkipped?: string,
  ) {
    super(message);
  }
}

/** The path is a symbolic link or a submodule, not a file: never a model, whatever its name. */
export class SourceEntryNotAFileError extends ModelHubError {
  constructor(
    message: string,
    readonly kind: 'symlink' | 'submodule',
  ) {
    super(message);
  }
}

/** The repository was removed (or removed and added anew) while this work ran: nothing it wrote is kept. */
export class RepositoryRemovedError extends ModelHubError {}

/**
 * Another writer changed or created the model record since this write read it, or the record belongs to another
 * repository generation (then `heldBy` names it: see `ForeignGenerationRecord`); nothing of this write is visible.
 */
export class ModelWriteConflictError extends ModelHubError {
  constructor(
    readonly repositoryUuid: string,
    readonly path: string,
    readonly heldBy?: ForeignGenerationRecord,
  ) {
    super(
      heldBy
        ? `model ${path} in ${repositoryUuid} belongs to repository generation ${heldBy.generation}`
        : `model ${path} in ${repositoryUuid} was changed concurrently`,
    );
  }
}

/** Another writer changed the sync state since it was read. */
export class SyncStateConflictError extends ModelHubError {}

/** The model is over the size limit: store it with `DynamoDbModelStore.recordTooLarge` instead. */
export class ModelTooLargeError extends ModelHubError {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`model ${path} has ${size} bytes, over the ${limit}-byte limit; record it as too-large instead`);
  }
}

/** The record exists but keeps no body (status `too-large`). */
export class ModelBodyNotStoredError extends ModelHubError {
  constructor(readonly record: ModelRecord) {
    super(`model ${record.path} in ${record.repositoryUuid} has no stored body (status ${record.status})`);
  }
}

/** The stored body did not match its record (missing chunks, wrong hash) even after re-reading. */
export class ModelBodyInconsistentError extends ModelHubError {}
