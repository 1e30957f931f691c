import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import {
  MAX_INDEX_ATTRIBUTE_DEPTH,
  MAX_INDEX_DESCRIPTION_LENGTH,
  MAX_INDEX_NAME_LENGTH,
  MAX_INDEX_TYPE_LENGTH,
  clipText,
  entryPath,
  type EntityIndexDocument,
} from '../../../../shared/models/entity-index';
import { NESTING_KEYS, extractEntityIndex } from '../../../../shared/models/entity-index-extractor';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const MODELS = readdirSync(FIXTURES)
  .filter((file) => file.endsWith('.hck.json'))
  .map((file) => ({ file, model: JSON.parse(readFileSync(join(FIXTURES, file), 'utf8')) as Record<string, unknown> }));

interface Flat {
  kind: string;
  name: string;
  type?: string;
  description?: string;
  path: string[];
}

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => value !== null && typeof value === 'object' && !Array.isArray(value);
const text = (value: unknown, max: number) => (typeof value === 'string' ? clipText(value, max) : undefined);

/** The oracle: the same index read from a whole-document `JSON.parse`, by plain recursion over the tree. */
function referenceIndex(bytes: Buffer): Flat[] {
  const model = JSON.parse(bytes.toString('utf8').replace(/^\uFEFF/, '')) as Json;
  const flat: Flat[] = [];
  const describe = (kind: string, source: Json, nameField: string, path: string[]): Flat | undefined => {
    const name = text(source[nameField], MAX_INDEX_NAME_LENGTH);
    if (name === undefined) return undefined;
    const type = text(source.childType, MAX_INDEX_TYPE_LENGTH) ?? text(source.type, MAX_INDEX_TYPE_LENGTH);
    const description = text(source.description, MAX_INDEX_DESCRIPTION_LENGTH) ?? text(source.comments, MAX_INDEX_DESCRIPTION_LENGTH);
    const entry = { kind, name, ...(type ? { type } : {}), ...(description ? { description } : {}), path: [...path, name] };
    flat.push(entry);
    return entry;
  };
  const containers = new Map<string, string[]>();
  for (const bucket of Array.isArray(model.buckets) ? model.buckets.filter(isObject) : []) {
    const entry = describe('container', bucket, 'name', []);
    if (entry && typeof bucket.GUID === 'string' && !containers.has(bucket.GUID)) containers.set(bucket.GUID, entry.path);
  }
  const attributes = (holder: Json, path: string[], depth: number) => {
    for (const [key, value] of Object.entries(holder)) {
      if (!NESTING_KEYS.has(key)) continue;
      for (const child of (Array.isArray(value) ? value : [value]).filter(isObject)) {
        if (depth > MAX_INDEX_ATTRIBUTE_DEPTH) continue;
        const entry = describe('attribute', child, 'name', path);
        attributes(child, entry?.path ?? path, depth + 1);
      }
    }
  };
  for (const collection of Array.isArray(model.collections) ? model.collections.filter(isObject) : []) {
    const container = typeof collection.bucketId === 'string' ? (containers.get(collection.bucketId) ?? []) : [];
    const entity = describe('entity', collection, 'collectionName', container);
    attributes(collection, entity?.path ?? [], 1);
  }
  return flat;
}

function flatten(document: EntityIndexDocument): Flat[] {
  return document.entries.map((entry, index) => ({
    kind: entry.kind,
    name: entry.name,
    ...(entry.type !== undefined ? { type: entry.type } : {}),
    ...(entry.description !== undefined ? { description: entry.description } : {}),
    path: entryPath(document.entries, index),
  }));
}

