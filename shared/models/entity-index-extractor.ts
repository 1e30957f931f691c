/**
 * Extracts the entity index of a Hackolade model from its bytes, without building the model's tree: containers
 * (`buckets[]`), entities (`collections[]`) and their attributes (`properties`, nested also through `items`,
 * `oneOf`, `anyOf`, `allOf`, `not`, `patternProperties`, as Hackolade nests array items, choices and subschemas).
 *
 * Memory stays bounded whatever the model holds: only the objects it indexes are decoded, at most
 * {@link MAX_INDEX_ENTRIES} of them and {@link MAX_INDEX_DOCUMENT_CHARS} of text; everything else (and attributes
 * nested deeper than {@link MAX_INDEX_ATTRIBUTE_DEPTH}) is skipped by a flat byte loop that keeps one counter, so
 * 10 million empty objects or 15 million levels of nesting cost no more than the bytes themselves. A model over
 * a cap gives `truncated: true`. Runs only on bytes `readModelSummary` found valid (it validates; this does not).
 */
import {
  MAX_INDEX_ATTRIBUTE_DEPTH,
  MAX_INDEX_DESCRIPTION_LENGTH,
  MAX_INDEX_DOCUMENT_CHARS,
  MAX_INDEX_ENTRIES,
  MAX_INDEX_NAME_LENGTH,
  MAX_INDEX_TYPE_LENGTH,
  clipText,
  type EntityIndexDocument,
  type EntityIndexEntry,
  type EntityKind,
} from './entity-index';

/** Keys under which an attribute (or entity) holds nested attributes. */
export const NESTING_KEYS: ReadonlySet<string> = new Set(['properties', 'items', 'oneOf', 'anyOf', 'allOf', 'not', 'patternProperties']);
/** Serialized size of an entry beyond its strings (brackets, quotes, kind, parent). */
export const ENTRY_OVERHEAD_CHARS = 24;

/** One object met while reading, named or not (nameless ones, like array items and choices, are transparent). */
export interface IndexNode {
  readonly kind: EntityKind;
  /** The enclosing node (-1 for entities and containers). */
  readonly parent: number;
  name?: string;
  type?: string;
  childType?: string;
  description?: string;
  comments?: string;
  /** Entities: `bucketId`; containers: `GUID`. */
  link?: string;
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
/** Longest key (bytes, with quotes) decoded for comparison: the longest tracked key spelled in `\uXXXX` escapes fits. */
const MAX_KEY_BYTES = 6 * 17 + 2;
/** Longest string prefix (bytes) decoded for a clipped value: holds 200 characters even as `\uXXXX` escapes. */
const MAX_VALUE_PREFIX_BYTES = 4096;
const OWN_FIELDS = {
  entity: {
    collectionName: 'name',
    type: 'type',
    childType: 'childType',
    description: 'description',
    comments: 'comments',
    bucketId: 'link',
  },
  container: { name: 'name', type: 'type', childType: 'childType', description: 'description', comments: 'comments', GUID: 'link' },
  attribute: { name: 'name', type: 'type', childType: 'childType', description: 'description', comments: 'comments' },
} as const satisfies Record<EntityKind, Record<string, keyof IndexNode>>;

/** The entity index of a valid model's bytes (UTF-8, leading BOM skipped). Synchronous, O(bytes). */
export function extractEntityIndex(bytes: Uint8Array): EntityIndexDocument {
  return new Extractor(bytes).run();
}

class Extractor {
  private readonly nodes: IndexNode[] = [];
  private chars = 0;
  private truncated = false;

  constructor(private readonly bytes: Uint8Array) {}

  run(): EntityIndexDocument {
    const b = this.bytes;
    const start = this.whitespace(b[0] === 0xef && b[1] === 0xbb && b[2] === 0xbf ? 3 : 0);
    if (b[start] === 0x7b) {
      this.members(start, (key, at) => {
        if (key === 'collections') return this.elements(at, (element) => this.object(element, 'entity', -1, 0));
        if (key === 'buckets') return this.elements(at, (element) => this.object(element, 'container', -1, 0));
        return this.skip(at);
      });
    }
    return assembleIndex(this.nodes, this.truncated);
  }

