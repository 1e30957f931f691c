/**
 * The change records of the hub: what a consumer of the changes feed (`GET /changes`) and of the EventBridge bus
 * receives, in one shape for both. Written once per committed change by `commit-changes.ts`; the schema is
 * documented in docs/EVENTS.md, and `schemaVersion` changes only when a field changes meaning or goes away.
 */

/** Version of every record's detail; additive fields keep it. */
export const CHANGE_SCHEMA_VERSION = 1;

/** The EventBridge `source` of every change event. */
export const CHANGE_EVENT_SOURCE = 'model-hub-sync';

/** The EventBridge `detail-type`s, one per kind of record. */
export type ChangeDetailType = 'Model Changed' | 'Repository Synced' | 'Replica Drift';

/** The repository a record is about: its uuid (stable across renames) and its name when the record was written. */
export interface ChangedRepository {
  readonly uuid: string;
  readonly fullName: string;
}

/** What every detail carries. */
interface DetailBase {
  readonly schemaVersion: typeof CHANGE_SCHEMA_VERSION;
  /**
   * Names the change, not the delivery: a record delivered twice (at least once) carries the same key, so a consumer
   * that remembers keys acts once per change.
   */
  readonly idempotencyKey: string;
  readonly repository: ChangedRepository;
  /** When the change was committed (the sync's cursor advanced past it), ISO 8601. */
  readonly committedAt: string;
}

/** The state of a model at one side of a change: what a reader of the replica got (or gets). */
export interface ModelVersion {
  readonly blobId?: string;
  readonly sha256?: string;
  readonly size?: number;
  /** `valid`, `invalid` or `too-large` (see docs/CONSUMERS.md). */
  readonly status?: string;
  readonly modelName?: string;
  /** `dbVendor` of the model (e.g. "MongoDB"). */
  readonly vendor?: string;
  /** `appTarget` of the model (e.g. "MONGODB"). */
  readonly target?: string;
}

/** One model added, modified, removed or renamed in the replica by a committed sync (or a verification's repair). */
export interface ModelChangedDetail extends DetailBase, ModelVersion {
  readonly change: 'added' | 'modified' | 'removed' | 'renamed';
  /** The model's path now (for `removed`: the path it had). */
  readonly path: string;
  /** The path before a rename. */
  readonly previousPath?: string;
  /** The commit the replica was brought to. */
  readonly commit: string;
  /** The model's ids before the change (absent for `added`). */
  readonly previous?: ModelVersion;
}

/** A sync that brought a repository's replica to a commit. */
export interface RepositorySyncedDetail extends DetailBase {
  /** The commit synced from (null for a first or full sync without a cursor). */
  readonly fromCommit: string | null;
  readonly toCommit: string;
  readonly branch: string;
  readonly mode: string;
  readonly transport?: string;
  /** Net changes this sync committed (the `Model Changed` records with the same `toCommit`). */
  readonly counts: { readonly added: number; readonly modified: number; readonly removed: number; readonly renamed: number };
}

/** A daily verification that found the replica different from the synced commit, and what it repaired. */
export interface ReplicaDriftDetail extends DetailBase {
  readonly commit: string;
  readonly via?: string;
  readonly drift: {
    readonly count: number;
    readonly missing: number;
    readonly changed: number;
    readonly extra: number;
    readonly misplaced: number;
    readonly corrupt: number;
    readonly paths: readonly string[];
  };
  readonly repaired: number;
  readonly repairIncomplete: boolean;
}

/** A record of the feed, with its type and detail. */
export type ChangeRecord =
  | { readonly detailType: 'Model Changed'; readonly detail: ModelChangedDetail }
  | { readonly detailType: 'Repository Synced'; readonly detail: RepositorySyncedDetail }
  | { readonly detailType: 'Replica Drift'; readonly detail: ReplicaDriftDetail };

/** A record as the feed holds it: its position orders the feed. */
export type FeedRecord = ChangeRecord & { readonly position: string };
