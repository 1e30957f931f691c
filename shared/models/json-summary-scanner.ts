/**
 * Reads a few values of a JSON document (chosen top-level members, array lengths, one name per element of one
 * array) in one pass over its bytes, building nothing else. A whole-document `JSON.parse` of a 31 MiB model made
 * of millions of `{}` or nested arrays peaks near 1 GB; this holds the bytes, the values asked for and one byte per
 * level of nesting.
 *
 * Hand-written rather than a streaming library: @streamparser/json's parser builds every value it is not told to
 * emit (a large untracked member still costs its whole tree) and stream-json works on Node streams of tokens, both
 * an order of magnitude slower than this byte loop; what we need is a validator with three hooks.
 */

/** What a tracked top-level member held (the last occurrence wins, as with `JSON.parse`). */
export type MemberValue =
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'array'; readonly length: number }
  | { readonly kind: 'other' };

/** What to read: top-level members, and the names of the elements of one of them. */
export interface ScanSpec {
  readonly members: ReadonlySet<string>;
  /** `array[].key`: the first `limit` distinct names (strings, trimmed, clipped to `clip` characters, not blank). */
  readonly names: { readonly array: string; readonly key: string; readonly limit: number; readonly clip: number };
}

export type JsonType = 'object' | 'array' | 'string' | 'number' | 'boolean' | 'null';

/** Valid JSON: the top-level type, and for an object the tracked members found and the names. */
export type ScanResult =
  | { readonly valid: true; readonly type: JsonType; readonly members: ReadonlyMap<string, MemberValue>; readonly names: readonly string[] }
  | { readonly valid: false; readonly error: string };

class JsonSyntaxError extends Error {}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OBJECT = 1;
const ARRAY = 2;
/** Keys longer than this (in bytes) cannot spell a tracked name, even as `\uXXXX` escapes: they are not decoded. */
const MAX_TRACKED_KEY_BYTES = 6 * 32 + 2;

/**
 * Scans UTF-8 `bytes` (a leading BOM is skipped) as `JSON.parse` of their decoding would read them: the same
 * documents are valid (RFC 8259; invalid UTF-8 inside strings decodes to U+FFFD, outside them it is an error),
 * tracked values are decoded as `JSON.parse` decodes them, and errors use V8's wording with the position (and line and column) in
 * UTF-16 units of the decoded text. Never throws; synchronous, O(bytes).
 */
export function scanJson(bytes: Uint8Array, spec: ScanSpec): ScanResult {
  const scanner = new Scanner(bytes, spec);
  try {
    return scanner.run();
  } catch (error) {
    if (!(error instanceof JsonSyntaxError)) throw error;
    return { valid: false, error: error.message };
  }
}

class Scanner {
  private readonly start: number;
  private stack = new Uint8Array(64);
  private depth = 0;
  private topType: JsonType = 'null';
  private readonly members = new Map<string, MemberValue>();
  /** The top-level member being read, when tracked. */
  private member: string | undefined;
  private countingArray: { kind: 'array'; length: number } | undefined;
  private names = new Set<string>();
  private readingNames = false;
  private inNamedElement = false;
  private atNameKey = false;
  private elementName: string | undefined;
  /** Whether the last string read had escapes (it is then decoded by `JSON.parse`). */
  private escaped = false;
  /** The container the last value opened (OBJECT or ARRAY), or 0 for a scalar. */
  private opened = 0;

  constructor(
    private readonly bytes: Uint8Array,
    private readonly spec: ScanSpec,
  ) {
    this.start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
  }

