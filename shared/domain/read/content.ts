/**
 * A model's exact original bytes for the read API: conditional (`If-None-Match`, `If-Match`), in the stored
 * compression when the client takes it, and in ranges, because one response carries only so many bytes (Lambda's
 * 6 MB response limit) while a model may be 32 MiB. Entity tags are the git blob id of the original bytes.
 */
import { gitBlobId } from '../../models/git-blob-id';
import type { ModelRecord } from '../../models/model-record';
import { ModelBodyInconsistentError, ModelBodyNotStoredError } from '../sync/errors';
import { ReadError } from './errors';
import { checkPath, modelNotFound } from './models';
import type { ReadPorts, StoredModel } from './ports';
import { findRepository } from './repositories';

/** `bytes=start-end` (end inclusive, open when absent) or `bytes=-suffix` (the last `suffix` bytes). */
export type ByteRange = { readonly start: number; readonly end?: number } | { readonly suffix: number };

export interface ContentRequest {
  readonly repository: string;
  readonly path: string;
  /** Content codings the client accepts besides identity (`br`, `gzip`), as `Accept-Encoding` lists them. */
  readonly acceptEncodings: readonly string[];
  /** Entity tags of `If-None-Match` without quotes or `W/`; `*` for any. */
  readonly ifNoneMatch?: readonly string[];
  /** Entity tags of `If-Match`; `*` for any. */
  readonly ifMatch?: readonly string[];
  /** The entity tag of `If-Range`: the range is served only while it is the current one. */
  readonly ifRange?: string;
  readonly range?: ByteRange;
  /** Most bytes one answer may carry. */
  readonly maxBytes: number;
}

/** The representation served: its coding, entity tag and total length. */
export interface Representation {
  readonly encoding: string;
  readonly etag: string;
  readonly totalBytes: number;
  readonly record: ModelRecord;
}

export type ContentAnswer =
  | ({ readonly kind: 'not-modified' } & Representation)
  | ({ readonly kind: 'content'; readonly bytes: Buffer; readonly range?: { start: number; end: number } } & Representation);

/** The content as asked, or a ReadError saying what to ask instead. */
export async function getModelContent(ports: ReadPorts, request: ContentRequest): Promise<ContentAnswer> {
  const repository = await findRepository(ports, request.repository);
  const path = checkPath(request.path);
  const record = await ports.models.getRecord(repository.uuid, path);
  if (!record) throw modelNotFound(repository.fullName, path);
  if (record.status === 'too-large') throw notStored(repository.fullName, record);
  // A revalidation with a current tag needs no body read.
  if (record.blobId && anyMatch(request.ifNoneMatch, record.blobId))
    return { kind: 'not-modified', ...representation(record, record.blobId, chooseEncoding(record.encoding, request), record.size) };

  const stored =
    ports.storedModels?.get(repository.uuid, path, record.version) ?? (await readStored(ports, repository.uuid, path, repository.fullName));
  ports.storedModels?.set(repository.uuid, stored);
  const blobId = stored.record.blobId ?? gitBlobId(stored.body);
  const encoding = chooseEncoding(stored.stored.encoding, request);
  const bytes = encoding === 'identity' ? stored.body : stored.stored.bytes;
  const served = representation(stored.record, blobId, encoding, bytes.byteLength);
  if (anyMatch(request.ifNoneMatch, blobId)) return { kind: 'not-modified', ...served };
  if (request.ifMatch !== undefined && !anyMatch(request.ifMatch, blobId))
    throw new ReadError(
      'precondition-failed',
      'model-changed',
      `${path} in ${repository.fullName} changed: its content is now ${blobId}`,
      'start the download again without If-Match (its parts so far belong to the earlier version)',
      { etag: served.etag },
    );
  // Empty content has no satisfiable range (RFC 9110): it is served whole instead.
  if (request.range && bytes.byteLength > 0 && (request.ifRange === undefined || request.ifRange === served.etag)) {
    const { start, end } = resolveRange(request.range, bytes.byteLength);
    const last = Math.min(end, start + request.maxBytes - 1);
    return { kind: 'content', ...served, bytes: bytes.subarray(start, last + 1), range: { start, end: last } };
  }
  if (bytes.byteLength > request.maxBytes) throw tooLargeForOneAnswer(served, stored, request);
  return { kind: 'content', ...served, bytes };
}

