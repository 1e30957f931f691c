/**
 * The typed client of the Model Hub read API (docs/CONSUMERS.md): signs every request with SigV4, follows pagination,
 * downloads a model of any size in parts with brotli on the wire, and checks its SHA-256 before handing it over.
 * It depends on the AWS SDK's signer only, so a consumer can import it without the hub's CLI or local runtime.
 */
import { createHash } from 'node:crypto';
import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import type { ModelDetails, ModelPage, ModelView } from '../shared/domain/read/models';
import type { RepositoryView } from '../shared/domain/read/repositories';
import type { EntityKind, NameMatch, SearchHit } from '../shared/domain/read/search-entities';
import type { ChangeRecord } from '../shared/domain/changes/change-records';
import { signedGet, type RawResponse, type SignedHttpOptions } from './signed-http';

export type { ChangeRecord, ModelDetails, ModelPage, ModelView, RepositoryView, SearchHit };

/** A search: `q` in container, entity and attribute names (case-insensitive), with optional filters. */
export interface SearchQuery {
  readonly q: string;
  /** @default substring */
  readonly match?: NameMatch;
  /** A repository uuid. */
  readonly repository?: string;
  readonly type?: EntityKind;
  /** `appTarget` or `dbVendor`, case-insensitive. */
  readonly target?: string;
  readonly limit?: number;
  readonly cursor?: string;
}

export interface SearchPage {
  readonly hits: readonly SearchHit[];
  readonly nextCursor: string | null;
  /** Models passed over that have no index yet (written before indexing; they get one on their next sync). */
  readonly notIndexed: number;
  /** Models whose index is cut short (over the per-model caps). */
  readonly truncated: number;
}

export interface ChangesPage {
  /** Oldest first. */
  readonly items: readonly ChangeRecord[];
  /** Always set: keep it and call again later (fewer items than the limit mean the feed was read up to now). */
  readonly nextCursor: string;
}

/** The read contract this client speaks. */
export const SCHEMA_VERSION = 1;

export interface ModelHubClientOptions extends SignedHttpOptions {
  /** The read API's base URL, ending in `/gateway/api/v1` (a stack output; `npm start` prints the local one). */
  readonly baseUrl: string;
}

export interface ModelFilters {
  /** Path prefix; a folder is `folder/`. */
  readonly prefix?: string;
  /** `dbVendor`, case-insensitive (e.g. `MongoDB`). */
  readonly vendor?: string;
  /** `appTarget`, case-insensitive (e.g. `MONGODB`). */
  readonly target?: string;
}

/** A downloaded model: its exact original bytes, checked against the SHA-256 the hub recorded. */
export interface DownloadedModel {
  readonly notModified: false;
  readonly bytes: Buffer;
  /** The `ETag` of the bytes (their git blob id); pass it as `ifNoneMatch` to download again only after a change. */
  readonly etag: string;
  readonly sha256: string;
  readonly commit: string;
  /** Bytes received over the wire (less than `bytes.length` when brotli travelled). */
  readonly wireBytes: number;
  readonly requests: number;
}

/** An error answer of the read API: what went wrong, what to do next, and a stable code. */
export class ModelHubApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly hint: string,
  ) {
    super(`${message} (${status} ${code}); ${hint}`);
    this.name = 'ModelHubApiError';
  }
}

/** Downloads are started over at most this many times when the model changes between their parts. */
const MAX_RESTARTS = 3;

export class ModelHubClient {
  private readonly base: URL;

  constructor(private readonly options: ModelHubClientOptions) {
    this.base = new URL(options.baseUrl.replace(/\/+$/, ''));
  }

  async listRepositories(): Promise<RepositoryView[]> {
    return (await this.json<{ repositories: RepositoryView[] }>(['repositories'])).repositories;
  }

  async getRepository(uuid: string): Promise<RepositoryView> {
    return (await this.json<{ repository: RepositoryView }>(['repositories', uuid])).repository;
  }

  /** One page of a repository's models; pass the previous page's `nextCursor` as `cursor` for the next. */
  async listModelPage(repository: string, options: ModelFilters & { limit?: number; cursor?: string } = {}): Promise<ModelPage> {
    const { prefix, vendor, target, cursor } = options;
    const query = definedOnly({ prefix, vendor, target, cursor, limit: options.limit?.toString() });
    return this.json<ModelPage>(['repositories', repository, 'models'], query);
  }