  /**
   * Reads the object at `i` as a node of `kind` (anything else is skipped); returns the position after it. A node is
   * opened only while under the caps; one opened is finished whatever follows, so its children keep their parent.
   */
  private object(i: number, kind: EntityKind, parent: number, depth: number): number {
    if (this.bytes[i] !== 0x7b) return this.skip(i);
    if (this.isFull() || depth > MAX_INDEX_ATTRIBUTE_DEPTH) {
      this.truncated = true;
      return this.skip(i);
    }
    const node: IndexNode = { kind, parent };
    const id = this.nodes.push(node) - 1;
    const fields: Record<string, keyof IndexNode> = OWN_FIELDS[kind];
    const end = this.members(i, (key, at) => {
      if (key === undefined) return this.skip(at);
      const field = Object.hasOwn(fields, key) ? fields[key] : undefined;
      if (field !== undefined) return this.field(at, node, field);
      if (kind !== 'container' && NESTING_KEYS.has(key)) return this.children(at, id, depth + 1);
      return this.skip(at);
    });
    this.chars += weight(node);
    return end;
  }

  /** Nested attributes: each element of an array, or one object. */
  private children(i: number, parent: number, depth: number): number {
    if (this.bytes[i] === 0x5b) return this.elements(i, (element) => this.object(element, 'attribute', parent, depth));
    return this.object(i, 'attribute', parent, depth);
  }

  /** A string member becomes the field (clipped later); any other value clears it, as the last occurrence wins. */
  private field(i: number, node: IndexNode, field: keyof IndexNode): number {
    const target = node as unknown as Record<string, string | undefined>;
    if (this.bytes[i] !== QUOTE) {
      target[field] = undefined;
      return this.skip(i);
    }
    const end = this.string(i);
    target[field] = this.decodePrefix(i, end);
    return end;
  }

  private isFull(): boolean {
    return this.nodes.length >= MAX_INDEX_ENTRIES || this.chars >= MAX_INDEX_DOCUMENT_CHARS;
  }

  /** Calls `member(key, valuePosition)` for each member of the object at `i` (which must return the position after the value). */
  private members(i: number, member: (key: string | undefined, at: number) => number): number {
    const b = this.bytes;
    let j = this.whitespace(i + 1);
    if (b[j] === 0x7d) return j + 1;
    for (;;) {
      const keyEnd = this.string(j);
      const key = keyEnd - j <= MAX_KEY_BYTES ? this.decode(j, keyEnd) : undefined;
      j = this.whitespace(this.whitespace(keyEnd) + 1);
      j = this.whitespace(member(key, j));
      if (b[j] === 0x2c) j = this.whitespace(j + 1);
      else return j + 1;
    }
  }

  /** Calls `element(position)` for each element of the array at `i`; anything but an array is skipped. */
  private elements(i: number, element: (at: number) => number): number {
    const b = this.bytes;
    if (b[i] !== 0x5b) return this.skip(i);
    let j = this.whitespace(i + 1);
    if (b[j] === 0x5d) return j + 1;
    for (;;) {
      j = this.whitespace(element(j));
      if (b[j] === 0x2c) j = this.whitespace(j + 1);
      else return j + 1;
    }
  }

  /** The position after the value at `i`: one flat loop with a depth counter, nothing kept. */
  private skip(i: number): number {
    const b = this.bytes;
    const c = b[i];
    if (c === QUOTE) return this.string(i);
    if (c !== 0x7b && c !== 0x5b) {
      let j = i;
      while (j < b.length && b[j] !== 0x2c && b[j] !== 0x7d && b[j] !== 0x5d && !isWhitespace(b[j]!)) j += 1;
      return j;
    }
    let depth = 0;
    let j = i;
    while (j < b.length) {
      const d = b[j]!;
      if (d === QUOTE) {
        j = this.string(j);
        continue;
      }
      if (d === 0x7b || d === 0x5b) depth += 1;
      else if (d === 0x7d || d === 0x5d) {
        depth -= 1;
        if (depth === 0) return j + 1;
      }
      j += 1;
    }
    return j;
  }