/** The entity tag of a representation: the blob id, with the coding appended unless identity. */
export function entityTag(blobId: string, encoding: string): string {
  return encoding === 'identity' ? blobId : `${blobId}.${encoding}`;
}

function representation(record: ModelRecord, blobId: string, encoding: string, totalBytes: number): Representation {
  return { encoding, etag: entityTag(blobId, encoding), totalBytes, record };
}

/** The stored coding when the client accepts it (the bytes pass through), else identity. */
function chooseEncoding(storedEncoding: string | undefined, request: ContentRequest): string {
  return storedEncoding && storedEncoding !== 'identity' && request.acceptEncodings.includes(storedEncoding) ? storedEncoding : 'identity';
}

/** Whether a tag list names these bytes in any coding (`*` names any). */
function anyMatch(tags: readonly string[] | undefined, blobId: string): boolean {
  return (tags ?? []).some((tag) => tag === '*' || tag === blobId || tag.startsWith(`${blobId}.`));
}

async function readStored(ports: ReadPorts, repositoryUuid: string, path: string, fullName: string): Promise<StoredModel> {
  let stored: StoredModel | undefined;
  try {
    stored = await ports.models.getStoredModel(repositoryUuid, path);
  } catch (error) {
    if (error instanceof ModelBodyNotStoredError) throw notStored(fullName, error.record);
    if (error instanceof ModelBodyInconsistentError)
      throw new ReadError(
        'unavailable',
        'content-changing',
        `the content of ${path} in ${fullName} is being rewritten`,
        'try again in a few seconds; if it persists, the daily verification (or sync --verify) repairs it',
      );
    throw error;
  }
  if (!stored) throw modelNotFound(fullName, path);
  return stored;
}

function resolveRange(range: ByteRange, total: number): { start: number; end: number } {
  const bounds =
    'suffix' in range
      ? { start: Math.max(0, total - range.suffix), end: total - 1 }
      : { start: range.start, end: Math.min(range.end ?? total - 1, total - 1) };
  if (total === 0 || bounds.start >= total || bounds.start > bounds.end || ('suffix' in range && range.suffix === 0))
    throw new ReadError(
      'range-not-satisfiable',
      'range-not-satisfiable',
      `the range asked lies outside the content (${total} bytes)`,
      `ask for bytes within 0-${Math.max(0, total - 1)}`,
      { size: total },
    );
  return bounds;
}

function notStored(fullName: string, record: ModelRecord): ReadError {
  return new ReadError(
    'not-stored',
    'content-not-stored',
    `${record.path} in ${fullName} is ${record.size} bytes, over the hub's size limit: only its metadata is kept`,
    'read it from Bitbucket',
  );
}

function tooLargeForOneAnswer(served: Representation, stored: StoredModel, request: ContentRequest): ReadError {
  const compressed = stored.stored.encoding !== 'identity' && served.encoding === 'identity' ? stored.stored.bytes.byteLength : undefined;
  const coding =
    compressed !== undefined && compressed <= request.maxBytes
      ? ` or send Accept-Encoding: ${stored.stored.encoding} (${compressed} bytes, one answer)`
      : '';
  return new ReadError(
    'too-large',
    'range-required',
    `the content is ${served.totalBytes} bytes; one answer carries at most ${request.maxBytes}`,
    `ask for it in parts with Range: bytes=0-${request.maxBytes - 1}, then bytes=${request.maxBytes}-… until Content-Range's total${coding}; the typed client does this for you`,
    { size: served.totalBytes, maxBytes: request.maxBytes },
  );
}
