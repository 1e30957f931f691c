/**
 * Entity search for the read API: containers, entities and attributes of the replicated models by name (prefix or
 * substring, ignoring case), filtered by repository, object type and target, a page at a time. Pure: it reads the
 * entity indexes through {@link EntitySearchSource}, which the DynamoDB adapter (with its cache) and the in-memory
 * fake implement.
 */
import type { EntityKind } from '../../models/entity-index';
import { searchFolded, type NameMatch, type SearchableEntityIndex } from '../../models/entity-index-search';
import { SearchInputError } from './search-errors';
import { decodeSearchCursor, encodeSearchCursor, queryFingerprint, type SearchPosition } from './search-cursor';

export type { EntityKind } from '../../models/entity-index';
export type { NameMatch } from '../../models/entity-index-search';
export { SearchInputError } from './search-errors';

/** What to search for. */
export interface SearchEntitiesQuery {
  /** Text to find in names (trimmed; 1 to {@link MAX_QUERY_LENGTH} characters). */
  readonly q: string;
  /** @default 'substring' */
  readonly match?: NameMatch;
  /** Only this repository (uuid with braces). */
  readonly repository?: string;
  /** Only this kind of object. */
  readonly type?: EntityKind;
  /** Only models whose target (`appTarget`, e.g. `MONGODB`) or vendor (`dbVendor`, e.g. `MongoDB`) is this, ignoring case. */
  readonly target?: string;
  /** Hits per page, 1 to {@link MAX_SEARCH_LIMIT}. @default {@link DEFAULT_SEARCH_LIMIT} */
  readonly limit?: number;
  /** The `cursor` of the previous page of the same query. */
  readonly cursor?: string;
}

/** One object found. */
export interface SearchHit {
  readonly repository: { readonly uuid: string; readonly fullName: string };
  readonly model: {
    readonly path: string;
    readonly name?: string;
    readonly vendor?: string;
    readonly target?: string;
    /** The model version the hit was read from (`ModelRecord.version`). */
    readonly version: string;
  };
  readonly kind: EntityKind;
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  /** Names from the outermost object (container, else entity) down to the object itself. */
  readonly pathInModel: readonly string[];
}

export interface SearchEntitiesResult {
  readonly hits: readonly SearchHit[];
  /** Present when more hits may follow: pass it back as `cursor`. */
  readonly cursor?: string;
  /** Models this page went over whose index could not be searched: written before indexes existed (they get one on their next write or full sync). */
  readonly notIndexed: number;
  /** Models this page went over whose index is cut short (over the per-model caps): some of their objects cannot be found. */
  readonly truncated: number;
}

/** A repository as search names it. */
export interface SearchRepository {
  readonly uuid: string;
  readonly fullName: string;
}

/** A model record as search sees it: what filters and hits need, and whether it has an index. */
export interface SearchableModel {
  readonly path: string;
  readonly version: string;
  readonly modelName?: string;
  readonly dbVendor?: string;
  readonly appTarget?: string;
  /**
   * `indexed`: an index was written with this version; `none`: nothing to index (invalid or too large);
   * `missing`: a valid model written before indexes were kept.
   */
  readonly index: 'indexed' | 'none' | 'missing';
  /** How the source stores the index (`ModelRecord.indexChunks`, `indexInline`, `indexTruncated`): its own business. */
  readonly indexChunks?: number;
  readonly indexInline?: boolean;
  readonly indexTruncated?: boolean;
}

/** How search sees a stored model record. */
export function searchableModel(record: {
  readonly path: string;
  readonly version: string;
  readonly status: string;
  readonly modelName?: string;
  readonly dbVendor?: string;
  readonly appTarget?: string;
  readonly indexChunks?: number;
  readonly indexInline?: boolean;
  readonly indexTruncated?: boolean;
}): SearchableModel {
  const { path, version, modelName, dbVendor, appTarget, indexChunks, indexInline, indexTruncated } = record;
  const index = record.status !== 'valid' ? 'none' : indexChunks === undefined ? 'missing' : 'indexed';
  return {
    path,
    version,
    index,
    ...(modelName !== undefined ? { modelName } : {}),
    ...(dbVendor !== undefined ? { dbVendor } : {}),
    ...(appTarget !== undefined ? { appTarget } : {}),
    ...(indexChunks !== undefined ? { indexChunks } : {}),
    ...(indexInline ? { indexInline } : {}),
    ...(indexTruncated ? { indexTruncated } : {}),
  };
}