/** Serializes like `JSON.stringify`, with some strings spelled in `\uXXXX` escapes and random indentation. */
function serialize(value: unknown, escapeEvery: number, indent: number): string {
  let count = 0;
  const escaped = (s: string) =>
    ++count % escapeEvery === 0
      ? `"${[...s].map((c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`).join('')}"`
      : JSON.stringify(s);
  const write = (v: unknown, level: number): string => {
    const pad = indent > 0 ? `\n${' '.repeat(indent * (level + 1))}` : '';
    const end = indent > 0 ? `\n${' '.repeat(indent * level)}` : '';
    if (typeof v === 'string') return escaped(v);
    if (Array.isArray(v)) return v.length === 0 ? '[]' : `[${v.map((x) => pad + write(x, level + 1)).join(',')}${end}]`;
    if (isObject(v)) {
      const members = Object.entries(v).map(([k, x]) => `${pad}${escaped(k)}:${indent > 0 ? ' ' : ''}${write(x, level + 1)}`);
      return members.length === 0 ? '{}' : `{${members.join(',')}${end}}`;
    }
    return JSON.stringify(v);
  };
  return write(value, 0);
}

const fieldValue = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.constantFrom('  padded  ', '', '   ', 'é中\u{1F600}', 'x'.repeat(300), `${'é'.repeat(150)}\u{1F600}${'y'.repeat(100)}`),
  fc.integer(),
  fc.constant(null),
);
/** Hackolade-shaped attributes: names, types, descriptions, nesting under every key, nameless items, odd values. */
const attribute: fc.Memo<Json> = fc.memo((n) =>
  fc
    .record(
      {
        name: fieldValue,
        type: fieldValue,
        childType: fieldValue,
        description: fieldValue,
        comments: fieldValue,
        nested:
          n > 1
            ? fc.array(
                fc.tuple(fc.constantFrom(...NESTING_KEYS), fc.oneof(fc.array(attribute(n - 1), { maxLength: 3 }), attribute(n - 1))),
                { maxLength: 2 },
              )
            : fc.constant([]),
      },
      { requiredKeys: ['nested'] },
    )
    .map(({ nested, ...fields }) => ({ ...fields, ...Object.fromEntries(nested), other: { properties: [{ name: 'not an attribute' }] } })),
);
const generatedModel = fc
  .record({
    buckets: fc.array(fc.record({ name: fieldValue, GUID: fc.constantFrom('g1', 'g2', 'g3') }), { maxLength: 3 }),
    collections: fc.array(
      fc.record({
        collectionName: fieldValue,
        bucketId: fc.constantFrom('g1', 'g2', 'nope', 7),
        properties: fc.array(attribute(4), { maxLength: 3 }),
      }),
      { maxLength: 4 },
    ),
    views: fc.constant([{ name: 'a view', properties: [{ name: 'not indexed' }] }]),
  })
  .map((model) => ({ modelName: 'generated', ...model }));

describe('extractEntityIndex, against a whole-document JSON.parse', () => {
  it.each(MODELS.map(({ file }) => file))('reads %s as the oracle does', (file) => {
    const bytes = readFileSync(join(FIXTURES, file));
    const extracted = extractEntityIndex(bytes);
    expect(extracted.truncated).toBe(false);
    expect(flatten(extracted)).toEqual(referenceIndex(bytes));
    expect(extracted.entries.length).toBeGreaterThanOrEqual(
      (JSON.parse(bytes.toString('utf8')) as { collections: unknown[] }).collections.length,
    );
  });

  it('agrees on the real models reshaped: collections dropped and reordered, strings escaped, any indentation', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...MODELS),
        fc.array(fc.nat(), { maxLength: 40 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        ({ model }, picks, escapeEvery, indent, bom) => {
          const collections = model.collections as unknown[];
          const reshaped = { ...model, collections: picks.map((pick) => collections[pick % collections.length]) };
          const bytes = Buffer.from(`${bom ? '\uFEFF' : ''}${serialize(reshaped, escapeEvery, indent)}`);
          expect(flatten(extractEntityIndex(bytes))).toEqual(referenceIndex(bytes));
        },
      ),
      { numRuns: 60 },
    );
  });

  it('agrees on generated Hackolade-shaped models with odd values, escapes and nesting under every key', () => {
    fc.assert(
      fc.property(generatedModel, fc.integer({ min: 1, max: 9 }), fc.integer({ min: 0, max: 2 }), (model, escapeEvery, indent) => {
        const bytes = Buffer.from(serialize(model, escapeEvery, indent));
        expect(flatten(extractEntityIndex(bytes))).toEqual(referenceIndex(bytes));
      }),
      { numRuns: 500 },
    );
  });
});
