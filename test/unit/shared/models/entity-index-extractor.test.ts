import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  MAX_INDEX_ATTRIBUTE_DEPTH,
  MAX_INDEX_DESCRIPTION_LENGTH,
  MAX_INDEX_ENTRIES,
  decodeEntityIndex,
  encodeEntityIndex,
  entryPath,
} from '../../../../shared/models/entity-index';
import { extractEntityIndex } from '../../../../shared/models/entity-index-extractor';
import { generateLargeModel } from '../../../../local/generate-large-model';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const extract = (text: string) => extractEntityIndex(Buffer.from(text));
const paths = (text: string) => {
  const { entries } = extract(text);
  return entries.map((entry, index) => `${entry.kind}:${entryPath(entries, index).join('/')}`);
};

describe('extractEntityIndex', () => {
  it('indexes containers, entities and nested attributes with their types, descriptions and paths', () => {
    const { entries, truncated } = extractEntityIndex(readFileSync(join(FIXTURES, 'medium-dynamodb-book.hck.json')));
    expect(truncated).toBe(false);
    const customer = entries.findIndex((entry) => entry.name === 'customer');
    expect(entries[customer]).toMatchObject({ kind: 'attribute', type: 'map' });
    expect(entryPath(entries, customer)).toEqual(['Single-Table Design', 'orders', 'customer']);
    const nested = entries.findIndex((entry) => entry.parent === customer);
    expect(entryPath(entries, nested).slice(0, 3)).toEqual(['Single-Table Design', 'orders', 'customer']);
    expect(entries.filter((entry) => entry.kind === 'container').map((entry) => entry.name)).toEqual([
      'Single-Table Design',
      'Structured item design',
      'JSON semi-structured design',
    ]);
  });

  it('looks through nameless array items, choices and subschemas, and hangs an entity from its bucket by GUID', () => {
    const model = {
      collections: [
        {
          properties: [{ name: 'lost entity attribute' }],
        },
        {
          bucketId: 'b1',
          collectionName: 'Order',
          properties: [
            {
              name: 'lines',
              type: 'array',
              items: [{ type: 'document', properties: [{ name: 'sku', childType: 'varchar', type: 'string' }] }],
            },
            { choice: 'oneOf', properties: [{ type: 'subschema', properties: [{ name: 'variant', comments: ' a note ' }] }] },
          ],
        },
      ],
      buckets: [{ name: 'Sales', GUID: 'b1' }],
    };
    expect(paths(JSON.stringify(model))).toEqual([
      'container:Sales',
      'attribute:lost entity attribute',
      'entity:Sales/Order',
      'attribute:Sales/Order/lines',
      'attribute:Sales/Order/lines/sku',
      'attribute:Sales/Order/variant',
    ]);
    const { entries } = extract(JSON.stringify(model));
    expect(entries[4]).toMatchObject({ name: 'sku', type: 'varchar' });
    expect(entries[5]).toMatchObject({ name: 'variant', description: 'a note' });
  });

  it('takes the last occurrence of a duplicated field, as JSON.parse does, also when it is not a string', () => {
    expect(paths('{"collections":[{"collectionName":"a","collectionName":7,"properties":[{"name":"x","name":"y"}]}]}')).toEqual([
      'attribute:y',
    ]);
  });

  it('caps entries, nesting and text, and says so', () => {
    const many = `{"collections":[${Array.from({ length: MAX_INDEX_ENTRIES + 5 }, (_, i) => `{"collectionName":"e${i}"}`).join(',')}]}`;
    const capped = extract(many);
    expect(capped).toMatchObject({ truncated: true });
    expect(capped.entries).toHaveLength(MAX_INDEX_ENTRIES);

    let nested = '{"name":"leaf"}';
    for (let level = 0; level < MAX_INDEX_ATTRIBUTE_DEPTH + 3; level++) nested = `{"name":"a${level}","properties":[${nested}]}`;
    const deep = extract(`{"collections":[{"collectionName":"E","properties":[${nested}]}]}`);
    expect(deep.truncated).toBe(true);
    expect(deep.entries).toHaveLength(1 + MAX_INDEX_ATTRIBUTE_DEPTH);

    const long = extract(`{"collections":[{"collectionName":"E","description":"${'d'.repeat(5_000_000)}"}]}`);
    expect(long.entries[0]!.description).toHaveLength(MAX_INDEX_DESCRIPTION_LENGTH);
    expect(long.truncated).toBe(false);
  });

  it('round-trips through its stored encoding', () => {
    const document = extractEntityIndex(readFileSync(join(FIXTURES, 'large-mongodb-schema-design-patterns.hck.json')));
    expect(decodeEntityIndex(encodeEntityIndex(document))).toEqual(document);
  });

  it('indexes the generated 32 MiB model within its caps', () => {
    const document = extractEntityIndex(generateLargeModel(32 * 1024 * 1024));
    expect(document.entries.length).toBeGreaterThan(5000);
    expect(document.entries.length).toBeLessThanOrEqual(MAX_INDEX_ENTRIES);
  });

  // A whole-model JSON.parse of these needs 0.8-1 GB; the extractor keeps only what it indexes.
  it.each([
    ['10 million empty entities', () => `{"collections":[${'{},'.repeat(10 * 1024 * 1024)}{}]}`],
    ['10 million empty attributes', () => `{"collections":[{"collectionName":"E","properties":[${'{},'.repeat(10 * 1024 * 1024)}{}]}]}`],
    [
      'attributes nested 3 million deep',
      () => `{"collections":[{"properties":${'[{"properties":'.repeat(3 * 1024 * 1024)}[]${'}]'.repeat(3 * 1024 * 1024)}}]}`,
    ],
    [
      'arrays nested 15 million deep',
      () => `{"collections":[{"properties":${'['.repeat(15 * 1024 * 1024)}${']'.repeat(15 * 1024 * 1024)}}]}`,
    ],
  ])('indexes a 31 MiB model of %s in a 96 MB heap', (_, build) => {
    // A heap limit, not a timer: the child runs out of memory (and fails) if the extractor builds the model's tree.
    const script = [
      `const { extractEntityIndex } = require(${JSON.stringify(join(__dirname, '../../../../shared/models/entity-index-extractor.ts'))});`,
      `const text = (${build.toString()})();`,
      'const index = extractEntityIndex(Buffer.from(text));',
      'process.stdout.write(JSON.stringify({ entries: index.entries.length, truncated: index.truncated }));',
    ].join('\n');
    const output = execFileSync(process.execPath, [require.resolve('tsx/cli'), '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=96' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(JSON.parse(output)).toEqual({ entries: expect.any(Number), truncated: expect.any(Boolean) });
    expect((JSON.parse(output) as { entries: number }).entries).toBeLessThanOrEqual(MAX_INDEX_ENTRIES);
  });
});
