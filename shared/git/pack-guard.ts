// isomorphic-git holds a fetched pack in memory several times over (the pack, copies of it, and every object
// inflated while it is indexed): a head of large files, or one small pack of a huge file of zeros, would take the
// worker past its memory. This guard reads the git-upload-pack response as it streams (pkt-lines, side band 1,
// the pack's object headers, each object's zlib stream inflated and thrown away) and stops the fetch with reason
// `too-large` as soon as the pack, one object, or all objects inflated would go over a budget.
import pako from 'pako';
import { GitFetchError } from './errors';

/** How much of a pack a fetch may take in (the worker's peak memory grows with each: see docs/BENCHMARKS.md). */
export interface PackLimits {
  /** Bytes of the upload-pack response on the wire. */
  readonly maxPackBytes: number;
  /** Inflated size of any one object (a delta counts as the object it makes). */
  readonly maxObjectBytes: number;
  /** Inflated size of all objects together. */
  readonly maxInflatedBytes: number;
}

const MIB = 1024 * 1024;

/**
 * The default budget, in MiB. Measured with the worker bundle (`npm run bench`, "Bounded memory"): with it the
 * worker's peak RSS stays under 512 MB, and a head of 10,000 models of 14 KB (136 MiB inflated) still fits.
 */
export const DEFAULT_PACK_BUDGET_MIB = 48;

export const DEFAULT_PACK_LIMITS: PackLimits = packLimitsFor(DEFAULT_PACK_BUDGET_MIB * MIB);

/** The limits scaled from one budget: the pack and any object up to `maxPackBytes`, all objects up to 4× that inflated. */
export function packLimitsFor(maxPackBytes: number): PackLimits {
  return { maxPackBytes, maxObjectBytes: maxPackBytes, maxInflatedBytes: 4 * maxPackBytes };
}

const OBJECT_TYPES: Record<number, string> = { 1: 'commit', 2: 'tree', 3: 'blob', 4: 'tag', 6: 'ofs-delta', 7: 'ref-delta' };
const OFS_DELTA = 6;
const REF_DELTA = 7;
/** The base and result sizes that start a delta are varints of at most 10 bytes each. */
const DELTA_HEADER_BYTES = 20;

/** The body of a git-upload-pack response, passed on unchanged, that throws {@link GitFetchError} `too-large` past `limits`. */
export async function* guardUploadPack(body: AsyncIterable<Uint8Array>, limits: PackLimits): AsyncGenerator<Uint8Array> {
  const pack = new PackReader(limits);
  const lines = new PktLineReader((band, payload) => {
    if (band === 1) pack.push(payload);
  });
  let received = 0;
  for await (const chunk of body) {
    received += chunk.byteLength;
    if (received > limits.maxPackBytes) throw tooLarge(`the pack is larger than ${limits.maxPackBytes} bytes`);
    lines.push(chunk);
    yield chunk;
  }
}

/** Splits a response into pkt-lines and hands each side-band payload (band 1 pack, 2 progress, 3 error) on. */
class PktLineReader {
  private header = Buffer.alloc(0);
  private left = 0;
  private band: number | undefined;

  constructor(private readonly onBand: (band: number, payload: Uint8Array) => void) {}

  push(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.byteLength) {
      if (this.left === 0) {
        const need = 4 - this.header.byteLength;
        this.header = Buffer.concat([this.header, chunk.subarray(at, at + need)]);
        at += Math.min(need, chunk.byteLength - at);
        if (this.header.byteLength < 4) return;
        const text = this.header.toString('latin1');
        this.header = Buffer.alloc(0);
        if (!/^[0-9a-f]{4}$/i.test(text)) throw new GitFetchError('protocol', `git fetch: not a pkt-line length: ${JSON.stringify(text)}`);
        const length = parseInt(text, 16);
        // 0000 flush, 0001 delimiter, 0002 response end: no payload.
        this.left = length <= 2 ? 0 : length - 4;
        this.band = undefined;
        continue;
      }
      const take = Math.min(this.left, chunk.byteLength - at);
      let payload = chunk.subarray(at, at + take);
      at += take;
      this.left -= take;
      // A line's first payload byte names its band; lines before the pack (NAK, shallow) are text, no band.
      if (this.band === undefined) {
        this.band = payload[0]! <= 3 ? payload[0]! : 0;
        payload = payload.subarray(1);
      }
      if (this.band !== 0 && payload.byteLength > 0) this.onBand(this.band, payload);
    }
  }
}

/** Reads a pack as it arrives: its header, each object's header and zlib stream, and the trailer. */
class PackReader {
  private pending = Buffer.alloc(0);
  private objectsLeft: number | undefined;
  private inflater: ObjectInflater | undefined;
  private inflated = 0;

  constructor(private readonly limits: PackLimits) {}

