/**
 * What the read use cases need from storage, so they stay pure and run in tests on in-memory fakes. The DynamoDB
 * adapters (model reader, repository store, events log) implement them; the reader function wires them.
 */
import type { RepositoryConfig } from '../repository-config';
import type { LoggedEvent } from '../logged-event';
import type { SyncState } from '../sync/ports';
import type { ModelRecord } from '../../models/model-record';
import type { ChangeFeed } from '../changes/ports';
import type { EntitySearchSource } from './search-entities';
import type { StoredModelCache } from './stored-model-cache';

/** The added repositories and where their replication stands. */
export interface RepositoryDirectory {
  listRepositories(): Promise<RepositoryConfig[]>;
  getRepository(uuid: string): Promise<RepositoryConfig | undefined>;
  getSyncState(uuid: string): Promise<SyncState>;
}

/** The latest events of a repository, newest first (sync runs tell a failed repository). */
export interface RecentEvents {
  list(options: { repositoryUuid: string; limit: number }): Promise<LoggedEvent[]>;
}

/** One page of model records in path order (the store's sort-key order), and whether more follow. */
export interface ModelRecordPage {
  readonly records: readonly ModelRecord[];
  /** True when records after the last one exist (under the same prefix). */
  readonly more: boolean;
}

/** A stored model: its record, its exact original bytes (checked against the record) and the bytes as stored. */
export interface StoredModel {
  readonly record: ModelRecord;
  readonly body: Buffer;
  /** The stored encoding (`br`, `gzip`, `identity`) and the stored bytes, which decode to `body`. */
  readonly stored: { readonly encoding: string; readonly bytes: Buffer };
}

/** The models of the replica, read consistently. */
export interface ModelCatalog {
  /**
   * Records whose path starts with `prefix` (all when absent), after `afterPath` (exclusive; from the start when
   * absent), at most `limit` of them, in the store's path order.
   */
  listModelPage(repositoryUuid: string, options: { prefix?: string; afterPath?: string; limit: number }): Promise<ModelRecordPage>;
  countModels(repositoryUuid: string): Promise<number>;
  getRecord(repositoryUuid: string, path: string): Promise<ModelRecord | undefined>;
  /**
   * The stored model, or undefined without a record. Throws `ModelBodyNotStoredError` for a `too-large` record and
   * `ModelBodyInconsistentError` when the body does not match its record (a rewrite raced the read).
   */
  getStoredModel(repositoryUuid: string, path: string): Promise<StoredModel | undefined>;
}

/** Everything the read use cases read. */
export interface ReadPorts {
  readonly repositories: RepositoryDirectory;
  readonly events: RecentEvents;
  readonly models: ModelCatalog;
  /** The entity indexes (search-entities.ts); absent where the hub has none to read. */
  readonly search?: EntitySearchSource;
  /** The change records (changes-since.ts); absent where the hub has none to read. */
  readonly changes?: ChangeFeed;
  /** Bodies kept between requests of one container (ranged downloads read a body once). */
  readonly storedModels?: StoredModelCache;
  /** Model counts a container keeps, by repository, generation and sync state revision (see repositories.ts). */
  readonly modelCounts?: Map<string, number>;
  /** The clock, for the `rate-limited` status. */
  readonly now?: () => Date;
}