  /** The position after the string whose opening quote is at `i`. */
  private string(i: number): number {
    const b = this.bytes;
    let j = i + 1;
    while (j < b.length) {
      const c = b[j]!;
      if (c === QUOTE) return j + 1;
      j += c === BACKSLASH ? 2 : 1;
    }
    return j;
  }

  /** The string token at `start..end` as `JSON.parse` reads it. */
  private decode(start: number, end: number): string {
    const text = Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('utf8');
    return text.includes('\\') ? (JSON.parse(text) as string) : text.slice(1, -1);
  }

  /**
   * The string token at `start..end`, or for a long one its first {@link MAX_VALUE_PREFIX_BYTES} bytes (cut before an
   * escape, and before a split character): always more than any clip keeps, without decoding megabytes.
   */
  private decodePrefix(start: number, end: number): string {
    if (end - start <= MAX_VALUE_PREFIX_BYTES) return this.decode(start, end);
    const b = this.bytes;
    let cut = start + 1;
    while (cut < start + MAX_VALUE_PREFIX_BYTES) cut += b[cut] === BACKSLASH ? (b[cut + 1] === 0x75 ? 6 : 2) : 1;
    while (cut > start + 1 && (b[cut]! & 0xc0) === 0x80) cut -= 1;
    const text = Buffer.from(b.buffer, b.byteOffset + start + 1, cut - start - 1).toString('utf8');
    return JSON.parse(`"${text}"`) as string;
  }

  private whitespace(i: number): number {
    const b = this.bytes;
    while (isWhitespace(b[i]!)) i += 1;
    return i;
  }
}

function isWhitespace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}

/** What a node adds to the serialized document (0 when nameless: it is not stored). */
export function weight(node: IndexNode): number {
  const entry = toEntry(node, -1);
  if (!entry) return 0;
  return ENTRY_OVERHEAD_CHARS + entry.name.length + (entry.type?.length ?? 0) + (entry.description?.length ?? 0);
}

/**
 * The index document of the nodes read: containers first (an entity's `bucketId` names one by `GUID`, and entities
 * come first in the file), then entities and attributes in file order; nameless nodes are left out and their
 * children hang from the nearest named ancestor. Shared with the reference extraction of the tests.
 */
export function assembleIndex(nodes: readonly IndexNode[], truncated: boolean): EntityIndexDocument {
  const entries: EntityIndexEntry[] = [];
  const entryOf = new Int32Array(nodes.length).fill(-1);
  const containerByGuid = new Map<string, number>();
  const add = (node: IndexNode, id: number, parent: number) => {
    const entry = toEntry(node, parent);
    if (entry) entryOf[id] = entries.push(entry) - 1;
  };
  nodes.forEach((node, id) => {
    if (node.kind !== 'container') return;
    add(node, id, -1);
    if (entryOf[id]! >= 0 && node.link !== undefined && !containerByGuid.has(node.link)) containerByGuid.set(node.link, entryOf[id]!);
  });
  nodes.forEach((node, id) => {
    if (node.kind === 'entity') add(node, id, node.link === undefined ? -1 : (containerByGuid.get(node.link) ?? -1));
    else if (node.kind === 'attribute') {
      let parent = node.parent;
      while (parent >= 0 && entryOf[parent]! < 0 && nodes[parent]!.kind === 'attribute') parent = nodes[parent]!.parent;
      add(node, id, parent >= 0 ? entryOf[parent]! : -1);
    }
  });
  return { entries, truncated };
}

function toEntry(node: IndexNode, parent: number): EntityIndexEntry | undefined {
  const name = node.name === undefined ? undefined : clipText(node.name, MAX_INDEX_NAME_LENGTH);
  if (name === undefined) return undefined;
  const type = clipText(node.childType ?? '', MAX_INDEX_TYPE_LENGTH) ?? clipText(node.type ?? '', MAX_INDEX_TYPE_LENGTH);
  const description =
    clipText(node.description ?? '', MAX_INDEX_DESCRIPTION_LENGTH) ?? clipText(node.comments ?? '', MAX_INDEX_DESCRIPTION_LENGTH);
  return { kind: node.kind, name, ...(type !== undefined ? { type } : {}), ...(description !== undefined ? { description } : {}), parent };
}
