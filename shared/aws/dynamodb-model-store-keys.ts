/**
 * Sort keys of the models table. One partition per repository (`pk` = repository uuid) holds:
 * - `model#<path>`: the record of a model file; a path too long for a sort key gets `model#<its first bytes>#~<sha256
 *   of the whole path>` instead (the record's `path` attribute keeps the full path, so lookups stay exact);
 * - `chunk#<version>#<index>`: a piece of a large compressed body. Chunk keys carry the write's version, not the
 *   path, so a rename can point a new record at the same chunks.
 * - `index#<version>#<index>`: a piece of the version's compressed entity index (`shared/models/entity-index.ts`),
 *   laid out, shared and released like body chunks.
 */
import { createHash } from 'node:crypto';

/** Prefix of model record sort keys. */
export const MODEL_SK_PREFIX = 'model#';
/** Prefix of chunk sort keys. */
export const CHUNK_SK_PREFIX = 'chunk#';
/** Prefix of entity index piece sort keys. */
export const INDEX_SK_PREFIX = 'index#';
/** The two kinds of per-version pieces: body chunks and entity index pieces. */
export type PiecePrefix = typeof CHUNK_SK_PREFIX | typeof INDEX_SK_PREFIX;
/** Digits of the chunk index: keeps chunks in order under the sort key (up to a million chunks). */
export const CHUNK_INDEX_DIGITS = 6;
/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
export const MAX_SORT_KEY_BYTES = 1024;

/** Marks a sort key that ends with the hash of a path too long to be spelled out (`#~` + 64 hex digits). */
const HASHED_PATH_MARK = '#~';
const HASHED_SUFFIX_BYTES = HASHED_PATH_MARK.length + 64;

/**
 * Sort key of the record of `path`: `model#<path>`, or, when that exceeds DynamoDB's 1,024-byte limit (deep
 * folders, ~340 CJK characters), the longest prefix of the path that fits followed by `#~<sha256 of the path>`.
 * Deterministic, so every lookup by path finds the record; different long paths get different keys.
 */
export function modelSortKey(path: string): string {
  const sk = MODEL_SK_PREFIX + path;
  if (Buffer.byteLength(sk, 'utf8') <= MAX_SORT_KEY_BYTES) return sk;
  const hash = createHash('sha256').update(path, 'utf8').digest('hex');
  return `${MODEL_SK_PREFIX}${utf8Prefix(path, MAX_SORT_KEY_BYTES - MODEL_SK_PREFIX.length - HASHED_SUFFIX_BYTES)}${HASHED_PATH_MARK}${hash}`;
}

/** The longest prefix of `text` of at most `maxBytes` UTF-8 bytes that does not split a character. */
function utf8Prefix(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const char of text) {
    const size = Buffer.byteLength(char, 'utf8');
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return text.slice(0, end);
}

/** Sort key prefix shared by all chunks (or, with `prefix`, index pieces) of `version` (for `begins_with`). */
export function chunkVersionPrefix(version: string, prefix: PiecePrefix = CHUNK_SK_PREFIX): string {
  return `${prefix}${version}#`;
}

/** Sort key of chunk (or, with `prefix`, index piece) `index` (0-based) of `version`. */
export function chunkSortKey(version: string, index: number, prefix: PiecePrefix = CHUNK_SK_PREFIX): string {
  return chunkVersionPrefix(version, prefix) + String(index).padStart(CHUNK_INDEX_DIGITS, '0');
}

/** The version and index of a chunk (or, with `prefix`, index piece) sort key, or undefined for any other key. */
export function parseChunkSortKey(sk: string, prefix: PiecePrefix = CHUNK_SK_PREFIX): { version: string; index: number } | undefined {
  if (!sk.startsWith(prefix)) return undefined;
  const match = /^([^#]+)#(\d+)$/.exec(sk.slice(prefix.length));
  return match ? { version: match[1]!, index: Number(match[2]) } : undefined;
}
