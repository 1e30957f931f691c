// The shape of a stored model record, shared by the store, the sync engine and the CLI so they agree on what a
// replicated model is.
import { randomBytes } from 'node:crypto';
import type { ModelMetadata } from './hackolade-metadata';
import type { ModelBodyEncoding } from './model-body-codec';

/** Largest model body the hub stores (32 MiB); larger files get a `too-large` record without a body. */
export const MAX_MODEL_BYTES = 32 * 1024 * 1024;

/** `valid`: parsed as a JSON object; `invalid`: kept byte-exact with `parseError`; `too-large`: over the limit, no body. */
export type ModelStatus = 'valid' | 'invalid' | 'too-large';

/** `inline`: compressed body in the record item; `chunked`: in chunk items of `version`; `none`: no body kept. */
export type ModelStorage = 'inline' | 'chunked' | 'none';

/**
 * What the hub knows about one replicated model file, without its body. Metadata fields are flattened in
 * (present for `valid` models; counts always set then, identity fields only when found in the file).
 */
export interface ModelRecord extends Partial<ModelMetadata> {
  /** Bitbucket repository uuid with braces, e.g. `{5d0c…}`. */
  readonly repositoryUuid: string;
  /** Repository-relative path with `/`. */
  readonly path: string;
  /** Commit the stored bytes were read at (for a move: the commit of the rename). */
  readonly commit: string;
  /** Size of the original file in bytes. */
  readonly size: number;
  /** Lower-case hex SHA-256 of the original bytes; absent for `too-large` (never downloaded). */
  readonly sha256?: string;
  /**
   * Git blob id of the original bytes (`gitBlobId`), however they were fetched: a full sync compares it with the
   * tree's entries to skip unchanged models. Absent on records written before it was kept, and on `too-large`
   * records whose tree entry was not seen: unknown, so such a model is fetched again.
   */
  readonly blobId?: string;
  /** ISO time of the write. */
  readonly syncedAt: string;
  readonly status: ModelStatus;
  /** Names of the model's first entities (`collections[].collectionName`, at most 100), for search; absent when none. */
  readonly entityNames?: readonly string[];
  /** Why the bytes are not a model object (parser message), for `invalid`. */
  readonly parseError?: string;
  /** Random id of this write; chunk keys and optimistic concurrency use it. A move keeps it. */
  readonly version: string;
  /** Encoding of the stored body; absent when no body is stored. */
  readonly encoding?: ModelBodyEncoding;
  readonly storage: ModelStorage;
  /** Number of chunk items (0 unless `chunked`). */
  readonly chunkCount: number;
  /** Bytes of the stored (compressed) body, inline or summed over chunks; 0 without body. Compare with `size`. */
  readonly storedBytes: number;
  /**
   * Set when the chunks of `version` may be referenced by another record (this record took part in a move).
   * Deleting or overwriting such a record then checks for other references before deleting chunks.
   */
  readonly sharedChunks?: boolean;
  /** Generation of the repository whose sync wrote it (`RepositoryConfig.generation`); absent for unfenced writes. */
  readonly generation?: string;
  /**
   * Number of stored pieces of this version's entity index (`entity-index.ts`; 0: none, the index is empty or
   * `indexInline`). Absent on
   * records written before indexes were kept, and on `too-large` records (no body to index).
   */
  readonly indexChunks?: number;
  /** Set when the entity index is kept in the record item itself (a small one; `indexChunks` is then 0). */
  readonly indexInline?: boolean;
  /** Entries of the entity index (containers, entities, attributes); present with `indexChunks`. */
  readonly indexEntries?: number;
  /** Set when the entity index was cut short by its caps (see `MAX_INDEX_ENTRIES`). */
  readonly indexTruncated?: boolean;
}

/** A fresh record version: 96 random bits, URL-safe base64, so it never contains the key separator '#'. */
export function newRecordVersion(): string {
  return randomBytes(12).toString('base64url');
}

/** What a store knows of a model over the size limit (the input of a store's `recordTooLarge`). */
export interface TooLargeModel {
  readonly repositoryUuid: string;
  readonly path: string;
  readonly commit: string;
  /** Size of the file as reported by Bitbucket. */
  readonly size: number;
  /** Git blob id of the file, when a git tree named it (REST never downloads a too-large file, so cannot know it). */
  readonly blobId?: string;
  /** @default now */
  readonly syncedAt?: string;
  /** Repository generation of the write (see `WriteFence` in the sync ports). @default unfenced */
  readonly generation?: string;
}

/** The `too-large` record of such a model, under a new version: its size (and blob id when known), no body. */
export function tooLargeRecord(input: TooLargeModel): ModelRecord {
  const { repositoryUuid, path, commit, size } = input;
  return {
    repositoryUuid,
    path,
    commit,
    size,
    ...(input.blobId ? { blobId: input.blobId } : {}),
    syncedAt: input.syncedAt ?? new Date().toISOString(),
    status: 'too-large',
    version: newRecordVersion(),
    storage: 'none',
    chunkCount: 0,
    storedBytes: 0,
    ...(input.generation !== undefined ? { generation: input.generation } : {}),
  };
}