/** Where search reads from. */
export interface EntitySearchSource {
  listRepositories(): Promise<readonly SearchRepository[]>;
  /** The current model records of a repository, in path order (UTF-8 byte order, as DynamoDB sorts keys). */
  listModels(repositoryUuid: string): Promise<readonly SearchableModel[]>;
  /**
   * The indexes of `models` (all `indexed`), in the same order: each exactly its listed version's. A model rewritten
   * or removed since it was listed gets undefined (its index went with its version), or its listed version's index
   * from a cache (an index never changes under its version).
   */
  loadIndexes(repositoryUuid: string, models: readonly SearchableModel[]): Promise<ReadonlyArray<SearchableEntityIndex | undefined>>;
}

export const MAX_QUERY_LENGTH = 200;
export const DEFAULT_SEARCH_LIMIT = 20;
export const MAX_SEARCH_LIMIT = 100;
/** Repositories whose records are listed at once (the DynamoDB adapter: one Query each). */
const LIST_AHEAD = 4;
/** Indexes asked of the source at a time (the DynamoDB adapter reads a batch in one BatchGetItem). */
const LOAD_BATCH = 100;
/**
 * The first batch of a repository is smaller, and each next one 4× larger up to {@link LOAD_BATCH}: a common name
 * fills a page from the first few models, and a cold source should not read a hundred indexes to answer it.
 */
const FIRST_LOAD_BATCH = 8;
const KINDS: readonly EntityKind[] = ['container', 'entity', 'attribute'];

/**
 * One page of hits, in a stable order: repositories by uuid, models by path, objects as they appear in the model.
 * Throws {@link SearchInputError} for a blank or over-long query, an unknown type or match, a limit out of range, or
 * a cursor that is not one of this query's.
 */
export async function searchEntities(source: EntitySearchSource, query: SearchEntitiesQuery): Promise<SearchEntitiesResult> {
  const input = validated(query);
  const fingerprint = queryFingerprint(input);
  const start = query.cursor === undefined ? undefined : decodeSearchCursor(query.cursor, fingerprint);
  const hits: SearchHit[] = [];
  const counts = { notIndexed: 0, truncated: 0 };
  const repositories = (await source.listRepositories())
    .filter((repository) => input.repository === undefined || repository.uuid === input.repository)
    .filter((repository) => start === undefined || compareUtf8(repository.uuid, start.repositoryUuid) >= 0)
    .sort((a, b) => compareUtf8(a.uuid, b.uuid));
  const listing = ahead(repositories, (repository) => source.listModels(repository.uuid), LIST_AHEAD);
  for (const [i, repository] of repositories.entries()) {
    const from = start?.repositoryUuid === repository.uuid ? start : undefined;
    const next = await searchRepository(source, repository, await listing(i), input, from, hits, counts);
    if (next) return { hits, cursor: encodeSearchCursor(next, fingerprint), ...counts };
  }
  return { hits, ...counts };
}

/**
 * `load(items[i])` for each `i` asked, with the loads of the next `window - 1` items already started: listings of
 * several repositories overlap instead of queueing, and stopping early wastes at most that many.
 */
function ahead<T, R>(items: readonly T[], load: (item: T) => Promise<R>, window: number): (i: number) => Promise<R> {
  const started = new Map<number, Promise<R>>();
  const start = (i: number) => {
    if (i >= items.length || started.has(i)) return;
    const promise = load(items[i]!);
    // A load started ahead and never asked for must not become an unhandled rejection.
    promise.catch(() => undefined);
    started.set(i, promise);
  };
  return (i) => {
    for (let j = i; j < i + window; j++) start(j);
    const promise = started.get(i)!;
    started.delete(i);
    return promise;
  };
}

type ValidatedQuery = Required<Pick<SearchEntitiesQuery, 'match' | 'limit'>> & {
  readonly folded: string;
  readonly repository?: string;
  readonly type?: EntityKind;
  readonly target?: string;
};

