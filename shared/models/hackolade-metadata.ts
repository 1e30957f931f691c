// The metadata the hub shows of a Hackolade model (identity fields, sizes, entity names), read without keeping the model.
import { scanJson, type JsonType, type MemberValue, type ScanSpec } from './json-summary-scanner';

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
 * not JSON, or JSON whose top level is not an object, give `valid: false` with a short message (V8's wording,
 * e.g. `Unexpected token … in JSON at position N`). Never throws.
 *
 * Cost: one pass over the bytes that keeps only these values (`json-summary-scanner.ts`), never the model's
 * tree: memory is the bytes plus one byte per level of nesting, whatever the model holds (a whole-model
 * `JSON.parse` of 31 MiB of `{}` peaks near 1 GB). About 0.1 s for 32 MiB.
 */
export function readModelMetadata(bytes: Uint8Array): ModelMetadataResult {
  return readModelSummary(bytes).metadata;
}

/** At most this many entity names are kept per model: enough to search by, bounded in item size. */
export const MAX_ENTITY_NAMES = 100;
/** Entity names are clipped to this many characters. */
export const MAX_ENTITY_NAME_LENGTH = 100;

const SCAN_SPEC: ScanSpec = {
  members: new Set<string>([...STRING_FIELDS, ...STRING_OR_NUMBER_FIELDS, ...COUNT_FIELDS]),
  names: { array: 'collections', key: 'collectionName', limit: MAX_ENTITY_NAMES, clip: MAX_ENTITY_NAME_LENGTH },
};

/**
 * {@link readModelMetadata} plus the names of the model's first {@link MAX_ENTITY_NAMES} distinct entities
 * (`collections[].collectionName`: tables, nodes, documents…), for search. One pass for both.
 */
export function readModelSummary(bytes: Uint8Array): { readonly metadata: ModelMetadataResult; readonly entityNames: readonly string[] } {
  const scanned = scanJson(bytes, SCAN_SPEC);
  if (!scanned.valid) return { metadata: { valid: false, error: shorten(scanned.error) }, entityNames: [] };
  if (scanned.type !== 'object') {
    return {
      metadata: { valid: false, error: `expected a JSON object at the top level, found ${describe(scanned.type)}` },
      entityNames: [],
    };
  }
  return { metadata: { valid: true, metadata: metadataOf(scanned.members) }, entityNames: scanned.names };
}

function metadataOf(members: ReadonlyMap<string, MemberValue>): ModelMetadata {
  const metadata: Record<string, string | number> = {};
  for (const field of STRING_FIELDS) {
    const value = members.get(field);
    if (value?.kind === 'string') metadata[field] = value.value;
  }
  for (const field of STRING_OR_NUMBER_FIELDS) {
    const value = members.get(field);
    if (value?.kind === 'string' || (value?.kind === 'number' && Number.isFinite(value.value))) metadata[field] = value.value;
  }
  for (const field of COUNT_FIELDS) {
    const value = members.get(field);
    metadata[field] = value?.kind === 'array' ? value.length : 0;
  }
  return metadata as unknown as ModelMetadata;
}

function describe(type: JsonType): string {
  if (type === 'null') return 'null';
  return type === 'array' || type === 'object' ? `an ${type}` : `a ${type}`;
}

function shorten(message: string): string {
  return message.length <= MAX_ERROR_LENGTH ? message : `${message.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}
