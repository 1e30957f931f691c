import fc from 'fast-check';
import type { EntityIndexEntry, EntityKind } from '../../../../shared/models/entity-index';
import { encodeEntityIndex } from '../../../../shared/models/entity-index';
import { SearchableEntityIndex, searchFolded, type NameMatch } from '../../../../shared/models/entity-index-search';

const KINDS: EntityKind[] = ['container', 'entity', 'attribute'];
/** Names with case pairs whose lower case changes length (İ), separators and astral characters. */
const name = fc
  .array(fc.constantFrom('a', 'B', 'İ', 'i̇', 'ß', 'SS', '\n', ' ', '😀', 'é', 'É', 'x'), { minLength: 1, maxLength: 6 })
  .map((parts) => parts.join(''));
const entries = fc
  .array(fc.record({ kind: fc.constantFrom(...KINDS), name }), { maxLength: 30 })
  .map((list) => list.map((entry, index): EntityIndexEntry => ({ ...entry, parent: index - 1 })));

/** The obvious search: every entry, in order, whose lower-cased name matches. */
function naive(
  list: readonly EntityIndexEntry[],
  query: string,
  match: NameMatch,
  kind: EntityKind | undefined,
  fromEntry: number,
): number[] {
  const q = searchFolded(query);
  return list
    .map((entry, index) => ({ entry, index }))
    .filter(({ entry, index }) => index >= fromEntry && (kind === undefined || entry.kind === kind))
    .filter(({ entry }) => (match === 'prefix' ? searchFolded(entry.name).startsWith(q) : searchFolded(entry.name).includes(q)))
    .map(({ index }) => index);
}

describe('SearchableEntityIndex', () => {
  it('finds exactly the entries a plain filter of lower-cased names finds, from any entry, up to a limit', () => {
    fc.assert(
      fc.property(
        entries,
        name,
        fc.constantFrom<NameMatch>('prefix', 'substring'),
        fc.option(fc.constantFrom(...KINDS), { nil: undefined }),
        fc.nat(32),
        fc.integer({ min: 1, max: 40 }),
        (list, query, match, kind, fromEntry, limit) => {
          const expected = naive(list, query, match, kind, fromEntry).slice(0, limit);
          for (const index of [
            new SearchableEntityIndex({ entries: list, truncated: false }),
            new SearchableEntityIndex(encodeEntityIndex({ entries: list, truncated: false })),
          ])
            expect(index.find(searchFolded(query), match, { ...(kind ? { kind } : {}), fromEntry, limit })).toEqual(expected);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('shows a hit with its path, decoding stored bytes only when asked', () => {
    const stored = encodeEntityIndex({
      entries: [
        { kind: 'container', name: 'Sales', parent: -1 },
        { kind: 'entity', name: 'Order', type: 'object', parent: 0 },
        { kind: 'attribute', name: 'orderId', type: 'string', description: 'the key', parent: 1 },
      ],
      truncated: true,
    });
    const index = new SearchableEntityIndex(stored);
    expect(index).toMatchObject({ truncated: true, size: 3 });
    const [found] = index.find('orderid', 'prefix', { limit: 5 });
    expect(index.hit(found!)).toEqual({
      entry: 2,
      kind: 'attribute',
      name: 'orderId',
      type: 'string',
      description: 'the key',
      path: ['Sales', 'Order', 'orderId'],
    });
    index.compact();
    expect(index.hit(1).path).toEqual(['Sales', 'Order']);
  });
});
