/**
 * The entity index of one model version: its containers, entities and attributes (name, type, description, where
 * they sit), the document search reads instead of the models. Extracted at write time (`entity-index-extractor.ts`)
 * and stored next to the body under the same version, so it can never lag or outlive its model.
 */
import { brotliCompressSync, brotliDecompressSync, constants } from 'node:zlib';
import { ModelHubError } from '../util/model-hub-error';
import { splitIntoChunks } from './model-body-codec';

/** `container`: a bucket (database, keyspace…); `entity`: a collection (table, node…); `attribute`: a property. */
export type EntityKind = 'container' | 'entity' | 'attribute';

/** One indexed object of a model. */
export interface EntityIndexEntry {
  readonly kind: EntityKind;
  /** Trimmed, clipped to {@link MAX_INDEX_NAME_LENGTH}; never blank. */
  readonly name: string;
  /** `childType` when the model gives one (the target's own type, e.g. `varchar`), else `type`; clipped. */
  readonly type?: string;
  /** `description`, else `comments`, clipped to {@link MAX_INDEX_DESCRIPTION_LENGTH}. */
  readonly description?: string;
  /**
   * Index of the entry this one sits in (-1: none): an attribute's attribute or entity, an entity's container.
   * Always lower than the entry's own index, so a path is found by walking down the list.
   */
  readonly parent: number;
}

/** The entity index of one model version. */
export interface EntityIndexDocument {
  readonly entries: readonly EntityIndexEntry[];
  /** Some objects were left out: the model holds more than the caps allow (entries, size, nesting). */
  readonly truncated: boolean;
}

/** At most this many entries per model (a generated 100 entities × 20 attributes model needs 2,100). */
export const MAX_INDEX_ENTRIES = 20_000;
/** Names are clipped to this many characters. */
export const MAX_INDEX_NAME_LENGTH = 200;
/** Types are clipped to this many characters. */
export const MAX_INDEX_TYPE_LENGTH = 64;
/** Descriptions are clipped to this many characters: enough to show with a hit, not a copy of the docs. */
export const MAX_INDEX_DESCRIPTION_LENGTH = 200;
/** Attributes nested deeper than this (in attributes, not JSON levels) are not indexed. */
export const MAX_INDEX_ATTRIBUTE_DEPTH = 32;
/** Bound on the serialized document (characters of its JSON): entries past it are left out. */
export const MAX_INDEX_DOCUMENT_CHARS = 4 * 1024 * 1024;

/** The stored index bytes cannot be read as an index document (corrupt, or written by a newer version). */
export class EntityIndexFormatError extends ModelHubError {}

const FORMAT = 1;
const KIND_CODES: readonly EntityKind[] = ['container', 'entity', 'attribute'];
const BROTLI_QUALITY = 6;

type SerializedEntry = [kind: number, name: string, type: string | null, description: string | null, parent: number];

/** Compressed JSON (`{"format":1,"truncated":…,"entries":[[kind,name,type,description,parent],…]}`, brotli). */
export function encodeEntityIndex(document: EntityIndexDocument): Buffer {
  const entries: SerializedEntry[] = document.entries.map((entry) => [
    KIND_CODES.indexOf(entry.kind),
    entry.name,
    entry.type ?? null,
    entry.description ?? null,
    entry.parent,
  ]);
  const json = Buffer.from(JSON.stringify({ format: FORMAT, truncated: document.truncated, entries }), 'utf8');
  return brotliCompressSync(json, {
    params: { [constants.BROTLI_PARAM_QUALITY]: BROTLI_QUALITY, [constants.BROTLI_PARAM_SIZE_HINT]: json.byteLength },
  });
}

/** How a version's index is stored: in its record item when small (`inline`), else as pieces of at most `pieceBytes`. */
export interface StoredIndex {
  readonly inline?: Buffer;
  readonly pieces: Buffer[];
  readonly fields: { indexChunks: number; indexEntries: number; indexInline?: true; indexTruncated?: true };
}

/**
 * The record fields that name a version's index, and its bytes: inline when they are at most `inlineBytes` (no item
 * of their own, so no extra write), else pieces of at most `pieceBytes`.
 */
export function indexPieces(document: EntityIndexDocument, pieceBytes: number, inlineBytes = 0): StoredIndex {
  const truncated = document.truncated ? { indexTruncated: true as const } : {};
  // An empty index needs no bytes: `indexChunks: 0` without `indexInline` says the model holds nothing to find.
  if (document.entries.length === 0) return { pieces: [], fields: { indexChunks: 0, indexEntries: 0, ...truncated } };
  const encoded = encodeEntityIndex(document);
  const indexEntries = document.entries.length;
  if (encoded.byteLength <= inlineBytes)
    return { inline: encoded, pieces: [], fields: { indexChunks: 0, indexEntries, indexInline: true, ...truncated } };
  const pieces = splitIntoChunks(encoded, pieceBytes);
  return { pieces, fields: { indexChunks: pieces.length, indexEntries, ...truncated } };
}

/** The document {@link encodeEntityIndex} wrote; throws {@link EntityIndexFormatError} for anything else. */
export function decodeEntityIndex(stored: Uint8Array): EntityIndexDocument {
  let parsed: unknown;
  try {
    // The writer bounds the document; the output limit keeps a corrupt item from inflating without bound.
    parsed = JSON.parse(brotliDecompressSync(stored, { maxOutputLength: 4 * MAX_INDEX_DOCUMENT_CHARS }).toString('utf8'));
  } catch (error) {
    throw new EntityIndexFormatError('the stored entity index cannot be decompressed or parsed', { cause: error });
  }
  const document = parsed as { format?: unknown; truncated?: unknown; entries?: unknown };
  if (document.format !== FORMAT || !Array.isArray(document.entries))
    throw new EntityIndexFormatError(`the stored entity index has format ${String(document.format)}, this code reads ${FORMAT}`);
  const entries = (document.entries as SerializedEntry[]).map((entry, index): EntityIndexEntry => {
    const [code, name, type, description, parent] = entry;
    const kind = KIND_CODES[code];
    if (!kind || typeof name !== 'string' || !Number.isInteger(parent) || parent >= index || parent < -1)
      throw new EntityIndexFormatError(`the stored entity index has a malformed entry at ${index}`);
    return {
      kind,
      name,
      ...(typeof type === 'string' ? { type } : {}),
      ...(typeof description === 'string' ? { description } : {}),
      parent,
    };
  });
  return { entries, truncated: document.truncated === true };
}

/** The names from the outermost object down to entry `index` (container, entity, attributes…). */
export function entryPath(entries: readonly EntityIndexEntry[], index: number): string[] {
  const path: string[] = [];
  for (let at = index; at >= 0; at = entries[at]!.parent) path.push(entries[at]!.name);
  return path.reverse();
}

/**
 * `text` trimmed and cut to at most `max` UTF-16 units without splitting a surrogate pair; undefined when blank.
 * The extractor and its reference implementation share it, so they agree on every clipped value.
 */
export function clipText(text: string, max: number): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return undefined;
  if (trimmed.length <= max) return trimmed;
  const end = isHighSurrogate(trimmed.charCodeAt(max - 1)) ? max - 1 : max;
  return trimmed.slice(0, end);
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
