import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readModelMetadata, type ModelMetadata } from '../../../../shared/models/hackolade-metadata';
import { generateLargeModel } from '../../../../local/generate-large-model';

const FIXTURES = join(__dirname, '../../../fixtures/hackolade-models');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

describe('readModelMetadata', () => {
  // Values read from the files themselves (and listed in the fixtures' SOURCES.md).
  const expected: Record<string, ModelMetadata> = {
    'small-neo4j-bill-of-materials.hck.json': {
      modelName: 'New model',
      dbVendor: 'Neo4j',
      appTarget: 'NEO4J',
      dbVersion: '5.x',
      GUID: 'd5400923-7c91-4c98-adf3-2f9c5832f1d0',
      lastModifTS: '2023-05-09T17:01:22.040Z',
      collections: 5,
      relationships: 6,
      buckets: 0,
      views: 0,
    },
    'medium-dynamodb-book.hck.json': {
      modelName: 'DynamoDB book',
      dbVendor: 'AWS DynamoDB',
      appTarget: 'DYNAMODB',
      GUID: '29f91fa5-b4de-4130-b506-08f8ff12f18b',
      lastModifTS: '2024-06-16T12:50:56.287Z',
      collections: 3,
      relationships: 0,
      buckets: 3,
      views: 3,
    },
    'medium-polyglot-animal-shelter-ldm.hck.json': {
      modelName: 'New model',
      dbVendor: 'Polyglot',
      appTarget: 'Polyglot',
      GUID: '1563daf6-0907-47b0-b9bc-2841058bf6ba',
      lastModifTS: '2023-12-22T07:58:32.157Z',
      collections: 14,
      relationships: 10,
      buckets: 0,
      views: 0,
    },
    'large-mongodb-schema-design-patterns.hck.json': {
      modelName: 'New Model',
      dbVendor: 'MongoDB',
      appTarget: 'MONGODB',
      dbVersion: 'v5.0',
      GUID: 'ae46f8db-c15c-49b8-bf57-d88a72a08deb',
      lastModifTS: '2023-12-22T08:25:10.735Z',
      collections: 44,
      relationships: 13,
      buckets: 3,
      views: 0,
    },
  };

  it.each(Object.entries(expected))('reads %s', (name, metadata) => {
    expect(readModelMetadata(fixture(name))).toEqual({ valid: true, metadata });
  });

  it('leaves absent identity fields out and counts absent arrays as 0', () => {
    const result = readModelMetadata(Buffer.from('{"modelName":"Only a name","collections":"not an array","lastModifTS":1700000000000}'));
    expect(result).toEqual({
      valid: true,
      metadata: { modelName: 'Only a name', lastModifTS: 1700000000000, collections: 0, relationships: 0, buckets: 0, views: 0 },
    });
  });

  it('ignores identity fields of the wrong type', () => {
    const result = readModelMetadata(Buffer.from('{"modelName":{"nested":true},"GUID":42,"dbVersion":7,"views":[1,2]}'));
    expect(result).toEqual({ valid: true, metadata: { dbVersion: 7, collections: 0, relationships: 0, buckets: 0, views: 2 } });
  });

  it('accepts a UTF-8 BOM and non-ASCII names', () => {
    const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"modelName":"Bücher – 書籍","collections":[{}]}')]);
    expect(readModelMetadata(bytes)).toEqual({
      valid: true,
      metadata: { modelName: 'Bücher – 書籍', collections: 1, relationships: 0, buckets: 0, views: 0 },
    });
  });

  it('reports invalid JSON with the parser message and position', () => {
    const truncated = fixture('small-neo4j-bill-of-materials.hck.json').subarray(0, 1000);
    const result = readModelMetadata(truncated);
    expect(result.valid).toBe(false);
    expect(!result.valid && result.error).toMatch(/JSON/);
    expect(readModelMetadata(Buffer.from('{"a":1,}'))).toEqual({
      valid: false,
      error: 'Expected double-quoted property name in JSON at position 7 (line 1 column 8)',
    });
    expect(readModelMetadata(Buffer.alloc(0))).toEqual({ valid: false, error: 'Unexpected end of JSON input' });
  });

  it('keeps error messages short even when the parser quotes a long input', () => {
    const result = readModelMetadata(Buffer.from(`x${'y'.repeat(100_000)}`));
    expect(result.valid).toBe(false);
    expect(!result.valid && result.error.length).toBeLessThanOrEqual(300);
  });

  it.each([
    ['[1,2]', 'an array'],
    ['"text"', 'a string'],
    ['42', 'a number'],
    ['null', 'null'],
    ['true', 'a boolean'],
  ])('rejects non-object JSON %s', (text, found) => {
    expect(readModelMetadata(Buffer.from(text))).toEqual({
      valid: false,
      error: `expected a JSON object at the top level, found ${found}`,
    });
  });

  // Its speed is measured by `npm run bench`, not asserted here.
  it('reads a 32 MiB model without throwing', () => {
    const bytes = generateLargeModel(32 * 1024 * 1024);
    const result = readModelMetadata(bytes);
    expect(result.valid && result.metadata.collections).toBeGreaterThan(5000);
    expect(result.valid && result.metadata.GUID).toBe('ae46f8db-c15c-49b8-bf57-d88a72a08deb');
  });

  // A whole-model JSON.parse of these needs 0.8-1 GB (a JS object per `{}`); the worker fetches 8 models at once.
  it.each([
    ['10 million empty objects', () => `{"collections":[${'{},'.repeat(10 * 1024 * 1024)}{}]}`],
    ['arrays nested 15 million deep', () => `{"views":${'['.repeat(15 * 1024 * 1024)}${']'.repeat(15 * 1024 * 1024)}}`],
  ])('reads a 31 MiB model of %s in a 96 MB heap', (_, build) => {
    // A heap limit, not a timer: the child runs out of memory (and fails) if the reader builds the model's tree.
    const script = [
      `const { readModelMetadata } = require(${JSON.stringify(join(__dirname, '../../../../shared/models/hackolade-metadata.ts'))});`,
      `const text = (${build.toString()})();`,
      'process.stdout.write(JSON.stringify(readModelMetadata(Buffer.from(text))));',
    ].join('\n');
    const output = execFileSync(process.execPath, [require.resolve('tsx/cli'), '-e', script], {
      env: { ...process.env, NODE_OPTIONS: '--max-old-space-size=96' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(JSON.parse(output)).toMatchObject({ valid: true, metadata: { collections: expect.any(Number), views: expect.any(Number) } });
  });
});