  push(bytes: Uint8Array): void {
    let input =
      this.pending.byteLength > 0 ? Buffer.concat([this.pending, bytes]) : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pending = Buffer.alloc(0);
    while (input.byteLength > 0 && this.objectsLeft !== 0) {
      if (this.inflater) {
        input = input.subarray(this.inflater.push(input));
        if (this.inflater.done) {
          this.inflater = undefined;
          this.objectsLeft! -= 1;
        }
        continue;
      }
      const used = this.objectsLeft === undefined ? this.readPackHeader(input) : this.readObjectHeader(input);
      if (used === 0) {
        // Not enough bytes for the next header yet: keep them for the next payload.
        this.pending = Buffer.from(input);
        return;
      }
      input = input.subarray(used);
    }
  }

  /** Bytes used by the 12-byte pack header, or 0 when it has not all arrived. */
  private readPackHeader(input: Buffer): number {
    if (input.byteLength < 12) return 0;
    if (input.toString('latin1', 0, 4) !== 'PACK') throw new GitFetchError('protocol', 'git fetch: the response holds no pack');
    this.objectsLeft = input.readUInt32BE(8);
    return 12;
  }

  /** Bytes used by an object's header (type, size, delta base), or 0 when it has not all arrived. */
  private readObjectHeader(input: Buffer): number {
    let at = 0;
    let byte = input[at++];
    if (byte === undefined) return 0;
    const type = (byte >> 4) & 7;
    let size = byte & 15;
    for (let shift = 4; byte! & 0x80; shift += 7) {
      byte = input[at++];
      if (byte === undefined) return 0;
      size += (byte & 0x7f) * 2 ** shift;
    }
    if (!(type in OBJECT_TYPES)) throw new GitFetchError('protocol', `git fetch: unknown pack object type ${type}`);
    if (type === OFS_DELTA) {
      do {
        byte = input[at++];
        if (byte === undefined) return 0;
      } while (byte & 0x80);
    } else if (type === REF_DELTA) {
      at += 20;
      if (at > input.byteLength) return 0;
    }
    const delta = type === OFS_DELTA || type === REF_DELTA;
    // A whole object's size is in its header: one too large is refused before a byte of it is inflated.
    if (!delta) this.count(size, OBJECT_TYPES[type]!);
    this.inflater = new ObjectInflater(OBJECT_TYPES[type]!, delta, (result) => this.count(result, 'delta'));
    return at;
  }

  private count(size: number, type: string): void {
    if (size > this.limits.maxObjectBytes) throw tooLarge(`a ${type} object of ${size} bytes is larger than ${this.limits.maxObjectBytes}`);
    this.inflated += size;
    if (this.inflated > this.limits.maxInflatedBytes)
      throw tooLarge(`the pack's objects hold more than ${this.limits.maxInflatedBytes} bytes inflated`);
  }
}

/** The shape of pako's Inflate this reads beyond its typings: whether the stream ended, and the input it left. */
interface InflateState {
  ended: boolean;
  strm: { avail_in: number };
}

/** Inflates one object's zlib stream, keeping nothing but a delta's first bytes (its base and result sizes). */
class ObjectInflater {
  done = false;
  private head: Buffer | undefined;
  private readonly inflate = new pako.Inflate({ chunkSize: 64 * 1024 });

  /** `onDeltaSize` is called with the size of the object a delta makes, as soon as it is read. */
  constructor(
    readonly type: string,
    delta: boolean,
    private readonly onDeltaSize: (size: number) => void,
  ) {
    if (delta) this.head = Buffer.alloc(0);
    this.inflate.onData = (chunk) => {
      if (this.head === undefined) return;
      this.head = Buffer.concat([this.head, chunk as Uint8Array]).subarray(0, DELTA_HEADER_BYTES);
      this.readDeltaSizes(this.head);
    };
  }

  /** Bytes of `input` this object's stream used. */
  push(input: Buffer): number {
    this.inflate.push(input, false);
    if (this.inflate.err) throw new GitFetchError('protocol', `git fetch: a pack object does not inflate (${this.inflate.msg})`);
    const state = this.inflate as unknown as InflateState;
    if (!state.ended) return input.byteLength;
    this.done = true;
    return input.byteLength - state.strm.avail_in;
  }

  private readDeltaSizes(head: Buffer): void {
    let at = 0;
    const varint = (): number | undefined => {
      let value = 0;
      for (let shift = 0; at < head.byteLength; shift += 7) {
        const byte = head[at++]!;
        value += (byte & 0x7f) * 2 ** shift;
        if (!(byte & 0x80)) return value;
      }
      return undefined;
    };
    const base = varint();
    const result = base === undefined ? undefined : varint();
    if (result === undefined) return;
    this.head = undefined;
    this.onDeltaSize(result);
  }
}

function tooLarge(what: string): GitFetchError {
  return new GitFetchError('too-large', `git fetch stopped: ${what}; the repository is read over REST`);
}
