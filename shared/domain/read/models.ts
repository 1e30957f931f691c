/**
 * The models of a repository as the read API shows them: a paginated listing filtered by folder prefix, vendor and
 * target, and one model's metadata. Records only; the bytes are `content.ts`'s.
 */
import type { ModelRecord } from '../../models/model-record';
import { decodeCursor, encodeCursor } from './cursor';
import { ReadError, invalidParameter } from './errors';
import type { ReadPorts } from './ports';
import { findRepository } from './repositories';

/** What a consumer sees of a model (no storage layout: versions, chunks and encodings are the hub's business). */
export interface ModelView {
  readonly path: string;
  /** The commit the stored bytes were read at. */
  readonly commit: string;
  readonly syncedAt: string;
  /** Bytes of the original file. */
  readonly size: number;
  /** Hex SHA-256 of the original bytes; null for `too-large` (never downloaded). */
  readonly sha256: string | null;
  /** Git blob id of the original bytes (the content's ETag); null when unknown. */
  readonly blobId: string | null;
  /** valid (a JSON object), invalid (kept byte-exact, not a model object), too-large (no content kept). */
  readonly status: ModelRecord['status'];
  readonly modelName: string | null;
  readonly dbVendor: string | null;
  readonly appTarget: string | null;
  readonly dbVersion: string | number | null;
  readonly guid: string | null;
  readonly lastModified: string | number | null;
  /** Sizes of the model's main arrays (containers = `buckets`, entities = `collections`); null unless valid. */
  readonly counts: { containers: number; entities: number; relationships: number; views: number } | null;
  /** Why the bytes are not a model object, for `invalid`. */
  readonly parseError?: string;
}

/** One model with the names of its first entities (at most 100). */
export interface ModelDetails extends ModelView {
  readonly entityNames: readonly string[];
}

export interface ModelQuery {
  readonly repository: string;
  /** Path prefix; a folder is `folder/`. */
  readonly prefix?: string;
  /** `dbVendor`, compared case-insensitively. */
  readonly vendor?: string;
  /** `appTarget`, compared case-insensitively. */
  readonly target?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface ModelPage {
  readonly repository: { readonly uuid: string; readonly fullName: string };
  readonly models: readonly ModelView[];
  /** Pass it as `cursor` for the next page; null on the last. A page may be short, even empty, before the last. */
  readonly nextCursor: string | null;
}

export const DEFAULT_MODEL_PAGE = 100;
export const MAX_MODEL_PAGE = 1000;
/** Records read per request at most when filters reject most: the page then ends early with a cursor. */
const MAX_EXAMINED = 5000;
const MAX_FILTER_LENGTH = 1024;
/** JSON characters of models a page holds at most (a Lambda answer carries 6 MB; paths may be 4,096 characters). */
const MAX_PAGE_CHARS = 3 * 1024 * 1024;

/** A page of a repository's models in path order. */
export async function listModels(ports: ReadPorts, query: ModelQuery): Promise<ModelPage> {
  const limit = checkLimit(query.limit);
  for (const name of ['prefix', 'vendor', 'target'] as const) checkFilter(name, query[name]);
  const repository = await findRepository(ports, query.repository);
  const queryKey = JSON.stringify([repository.uuid, query.prefix ?? '', lower(query.vendor), lower(query.target)]);
  let after = query.cursor === undefined ? undefined : decodeCursor(query.cursor, queryKey);
  const matches = (record: ModelRecord) =>
    (query.prefix === undefined || record.path.startsWith(query.prefix)) &&
    (query.vendor === undefined || lower(record.dbVendor) === lower(query.vendor)) &&
    (query.target === undefined || lower(record.appTarget) === lower(query.target));

  const models: ModelView[] = [];
  let examined = 0;
  let chars = 0;
  for (;;) {
    const page = await ports.models.listModelPage(repository.uuid, { prefix: query.prefix, afterPath: after, limit: Math.max(limit, 100) });
    for (const [index, record] of page.records.entries()) {
      after = record.path;
      examined++;
      if (!matches(record)) continue;
      const view = modelView(record);
      models.push(view);
      chars += JSON.stringify(view).length;
      if (models.length === limit || chars >= MAX_PAGE_CHARS) {
        const more = page.more || index < page.records.length - 1;
        return { repository: names(repository), models, nextCursor: more ? encodeCursor(after, queryKey) : null };
      }
    }
    if (!page.more || page.records.length === 0) return { repository: names(repository), models, nextCursor: null };
    if (examined >= MAX_EXAMINED) return { repository: names(repository), models, nextCursor: encodeCursor(after!, queryKey) };
  }
}

/** One model's metadata; a `not-found` ReadError when the repository has no model at `path`. */
export async function getModelDetails(ports: ReadPorts, repositoryUuid: string, path: string): Promise<ModelDetails> {
  const repository = await findRepository(ports, repositoryUuid);
  const record = await ports.models.getRecord(repository.uuid, checkPath(path));
  if (!record) throw modelNotFound(repository.fullName, path);
  return { ...modelView(record), entityNames: record.entityNames ?? [] };
}

export function modelNotFound(fullName: string, path: string): ReadError {
  return new ReadError(
    'not-found',
    'model-not-found',
    `${fullName} has no replicated model at ${JSON.stringify(path)}`,
    'GET /repositories/{uuid}/models lists the paths; a path is exact (case, slashes, no leading /)',
  );
}

/** A model path parameter: present, at most 4,096 characters. */
export function checkPath(path: string | undefined): string {
  if (path === undefined || path === '')
    throw invalidParameter(
      'path',
      'is missing',
      'pass the model path as the query parameter path, URL-encoded (e.g. path=models%2Fa.hck.json)',
    );
  if (path.length > 4096)
    throw invalidParameter('path', 'is longer than 4,096 characters', 'pass a path of GET /repositories/{uuid}/models');
  return path;
}

export function modelView(record: ModelRecord): ModelView {
  const valid = record.status === 'valid';
  return {
    path: record.path,
    commit: record.commit,
    syncedAt: record.syncedAt,
    size: record.size,
    sha256: record.sha256 ?? null,
    blobId: record.blobId ?? null,
    status: record.status,
    modelName: record.modelName ?? null,
    dbVendor: record.dbVendor ?? null,
    appTarget: record.appTarget ?? null,
    dbVersion: record.dbVersion ?? null,
    guid: record.GUID ?? null,
    lastModified: record.lastModifTS ?? null,
    counts: valid
      ? {
          containers: record.buckets ?? 0,
          entities: record.collections ?? 0,
          relationships: record.relationships ?? 0,
          views: record.views ?? 0,
        }
      : null,
    ...(record.parseError !== undefined ? { parseError: record.parseError } : {}),
  };
}

function checkLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_MODEL_PAGE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_MODEL_PAGE)
    throw invalidParameter('limit', `must be a whole number from 1 to ${MAX_MODEL_PAGE}`, `omit it for ${DEFAULT_MODEL_PAGE} per page`);
  return limit;
}

function checkFilter(name: string, value: string | undefined): void {
  if (value !== undefined && (value === '' || value.length > MAX_FILTER_LENGTH))
    throw invalidParameter(name, `must be 1 to ${MAX_FILTER_LENGTH} characters`, `omit ${name} to list every model`);
}

function lower(value: string | undefined): string {
  return (value ?? '').toLowerCase();
}

function names(repository: { uuid: string; fullName: string }) {
  return { uuid: repository.uuid, fullName: repository.fullName };
}
