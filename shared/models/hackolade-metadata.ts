/**
 * What the hub shows about a Hackolade model without opening it: the identifying top-level fields of a
 * `*.hck.json` file and the sizes of its main arrays.
 */
export interface ModelMetadata {
  /** `modelName` as saved by Hackolade Studio (often the default "New model"). */
  readonly modelName?: string;
  /** Target database family, e.g. "MongoDB", "AWS DynamoDB", "Polyglot". */
  readonly dbVendor?: string;
  /** Plugin target id, e.g. "MONGODB", "DYNAMODB". */
  readonly appTarget?: string;
  /** Target version, e.g. "v5.0"; absent for targets without versions. */
  readonly dbVersion?: string | number;
  /** The model's own id; it survives renames of the file. */
  readonly GUID?: string;
  /** Last modification time as written by Hackolade (an ISO string in the files seen so far). */
  readonly lastModifTS?: string | number;
  /** Number of entries of `collections` (tables, nodes, documents…); 0 when absent. */
  readonly collections: number;
  /** Number of entries of `relationships`; 0 when absent. */
  readonly relationships: number;
  /** Number of entries of `buckets` (databases, keyspaces, containers…); 0 when absent. */
  readonly buckets: number;
  /** Number of entries of `views`; 0 when absent. */
  readonly views: number;
}

/** Result of {@link readModelMetadata}: the metadata, or why the bytes are not a Hackolade model object. */
export type ModelMetadataResult =
  { readonly valid: true; readonly metadata: ModelMetadata } | { readonly valid: false; readonly error: string };

/** Error messages are kept to this length: V8 quotes part of the input in them. */
const MAX_ERROR_LENGTH = 300;

const STRING_FIELDS = ['modelName', 'dbVendor', 'appTarget', 'GUID'] as const;
const STRING_OR_NUMBER_FIELDS = ['dbVersion', 'lastModifTS'] as const;
const COUNT_FIELDS = ['collections', 'relationships', 'buckets', 'views'] as const;

/**
 * Reads the metadata of a Hackolade model file from its raw bytes (UTF-8; a leading BOM is skipped).
 *
 * Identity fields are taken as found when they are strings (or, for `dbVersion` and `lastModifTS`, numbers)
 * and left out otherwise; counts are array lengths, 0 when the field is absent or not an array. Bytes that are
 * not JSON, or JSON whose top level is not an object, give `valid: false` with a short message (the parser's,
 * e.g. `Unexpected token … at position N`). Never throws.
 *
 * Cost: one `JSON.parse` of the whole file. For the 32 MiB worst case that is about 0.1 s and a transient
 * peak of a few times the file size, which a Lambda with ≥ 512 MB handles; the tree is garbage right after.
 */
export function readModelMetadata(bytes: Uint8Array): ModelMetadataResult {
  return readModelSummary(bytes).metadata;
}

/** At most this many entity names are kept per model: enough to search by, bounded in item size. */
export const MAX_ENTITY_NAMES = 100;
/** Entity names are clipped to this many characters. */
export const MAX_ENTITY_NAME_LENGTH = 100;

/**
 * {@link readModelMetadata} plus the names of the model's first {@link MAX_ENTITY_NAMES} distinct entities
 * (`collections[].collectionName`: tables, nodes, documents…), for search. One parse for both.
 */
export function readModelSummary(bytes: Uint8Array): { readonly metadata: ModelMetadataResult; readonly entityNames: readonly string[] } {
  let parsed: unknown;
  try {
    // TextDecoder drops a UTF-8 BOM (JSON.parse would reject it) and replaces invalid sequences instead of throwing.
    parsed = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch (error) {
    return { metadata: { valid: false, error: shorten(error instanceof Error ? error.message : String(error)) }, entityNames: [] };
  }
  const metadata = metadataOf(parsed);
  return { metadata, entityNames: metadata.valid ? entityNamesOf(parsed as Record<string, unknown>) : [] };
}

function entityNamesOf(source: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const collection of Array.isArray(source.collections) ? source.collections : []) {
    const name = (collection as { collectionName?: unknown } | null)?.collectionName;
    if (typeof name === 'string' && name.trim() !== '') names.add(name.trim().slice(0, MAX_ENTITY_NAME_LENGTH));
    if (names.size >= MAX_ENTITY_NAMES) break;
  }
  return [...names];
}

function metadataOf(parsed: unknown): ModelMetadataResult {
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    return { valid: false, error: `expected a JSON object at the top level, found ${describe(parsed)}` };
  }
  const source = parsed as Record<string, unknown>;
  const metadata: Record<string, string | number> = {};
  for (const field of STRING_FIELDS) {
    const value = source[field];
    if (typeof value === 'string') metadata[field] = value;
  }
  for (const field of STRING_OR_NUMBER_FIELDS) {
    const value = source[field];
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) metadata[field] = value;
  }
  for (const field of COUNT_FIELDS) {
    const value = source[field];
    metadata[field] = Array.isArray(value) ? value.length : 0;
  }
  return { valid: true, metadata: metadata as unknown as ModelMetadata };
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return `a ${typeof value}`;
}

function shorten(message: string): string {
  return message.length <= MAX_ERROR_LENGTH ? message : `${message.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
