/**
 * The ports of the change records: the write side a sync uses (intents, commits, the feed) and the read side the
 * changes feed uses, so the protocol in `commit-changes.ts` and `changes-since.ts` is pure and tested on fakes.
 */
import type { ModelRecord } from '../../models/model-record';
import type { FeedRecord, ModelVersion } from './change-records';

/** Whose uncommitted changes: one repository generation (a re-added repository starts with none). */
export interface ChangeScope {
  readonly repositoryUuid: string;
  readonly generation?: string;
}

/**
 * A path a sync is about to write, recorded before the write: what a reader got there at the last commit. Only the
 * first intent of a path counts until the next commit, so `before` is always the committed state.
 */
export interface ChangeIntent {
  readonly path: string;
  /** Random, kept with the intent: the idempotency key of the change it becomes, however often it is committed. */
  readonly changeId: string;
  /** The committed record at `path`; absent when there was none. */
  readonly before?: ModelVersion & { readonly version: string };
  /** Set on both paths of a move (this path's model went to `movedTo`, or came from `movedFrom`). */
  readonly movedTo?: string;
  readonly movedFrom?: string;
}

/** A commit in progress: the feed holds back every position from `startedAt` on until it ends (or expires). */
export interface OpenCommit {
  readonly scope: string;
  readonly startedAt: string;
}

/** What a sync writes (the DynamoDB change store, an in-memory fake). */
export interface ChangeLog {
  /** Records `intent` unless the path has one pending (then a no-op). */
  recordIntent(scope: ChangeScope, intent: ChangeIntent): Promise<void>;
  pendingIntents(scope: ChangeScope): Promise<ChangeIntent[]>;
  /** Removes the pending intents of `paths` (committed). */
  clearIntents(scope: ChangeScope, paths: readonly string[]): Promise<void>;
  /** Marks a commit of `scope` as in progress from `startedAt` (replacing an earlier mark of the scope). */
  openCommit(scope: ChangeScope, startedAt: string): Promise<void>;
  closeCommit(scope: ChangeScope): Promise<void>;
  /** Writes records to the feed (a record at an existing position replaces it). */
  append(records: readonly FeedRecord[]): Promise<void>;
}

/** What the changes feed reads. */
export interface ChangeFeed {
  /** Records with `after` < position < `before` (`after` absent: from the oldest kept), ascending, at most `limit`. */
  readFeed(range: { readonly after?: string; readonly before: string; readonly limit: number }): Promise<FeedRecord[]>;
  openCommits(): Promise<OpenCommit[]>;
}

/** The model record a reader gets at a path (both model stores have it). */
export interface ModelRecordReader {
  getRecord(repositoryUuid: string, path: string): Promise<ModelRecord | undefined>;
}
