/**
 * Sort keys of the models table. One partition per repository (`pk` = repository uuid) holds:
 * - `model#<path>`: the record of a model file;
 * - `chunk#<version>#<index>`: a piece of a large compressed body. Chunk keys carry the write's version, not the
 *   path, so a rename can point a new record at the same chunks.
 */

/** Prefix of model record sort keys. */
export const MODEL_SK_PREFIX = 'model#';
/** Prefix of chunk sort keys. */
export const CHUNK_SK_PREFIX = 'chunk#';
/** Digits of the chunk index: keeps chunks in order under the sort key (up to a million chunks). */
export const CHUNK_INDEX_DIGITS = 6;
/** DynamoDB's limit on a sort key value, in UTF-8 bytes. */
export const MAX_SORT_KEY_BYTES = 1024;

/** Sort key of the record of `path`. Throws a RangeError when the path is too long for a DynamoDB sort key. */
export function modelSortKey(path: string): string {
  const sk = MODEL_SK_PREFIX + path;
  if (Buffer.byteLength(sk, 'utf8') > MAX_SORT_KEY_BYTES)
    throw new RangeError(`model path is longer than ${MAX_SORT_KEY_BYTES - MODEL_SK_PREFIX.length} bytes: ${path.slice(0, 80)}…`);
  return sk;
}

/** Sort key prefix shared by all chunks of `version` (for `begins_with`). */
export function chunkVersionPrefix(version: string): string {
  return `${CHUNK_SK_PREFIX}${version}#`;
}

/** Sort key of chunk `index` (0-based) of `version`. */
export function chunkSortKey(version: string, index: number): string {
  return chunkVersionPrefix(version) + String(index).padStart(CHUNK_INDEX_DIGITS, '0');
}

/** The version and index of a chunk sort key, or undefined when `sk` is not a chunk key. */
export function parseChunkSortKey(sk: string): { version: string; index: number } | undefined {
  const match = /^chunk#([^#]+)#(\d+)$/.exec(sk);
  return match ? { version: match[1]!, index: Number(match[2]) } : undefined;
}
