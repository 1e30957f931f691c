/**
 * The opaque cursor of entity search: where the next page starts (repository, model path, entry), bound to the
 * query it belongs to, so a cursor sent with another query is refused rather than silently skipping hits.
 */
import { createHash } from 'node:crypto';
import { SearchInputError } from './search-errors';

/** The first object the next page looks at. */
export interface SearchPosition {
  readonly repositoryUuid: string;
  readonly path: string;
  readonly entry: number;
}

const CURSOR_VERSION = 1;

/** A short hash of what the query selects (everything but limit and cursor). */
export function queryFingerprint(query: { folded: string; match: string; repository?: string; type?: string; target?: string }): string {
  const selection = [query.folded, query.match, query.repository ?? '', query.type ?? '', query.target?.toLowerCase() ?? ''];
  return createHash('sha256').update(JSON.stringify(selection)).digest('base64url').slice(0, 16);
}

export function encodeSearchCursor(position: SearchPosition, fingerprint: string): string {
  return Buffer.from(JSON.stringify([CURSOR_VERSION, fingerprint, position.repositoryUuid, position.path, position.entry])).toString(
    'base64url',
  );
}

/** The position a cursor names; throws `SearchInputError` when it is not a cursor of this query. */
export function decodeSearchCursor(cursor: string, fingerprint: string): SearchPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  const hint = 'send the cursor exactly as the previous page returned it, with the same query, or leave it out to start over';
  if (!Array.isArray(parsed) || parsed.length !== 5 || parsed[0] !== CURSOR_VERSION)
    throw new SearchInputError('the cursor is not a search cursor', hint);
  const [, owner, repositoryUuid, path, entry] = parsed as [number, unknown, unknown, unknown, unknown];
  if (owner !== fingerprint) throw new SearchInputError('the cursor belongs to another search', hint);
  if (typeof repositoryUuid !== 'string' || typeof path !== 'string' || !Number.isInteger(entry) || (entry as number) < 0)
    throw new SearchInputError('the cursor is not a search cursor', hint);
  return { repositoryUuid, path, entry: entry as number };
}
