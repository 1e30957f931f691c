import fc from 'fast-check';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  DEFAULT_MODEL_BODY_ENCODING,
  UnsupportedModelEncodingError,
  decodeModelBody,
  encodeModelBody,
  joinChunks,
  splitIntoChunks,
  type ModelBodyEncoding,
} from '../../../../shared/models/model-body-codec';
import { generateLargeModel } from '../../../../local/generate-large-model';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const ENCODINGS: ModelBodyEncoding[] = ['br', 'gzip', 'identity'];

describe('model body codec', () => {
  it('defaults to brotli', () => {
    expect(DEFAULT_MODEL_BODY_ENCODING).toBe('br');
  });

  it.each(ENCODINGS)('round-trips random bytes with %s', (encoding) => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (bytes) => {
        expect(decodeModelBody(encodeModelBody(bytes, encoding), encoding).equals(Buffer.from(bytes))).toBe(true);
      }),
      { numRuns: 100 },
    );
  });

  it('compresses every real model at least 7x with brotli, better than gzip', () => {
    for (const name of readdirSync(FIXTURES).filter((file) => file.endsWith('.hck.json'))) {
      const bytes = readFileSync(join(FIXTURES, name));
      const br = encodeModelBody(bytes, 'br');
      expect(decodeModelBody(br, 'br').equals(bytes)).toBe(true);
      expect(bytes.length / br.length).toBeGreaterThan(7);
      expect(br.length).toBeLessThan(encodeModelBody(bytes, 'gzip').length);
    }
  });

  // Its speed is measured by `npm run bench`, not asserted here.
  it('compresses a 32 MiB model more than 8-fold and decodes it exactly', () => {
    const bytes = generateLargeModel(32 * 1024 * 1024);
    const stored = encodeModelBody(bytes);
    expect(stored.length).toBeLessThan(bytes.length / 8);
    expect(decodeModelBody(stored, 'br', { maxBytes: bytes.length }).equals(bytes)).toBe(true);
  });

  it('bounds the decoded size', () => {
    const stored = encodeModelBody(Buffer.alloc(100_000, 0x20));
    // zlib's RangeError comes from another realm under jest, so match the message.
    expect(() => decodeModelBody(stored, 'br', { maxBytes: 99_999 })).toThrow(/larger than 99999 bytes/);
    expect(() => decodeModelBody(encodeModelBody(Buffer.alloc(10), 'identity'), 'identity', { maxBytes: 9 })).toThrow(RangeError);
    expect(decodeModelBody(encodeModelBody(Buffer.alloc(0)), 'br', { maxBytes: 0 }).length).toBe(0);
  });

  it('rejects an unknown encoding by name', () => {
    expect(() => decodeModelBody(Buffer.from('x'), 'zstd')).toThrow(UnsupportedModelEncodingError);
  });

  it('splits into chunks of the given size and joins them back', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), fc.integer({ min: 1, max: 300 }), (bytes, size) => {
        const chunks = splitIntoChunks(bytes, size);
        expect(chunks.length).toBe(Math.ceil(bytes.length / size));
        chunks.slice(0, -1).forEach((chunk) => expect(chunk.length).toBe(size));
        if (chunks.length > 0) expect(chunks.at(-1)!.length).toBeGreaterThan(0);
        expect(joinChunks(chunks).equals(Buffer.from(bytes))).toBe(true);
      }),
    );
  });

  it('splits views of a larger buffer correctly', () => {
    const whole = Buffer.from('0123456789');
    expect(splitIntoChunks(whole.subarray(3, 8), 2).map(String)).toEqual(['34', '56', '7']);
  });

  it('refuses a chunk size that is not a positive integer', () => {
    expect(() => splitIntoChunks(Buffer.from('x'), 0)).toThrow(RangeError);
    expect(() => splitIntoChunks(Buffer.from('x'), 1.5)).toThrow(RangeError);
  });
});
