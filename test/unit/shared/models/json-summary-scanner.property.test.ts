import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { MAX_ENTITY_NAME_LENGTH, MAX_ENTITY_NAMES, readModelSummary } from '../../../../shared/models/hackolade-metadata';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');

/** The summary as a whole-document `JSON.parse` gives it (how it was read before the scanner): the oracle. */
function parsedSummary(bytes: Uint8Array): unknown {
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder('utf-8').decode(bytes));
  } catch {
    return { valid: false };
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return { valid: false };
  const source = parsed as Record<string, unknown>;
  const metadata: Record<string, unknown> = {};
  for (const field of ['modelName', 'dbVendor', 'appTarget', 'GUID'])
    if (typeof source[field] === 'string') metadata[field] = source[field];
  for (const field of ['dbVersion', 'lastModifTS']) {
    const value = source[field];
    if (typeof value === 'string' || (typeof value === 'number' && Number.isFinite(value))) metadata[field] = value;
  }
  for (const field of ['collections', 'relationships', 'buckets', 'views'])
    metadata[field] = Array.isArray(source[field]) ? (source[field] as unknown[]).length : 0;
  const names = new Set<string>();
  for (const collection of Array.isArray(source.collections) ? source.collections : []) {
    const name = (collection as { collectionName?: unknown } | null)?.collectionName;
    if (typeof name === 'string' && name.trim() !== '') names.add(name.trim().slice(0, MAX_ENTITY_NAME_LENGTH));
    if (names.size >= MAX_ENTITY_NAMES) break;
  }
  return { valid: true, metadata, entityNames: [...names] };
}

function scannedSummary(bytes: Uint8Array): unknown {
  const { metadata, entityNames } = readModelSummary(bytes);
  return metadata.valid ? { valid: true, metadata: metadata.metadata, entityNames } : { valid: false };
}

const TRACKED = [
  'modelName',
  'dbVendor',
  'appTarget',
  'GUID',
  'dbVersion',
  'lastModifTS',
  'collections',
  'relationships',
  'buckets',
  'views',
];
const name = fc.oneof(fc.constantFrom('collectionName', 'collectionNam\\u0065', 'other'), fc.string({ maxLength: 3 }));
/** Values of tracked members, with escapes, duplicates, odd types and elements that carry names. */
const memberValue = fc.oneof(
  fc.jsonValue({ maxDepth: 2 }).map((value) => JSON.stringify(value)),
  fc
    .array(
      fc.oneof(
        fc.tuple(name, fc.jsonValue({ maxDepth: 1 })).map(([key, value]) => `{"${key}":${JSON.stringify(value)}}`),
        fc.constant('[]'),
        fc.constant(' "x" '),
      ),
      { maxLength: 6 },
    )
    .map((items) => `[${items.join(',')}]`),
  fc.constantFrom('1e999', '-0', '"a\\u0000b"', '"\\ud800"', '  "  padded  "  ', '12.5e-3'),
);
const member = fc
  .tuple(fc.oneof(fc.constantFrom(...TRACKED), fc.constantFrom('model\\u004eame', 'x')), memberValue)
  .map(([key, value]) => `"${key}":${value}`);
const document = fc.array(member, { maxLength: 8 }).map((members) => `{${members.join(',')}}`);

describe('readModelSummary, against a whole-document JSON.parse', () => {
  it.each(readdirSync(FIXTURES).filter((file) => file.endsWith('.hck.json')))('reads %s exactly as JSON.parse does', (file) => {
    const bytes = readFileSync(join(FIXTURES, file));
    expect(scannedSummary(bytes)).toEqual(parsedSummary(bytes));
  });

  it('agrees on documents with tracked members, duplicates and escapes', () => {
    fc.assert(
      fc.property(document, (text) => {
        const bytes = Buffer.from(text);
        expect(scannedSummary(bytes)).toEqual(parsedSummary(bytes));
      }),
      { numRuns: 2000 },
    );
  });

  it('agrees on any JSON value and on its truncations and one-byte edits', () => {
    fc.assert(
      fc.property(fc.json(), fc.nat(), fc.integer({ min: 0, max: 255 }), (text, at, byte) => {
        const bytes = Buffer.from(text);
        const cut = bytes.subarray(0, at % (bytes.length + 1));
        const edited = Buffer.from(bytes);
        if (edited.length > 0) edited[at % edited.length] = byte;
        for (const variant of [bytes, cut, edited]) expect(scannedSummary(variant)).toEqual(parsedSummary(variant));
      }),
      { numRuns: 3000 },
    );
  });

  it('agrees on arbitrary bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.string({ maxLength: 40 }), (raw, text) => {
        for (const bytes of [raw, Buffer.from(text)]) expect(scannedSummary(bytes)).toEqual(parsedSummary(bytes));
      }),
      { numRuns: 3000 },
    );
  });

  it('keeps the first 100 distinct names of the last `collections`, as JSON.parse would', () => {
    const many = Array.from({ length: 250 }, (_, index) => `{"collectionName":" n${index % 120} "}`).join(',');
    const bytes = Buffer.from(`{"collections":[{"collectionName":"old"}],"collections":[{},null,{"collectionName":""},${many}]}`);
    const summary = readModelSummary(bytes);
    expect(summary.entityNames).toHaveLength(100);
    expect(scannedSummary(bytes)).toEqual(parsedSummary(bytes));
  });
});