/** Searches one repository's models from `from`; returns where the next page starts when this one is full. */
async function searchRepository(
  source: EntitySearchSource,
  repository: SearchRepository,
  listed: readonly SearchableModel[],
  input: ValidatedQuery,
  from: SearchPosition | undefined,
  hits: SearchHit[],
  counts: { notIndexed: number; truncated: number },
): Promise<SearchPosition | undefined> {
  const models = listed.filter(
    (model) => matchesTarget(model, input.target) && (from === undefined || compareUtf8(model.path, from.path) >= 0),
  );
  // Models without an index count once, on the page that goes past them.
  const missingBefore = (path: string) => models.filter((model) => model.index === 'missing' && compareUtf8(model.path, path) < 0).length;
  const indexed = models.filter((model) => model.index === 'indexed');
  for (
    let batchStart = 0, size = FIRST_LOAD_BATCH;
    batchStart < indexed.length;
    batchStart += size, size = Math.min(LOAD_BATCH, size * 4)
  ) {
    const batch = indexed.slice(batchStart, batchStart + size);
    const indexes = await source.loadIndexes(repository.uuid, batch);
    for (const [i, model] of batch.entries()) {
      const index = indexes[i];
      if (!index) continue;
      if (index.truncated) counts.truncated += 1;
      const fromEntry = from?.path === model.path ? from.entry : 0;
      const room = input.limit - hits.length;
      // One more than fits tells whether this model has hits for the next page.
      const found = index.find(input.folded, input.match, { kind: input.type, fromEntry, limit: room + 1 });
      for (const entry of found.slice(0, room)) hits.push(toHit(repository, model, index, entry));
      index.compact();
      if (found.length > room) {
        counts.notIndexed += missingBefore(model.path);
        return { repositoryUuid: repository.uuid, path: model.path, entry: found[room]! };
      }
      if (hits.length === input.limit) {
        const next = nextAfter(repository.uuid, model.path);
        counts.notIndexed += missingBefore(next.path);
        return next;
      }
    }
  }
  counts.notIndexed += models.filter((model) => model.index === 'missing').length;
  return undefined;
}

/** The position right after model `path` (the next model in path order starts at entry 0). */
function nextAfter(repositoryUuid: string, path: string): SearchPosition {
  return { repositoryUuid, path: `${path}\u0000`, entry: 0 };
}

function toHit(repository: SearchRepository, model: SearchableModel, index: SearchableEntityIndex, entry: number): SearchHit {
  const found = index.hit(entry);
  return {
    repository: { uuid: repository.uuid, fullName: repository.fullName },
    model: {
      path: model.path,
      ...(model.modelName !== undefined ? { name: model.modelName } : {}),
      ...(model.dbVendor !== undefined ? { vendor: model.dbVendor } : {}),
      ...(model.appTarget !== undefined ? { target: model.appTarget } : {}),
      version: model.version,
    },
    kind: found.kind,
    name: found.name,
    ...(found.type !== undefined ? { type: found.type } : {}),
    ...(found.description !== undefined ? { description: found.description } : {}),
    pathInModel: found.path,
  };
}

function matchesTarget(model: SearchableModel, target: string | undefined): boolean {
  if (target === undefined) return true;
  const wanted = target.toLowerCase();
  return model.appTarget?.toLowerCase() === wanted || model.dbVendor?.toLowerCase() === wanted;
}

function validated(query: SearchEntitiesQuery): ValidatedQuery {
  const q = typeof query.q === 'string' ? query.q.trim() : '';
  if (q === '' || q.length > MAX_QUERY_LENGTH)
    throw new SearchInputError(
      q === '' ? 'the search text is empty' : `the search text is ${q.length} characters long`,
      `send 1 to ${MAX_QUERY_LENGTH} characters of a name to look for`,
    );
  const match = query.match ?? 'substring';
  if (match !== 'prefix' && match !== 'substring')
    throw new SearchInputError(`unknown match "${String(match)}"`, 'use match=prefix or match=substring');
  if (query.type !== undefined && !KINDS.includes(query.type))
    throw new SearchInputError(`unknown object type "${String(query.type)}"`, `use one of ${KINDS.join(', ')}`);
  const limit = query.limit ?? DEFAULT_SEARCH_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_SEARCH_LIMIT)
    throw new SearchInputError(`limit ${String(limit)} is out of range`, `use a whole number from 1 to ${MAX_SEARCH_LIMIT}`);
  const target = query.target?.trim() || undefined;
  return {
    folded: searchFolded(q),
    match,
    limit,
    ...(query.repository !== undefined ? { repository: query.repository } : {}),
    ...(query.type !== undefined ? { type: query.type } : {}),
    ...(target !== undefined ? { target } : {}),
  };
}

/** Order of UTF-8 bytes (DynamoDB's order of sort keys), not JavaScript's UTF-16 order. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
