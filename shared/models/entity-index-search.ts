/**
 * An entity index compiled for search: every name lower-cased into one string, so a query over a model is one native
 * `indexOf` per hit instead of a loop over thousands of entry objects, and a cache of thousands of models holds a
 * few strings and typed arrays each rather than millions of small objects. Details (type, description, path) are
 * decoded from the stored bytes only for the models that have hits.
 */
import { decodeEntityIndex, entryPath, type EntityIndexDocument, type EntityKind } from './entity-index';

/** `prefix`: a name starts with the query; `substring`: a name contains it. Both ignore case. */
export type NameMatch = 'prefix' | 'substring';

/** One matching object of a model. */
export interface EntityIndexHit {
  readonly entry: number;
  readonly kind: EntityKind;
  readonly name: string;
  readonly type?: string;
  readonly description?: string;
  /** Names from the outermost object down to this one. */
  readonly path: readonly string[];
}

const SEPARATOR = '\n';
const KIND_CODES: readonly EntityKind[] = ['container', 'entity', 'attribute'];

/** The text a query and a name are compared in: lower case, no separator inside. */
export function searchFolded(text: string): string {
  return text.toLowerCase().replaceAll(SEPARATOR, ' ');
}

export class SearchableEntityIndex {
  readonly truncated: boolean;
  /** Number of entries. */
  readonly size: number;
  /** `\n` + each folded name, so `\n<query>` finds prefixes. */
  private readonly folded: string;
  private readonly starts: Int32Array;
  private readonly kinds: Uint8Array;
  private readonly encoded: Uint8Array | undefined;
  private details: EntityIndexDocument | undefined;

  /** From a decoded document (kept for details), or from stored bytes (decoded again when details are asked). */
  constructor(source: EntityIndexDocument | Uint8Array) {
    const document = source instanceof Uint8Array ? decodeEntityIndex(source) : source;
    this.truncated = document.truncated;
    this.size = document.entries.length;
    this.starts = new Int32Array(this.size + 1);
    this.kinds = new Uint8Array(this.size);
    const parts: string[] = [];
    let offset = 0;
    document.entries.forEach((entry, index) => {
      const part = SEPARATOR + searchFolded(entry.name);
      this.starts[index] = offset + 1;
      this.kinds[index] = KIND_CODES.indexOf(entry.kind);
      parts.push(part);
      offset += part.length;
    });
    this.starts[this.size] = offset + 1;
    this.folded = parts.join('');
    this.details = source instanceof Uint8Array ? undefined : document;
    this.encoded = source instanceof Uint8Array ? source : undefined;
  }

  /** About how many bytes of memory the compiled index holds (what a cache counts). */
  get memoryBytes(): number {
    return 2 * this.folded.length + this.starts.byteLength + this.kinds.byteLength + (this.encoded?.byteLength ?? 0) + 200;
  }

  /**
   * Indexes (ascending, from `fromEntry`) of the entries whose name matches `foldedQuery` (see {@link searchFolded}),
   * optionally of one kind; at most `limit`.
   */
  find(foldedQuery: string, match: NameMatch, options: { kind?: EntityKind; fromEntry?: number; limit: number }): number[] {
    const found: number[] = [];
    if (foldedQuery === '' || options.limit <= 0) return found;
    const needle = match === 'prefix' ? SEPARATOR + foldedQuery : foldedQuery;
    const shift = match === 'prefix' ? 1 : 0;
    const kind = options.kind === undefined ? -1 : KIND_CODES.indexOf(options.kind);
    let from = this.starts[Math.min(Math.max(options.fromEntry ?? 0, 0), this.size)]! - shift;
    while (found.length < options.limit) {
      const at = this.folded.indexOf(needle, from);
      if (at < 0) break;
      const entry = this.entryAt(at + shift);
      if (kind < 0 || this.kinds[entry] === kind) found.push(entry);
      from = this.starts[entry + 1]! - shift;
    }
    return found;
  }

  /** What a hit shows of entry `index`. */
  hit(index: number): EntityIndexHit {
    const entries = this.document().entries;
    const entry = entries[index]!;
    return {
      entry: index,
      kind: entry.kind,
      name: entry.name,
      ...(entry.type !== undefined ? { type: entry.type } : {}),
      ...(entry.description !== undefined ? { description: entry.description } : {}),
      path: entryPath(entries, index),
    };
  }

  /** Drops decoded details kept since the last {@link hit} (a cache keeps only the compiled form). */
  compact(): void {
    if (this.encoded) this.details = undefined;
  }

  private document(): EntityIndexDocument {
    this.details ??= decodeEntityIndex(this.encoded!);
    return this.details;
  }

  /** The entry whose folded name holds position `position` (binary search over the starts). */
  private entryAt(position: number): number {
    let low = 0;
    let high = this.size - 1;
    while (low < high) {
      const middle = (low + high + 1) >> 1;
      if (this.starts[middle]! <= position) low = middle;
      else high = middle - 1;
    }
    return low;
  }
}
