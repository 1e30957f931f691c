/**
 * Opaque pagination cursors: a consumer hands back what it was given, and a cursor of another query (other filters,
 * another repository) or a damaged one is refused with a clear error instead of silently starting over.
 */
import { createHash } from 'node:crypto';
import { invalidParameter } from './errors';

const CURSOR_VERSION = 1;
/** A cursor longer than this was not made here (paths are at most a few KB). */
const MAX_CURSOR_LENGTH = 8192;

/** Where the next page starts, bound to the query that made it (`query` is any text naming that query). */
export function encodeCursor(position: string, query: string): string {
  return Buffer.from(JSON.stringify({ v: CURSOR_VERSION, p: position, q: queryHash(query) }), 'utf8').toString('base64url');
}

/** The position of a cursor made by {@link encodeCursor} for the same query; a ReadError for anything else. */
export function decodeCursor(cursor: string, query: string): string {
  const refuse = (problem: string) =>
    invalidParameter(
      'cursor',
      problem,
      'pass the nextCursor of the previous page unchanged, with the same other parameters, or omit it to start over',
    );
  if (cursor.length > MAX_CURSOR_LENGTH || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw refuse('is not a cursor of this API');
  let parsed: { v?: unknown; p?: unknown; q?: unknown };
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as typeof parsed;
  } catch {
    throw refuse('is not a cursor of this API');
  }
  if (parsed?.v !== CURSOR_VERSION || typeof parsed.p !== 'string' || typeof parsed.q !== 'string')
    throw refuse('is not a cursor of this API');
  if (parsed.q !== queryHash(query)) throw refuse('belongs to another query (other filters or another repository)');
  return parsed.p;
}

function queryHash(query: string): string {
  return createHash('sha256').update(query, 'utf8').digest('base64url').slice(0, 16);
}