  run(): ScanResult {
    const b = this.bytes;
    const n = b.length;
    let i = this.whitespace(this.start);
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        i = this.value(i);
        expectValue = false;
        if (this.opened === OBJECT) {
          i = this.whitespace(i);
          if (b[i] === 0x7d) i = this.close(i + 1);
          else {
            i = this.key(i, "Expected property name or '}'");
            expectValue = true;
          }
        } else if (this.opened === ARRAY) {
          i = this.whitespace(i);
          if (b[i] === 0x5d) i = this.close(i + 1);
          else expectValue = true;
        }
        continue;
      }
      i = this.whitespace(i);
      if (this.depth === 0) {
        if (i < n) this.fail('Unexpected non-whitespace character after JSON', i);
        return { valid: true, type: this.topType, members: this.members, names: [...this.names] };
      }
      const c = b[i];
      if (this.stack[this.depth - 1] === OBJECT) {
        if (c === 0x2c) {
          i = this.key(this.whitespace(i + 1), 'Expected double-quoted property name');
          expectValue = true;
        } else if (c === 0x7d) i = this.close(i + 1);
        else this.fail("Expected ',' or '}' after property value", i);
      } else if (c === 0x2c) {
        i = this.whitespace(i + 1);
        expectValue = true;
      } else if (c === 0x5d) i = this.close(i + 1);
      else this.fail("Expected ',' or ']' after array element", i);
    }
  }

  /** Reads one value at `i` (a container is only opened: see `opened`); returns the position after it. */
  private value(i: number): number {
    const b = this.bytes;
    const c = b[i];
    if (i >= b.length) this.fail('Unexpected end of JSON input', i);
    let end: number;
    let type: JsonType;
    if (c === 0x7b || c === 0x5b) {
      type = c === 0x7b ? 'object' : 'array';
      end = i + 1;
    } else if (c === QUOTE) {
      type = 'string';
      end = this.string(i);
    } else if (c === 0x2d || (c! >= 0x30 && c! <= 0x39)) {
      type = 'number';
      end = this.number(i);
    } else if (this.literal(i, 'true') || this.literal(i, 'false')) {
      type = 'boolean';
      end = i + (c === 0x74 ? 4 : 5);
    } else if (this.literal(i, 'null')) {
      type = 'null';
      end = i + 4;
    } else return this.fail(`Unexpected token '${this.characterAt(i)}'`, i);
    this.observe(type, i, end);
    this.opened = type === 'object' ? OBJECT : type === 'array' ? ARRAY : 0;
    if (this.opened) this.push(this.opened);
    return end;
  }

  /** The hooks: what a value at this depth means for the tracked members and names. */
  private observe(type: JsonType, start: number, end: number): void {
    if (this.depth === 0) this.topType = type;
    else if (this.depth === 1 && this.stack[0] === OBJECT) {
      if (this.member === undefined) return;
      const value: MemberValue =
        type === 'string'
          ? { kind: 'string', value: this.decode(start, end) }
          : type === 'number'
            ? { kind: 'number', value: Number(this.decodeAscii(start, end)) }
            : type === 'array'
              ? { kind: 'array', length: 0 }
              : { kind: 'other' };
      this.members.set(this.member, value);
      this.countingArray = value.kind === 'array' ? value : undefined;
      this.readingNames = this.member === this.spec.names.array && value.kind === 'array';
    } else if (this.depth === 2 && this.countingArray) {
      this.countingArray.length += 1;
      if (this.readingNames && type === 'object') {
        this.inNamedElement = true;
        this.elementName = undefined;
      }
    } else if (this.depth === 3 && this.inNamedElement && this.atNameKey) {
      this.elementName = type === 'string' ? this.decode(start, end) : undefined;
    }
  }

  /** Reads `"key"` and its colon at `i`; returns the position of the value. */
  private key(i: number, expected: string): number {
    if (this.bytes[i] !== QUOTE) this.fail(expected, i);
    const end = this.string(i);
    if (this.depth === 1 && this.stack[0] === OBJECT) {
      const name = this.trackedKey(i, end);
      this.member = name !== undefined && this.spec.members.has(name) ? name : undefined;
      if (this.member === this.spec.names.array) this.names = new Set();
    } else if (this.depth === 3 && this.inNamedElement) this.atNameKey = this.trackedKey(i, end) === this.spec.names.key;
    const colon = this.whitespace(end);
    if (this.bytes[colon] !== 0x3a) this.fail("Expected ':' after property name", colon);
    return this.whitespace(colon + 1);
  }

  private trackedKey(start: number, end: number): string | undefined {
    return end - start <= MAX_TRACKED_KEY_BYTES ? this.decode(start, end) : undefined;
  }

  private push(kind: number): void {
    if (this.depth === this.stack.length) {
      const grown = new Uint8Array(this.stack.length * 2);
      grown.set(this.stack);
      this.stack = grown;
    }
    this.stack[this.depth++] = kind;
  }

  /** Closes the innermost container (its closing byte is before `next`). */
  private close(next: number): number {
    this.depth -= 1;
    if (this.depth === 2 && this.inNamedElement) {
      this.inNamedElement = false;
      const { limit, clip } = this.spec.names;
      const name = this.elementName?.trim();
      if (name && this.names.size < limit) this.names.add(name.slice(0, clip));
    }
    if (this.depth === 1) {
      this.countingArray = undefined;
      this.readingNames = false;
    }
    return next;
  }

  /** Validates a string at `i` (the opening quote); returns the position after its closing quote. */
  private string(i: number): number {
    const b = this.bytes;
    const n = b.length;
    let j = i + 1;
    this.escaped = false;
    for (;;) {
      if (j >= n) this.fail('Unterminated string in JSON', j);
      const c = b[j]!;
      if (c === QUOTE) return j + 1;
      if (c < 0x20) this.fail('Bad control character in string literal', j);
      if (c !== BACKSLASH) {
        j += 1;
        continue;
      }
      this.escaped = true;
      const e = b[j + 1];
      if (e === 0x75) {
        for (let k = j + 2; k < j + 6; k++) if (!isHexDigit(b[k])) this.fail('Bad Unicode escape', j);
        j += 6;
      } else if (e === QUOTE || e === BACKSLASH || e === 0x2f || e === 0x62 || e === 0x66 || e === 0x6e || e === 0x72 || e === 0x74) {
        j += 2;
      } else if (j + 1 >= n) this.fail('Unterminated string in JSON', j + 1);
      else this.fail('Bad escaped character', j + 1);
    }
  }

  private number(i: number): number {
    const b = this.bytes;
    let j = i;
    if (b[j] === 0x2d) j += 1;
    if (b[j] === 0x30) j += 1;
    else if (isDigit(b[j])) while (isDigit(b[j])) j += 1;
    else this.fail('No number after minus sign in JSON', j);
    if (b[j] === 0x2e) {
      j += 1;
      if (!isDigit(b[j])) this.fail('Unterminated fractional number in JSON', j);
      while (isDigit(b[j])) j += 1;
    }
    if (b[j] === 0x65 || b[j] === 0x45) {
      j += 1;
      if (b[j] === 0x2b || b[j] === 0x2d) j += 1;
      if (!isDigit(b[j])) this.fail('Exponent part is missing a number in JSON', j);
      while (isDigit(b[j])) j += 1;
    }
    return j;
  }

  private literal(i: number, word: string): boolean {
    for (let k = 0; k < word.length; k++) if (this.bytes[i + k] !== word.charCodeAt(k)) return false;
    return true;
  }

  private whitespace(i: number): number {
    const b = this.bytes;
    while (b[i] === 0x20 || b[i] === 0x0a || b[i] === 0x0d || b[i] === 0x09) i += 1;
    return i;
  }

  /** The string token at `start..end` (with its quotes) as `JSON.parse` reads it. */
  private decode(start: number, end: number): string {
    const text = new TextDecoder('utf-8').decode(this.bytes.subarray(start, end));
    return this.escaped ? (JSON.parse(text) as string) : text.slice(1, -1);
  }

  private decodeAscii(start: number, end: number): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset + start, end - start).toString('latin1');
  }

  private characterAt(i: number): string {
    return [...new TextDecoder('utf-8').decode(this.bytes.subarray(i, i + 4))][0] ?? '';
  }

  private fail(message: string, i: number): never {
    if (i >= this.bytes.length) throw new JsonSyntaxError('Unexpected end of JSON input');
    // V8 counts positions in UTF-16 units of the decoded text (after the BOM), and (Node.js 22+) names the line and
    // column too, which is what finds the error in a large model.
    const before = new TextDecoder('utf-8').decode(this.bytes.subarray(this.start, i));
    const lineStart = before.lastIndexOf('\n') + 1;
    const line = before.split('\n').length;
    const where = `at position ${before.length} (line ${line} column ${before.length - lineStart + 1})`;
    throw new JsonSyntaxError(`${message.endsWith(' in JSON') ? message : `${message} in JSON`} ${where}`);
  }
}

function isDigit(c: number | undefined): boolean {
  return c !== undefined && c >= 0x30 && c <= 0x39;
}

function isHexDigit(c: number | undefined): boolean {
  return c !== undefined && ((c >= 0x30 && c <= 0x39) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));
}