  /** Every model of a repository that matches the filters, page after page. */
  async *models(repository: string, filters: ModelFilters & { pageSize?: number } = {}): AsyncGenerator<ModelView> {
    let cursor: string | undefined;
    do {
      const page = await this.listModelPage(repository, { ...filters, limit: filters.pageSize, cursor });
      yield* page.models;
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
  }

  async getModel(repository: string, path: string): Promise<ModelDetails> {
    return (await this.json<{ model: ModelDetails }>(['repositories', repository, 'model'], { path })).model;
  }

  /** One page of search hits; pass `nextCursor` as `cursor` for the next. */
  async search(query: SearchQuery): Promise<SearchPage> {
    return this.json<SearchPage>(['search'], definedOnly({ ...query, limit: query.limit?.toString() }));
  }

  /** The change records after `cursor` (from the oldest kept without one); keep `nextCursor` and poll again. */
  async changes(options: { cursor?: string; limit?: number } = {}): Promise<ChangesPage> {
    return this.json<ChangesPage>(['changes'], definedOnly({ cursor: options.cursor, limit: options.limit?.toString() }));
  }

  /**
   * The model's exact original bytes, however large (in parts of what one answer carries), brotli on the wire unless
   * `compressed: false`; `{ notModified: true }` when `ifNoneMatch` is still its ETag. Throws when the bytes do not
   * match the recorded SHA-256.
   */
  async download(
    repository: string,
    path: string,
    options: { ifNoneMatch?: string; compressed?: boolean } = {},
  ): Promise<DownloadedModel | { readonly notModified: true; readonly etag: string }> {
    for (let restart = 0; ; restart++) {
      try {
        return await this.downloadOnce(repository, path, options);
      } catch (error) {
        if (!(error instanceof ModelHubApiError && error.code === 'model-changed') || restart >= MAX_RESTARTS) throw error;
      }
    }
  }

  private async downloadOnce(
    repository: string,
    path: string,
    options: { ifNoneMatch?: string; compressed?: boolean },
  ): Promise<DownloadedModel | { readonly notModified: true; readonly etag: string }> {
    const accept = options.compressed === false ? 'identity' : 'br';
    const parts: Buffer[] = [];
    let first: RawResponse | undefined;
    let received = 0;
    let total: number;
    do {
      // Later parts must come from the same version: If-Match fails with model-changed (412) after a rewrite.
      const conditions: Record<string, string> = first
        ? { 'if-match': headerOf(first, 'etag') }
        : options.ifNoneMatch
          ? { 'if-none-match': options.ifNoneMatch }
          : {};
      const response = await this.get(
        ['repositories', repository, 'content'],
        { path },
        {
          'accept-encoding': accept,
          range: `bytes=${received}-`,
          ...conditions,
        },
      );
      if (response.status === 304) return { notModified: true, etag: headerOf(response, 'etag') };
      if (response.status !== 200 && response.status !== 206) throw apiError(response);
      if (first && headerOf(response, 'content-encoding') !== headerOf(first, 'content-encoding'))
        throw new Error('the content coding changed between the parts of a download');
      total = response.status === 200 ? response.body.byteLength : totalOfPart(response, received);
      first ??= response;
      parts.push(response.body);
      received += response.body.byteLength;
    } while (received < total);
    return verified(first, decode(Buffer.concat(parts), headerOf(first, 'content-encoding')), {
      wireBytes: received,
      requests: parts.length,
    });
  }

  /** A JSON document of the API, its schema version checked. */
  private async json<T>(segments: readonly string[], query: Record<string, string> = {}): Promise<T> {
    const response = await this.get(segments, query, { accept: 'application/json' });
    if (response.status !== 200) throw apiError(response);
    const document = JSON.parse(response.body.toString('utf8')) as { schemaVersion?: number };
    if (document.schemaVersion !== SCHEMA_VERSION)
      throw new Error(
        `the read API answered schemaVersion ${document.schemaVersion}; this client speaks ${SCHEMA_VERSION}: update the client`,
      );
    return document as T;
  }

  private get(segments: readonly string[], query: Record<string, string>, headers: Record<string, string>): Promise<RawResponse> {
    const url = new URL(this.base.href);
    url.pathname = `${this.base.pathname}/${segments.map(encodeURIComponent).join('/')}`;
    return signedGet(this.options, url, query, headers);
  }
}

/** The query parameters that have a value. */
function definedOnly(parameters: Record<string, string | undefined>): Record<string, string> {
  return Object.fromEntries(Object.entries(parameters).filter((entry): entry is [string, string] => entry[1] !== undefined));
}

function headerOf(response: RawResponse, name: string): string {
  const value = response.headers[name];
  return Array.isArray(value) ? value.join(', ') : (value ?? '');
}

/** The total length a 206 part announces, after checking it starts where the download stands. */
function totalOfPart(response: RawResponse, expectedStart: number): number {
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(headerOf(response, 'content-range'));
  if (!range || Number(range[1]) !== expectedStart || response.body.byteLength !== Number(range[2]) - Number(range[1]) + 1)
    throw new Error(`unexpected part of a download: Content-Range ${headerOf(response, 'content-range')} for bytes ${expectedStart}-`);
  return Number(range[3]);
}

function decode(bytes: Buffer, coding: string): Buffer {
  if (coding === '' || coding === 'identity') return bytes;
  if (coding === 'br') return brotliDecompressSync(bytes);
  if (coding === 'gzip') return gunzipSync(bytes);
  throw new Error(`the read API sent content coding ${coding}, which this client cannot decode`);
}

function verified(first: RawResponse, bytes: Buffer, counts: { wireBytes: number; requests: number }): DownloadedModel {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const expected = headerOf(first, 'x-model-sha256');
  if (sha256 !== expected || bytes.byteLength !== Number(headerOf(first, 'x-model-size')))
    throw new Error(`the downloaded bytes do not match the model's recorded SHA-256 ${expected} (got ${sha256}); download it again`);
  return { notModified: false, bytes, etag: headerOf(first, 'etag'), sha256, commit: headerOf(first, 'x-model-commit'), ...counts };
}

function apiError(response: RawResponse): ModelHubApiError {
  try {
    const { error } = JSON.parse(response.body.toString('utf8')) as { error?: { code?: string; message?: string; hint?: string } };
    if (error?.message) return new ModelHubApiError(response.status, error.code ?? 'unknown', error.message, error.hint ?? '');
  } catch {
    // Not one of the API's error documents (a gateway's own answer): described below.
  }
  return new ModelHubApiError(
    response.status,
    'unexpected-response',
    `HTTP ${response.status}: ${response.body.toString('utf8').slice(0, 200)}`,
    'check baseUrl and credentials',
  );
}
