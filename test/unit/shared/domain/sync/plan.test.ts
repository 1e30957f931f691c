import fc from 'fast-check';
import { planFromDiff, planFromListing, remainingOps, type PlannedChange, type SyncOp } from '../../../../../shared/domain/sync/plan';

const isModel = (path: string) => path.endsWith('.hck.json') && !path.startsWith('ignored/');
const describeOps = (ops: SyncOp[]) => ops.map((op) => (op.kind === 'move' ? `move ${op.from} -> ${op.to}` : `${op.kind} ${op.path}`));

describe('planFromDiff', () => {
  it('puts added and modified models, deletes removed ones, and skips other files', () => {
    const changes: PlannedChange[] = [
      { status: 'added', newPath: 'a.hck.json' },
      { status: 'modified', oldPath: 'b.hck.json', newPath: 'b.hck.json' },
      { status: 'removed', oldPath: 'c.hck.json' },
      { status: 'added', newPath: 'README.md' },
      { status: 'added', newPath: 'ignored/d.hck.json' },
    ];
    const ops = planFromDiff(changes, isModel, new Set(['b.hck.json', 'c.hck.json']));
    expect(describeOps(ops)).toEqual(['delete c.hck.json', 'put a.hck.json', 'put b.hck.json']);
    expect(ops.filter((op) => op.kind === 'put').map((op) => (op as { change: string }).change)).toEqual(['added', 'updated']);
  });

  it('moves a renamed model whose content is unchanged, without a refetch', () => {
    const ops = planFromDiff(
      [{ status: 'renamed', oldPath: 'old/x.hck.json', newPath: 'new/x.hck.json', contentUnchanged: true }],
      isModel,
      new Set(['old/x.hck.json']),
    );
    expect(describeOps(ops)).toEqual(['move old/x.hck.json -> new/x.hck.json']);
  });

  it('turns a rename with changed content into delete + put', () => {
    const ops = planFromDiff(
      [{ status: 'renamed', oldPath: 'x.hck.json', newPath: 'y.hck.json', contentUnchanged: false }],
      isModel,
      new Set(['x.hck.json']),
    );
    expect(describeOps(ops)).toEqual(['delete x.hck.json', 'put y.hck.json']);
  });

  it('handles renames into and out of the selection', () => {
    const ops = planFromDiff(
      [
        { status: 'renamed', oldPath: 'ignored/a.hck.json', newPath: 'a.hck.json', contentUnchanged: true },
        { status: 'renamed', oldPath: 'b.hck.json', newPath: 'b.txt', contentUnchanged: true },
      ],
      isModel,
      new Set(['b.hck.json']),
    );
    expect(describeOps(ops)).toEqual(['delete b.hck.json', 'put a.hck.json']);
  });

  it('does not move when paths take part in other changes (swap, or a new file at the old path)', () => {
    const swap = planFromDiff(
      [
        { status: 'renamed', oldPath: 'a.hck.json', newPath: 'b.hck.json', contentUnchanged: true },
        { status: 'renamed', oldPath: 'b.hck.json', newPath: 'a.hck.json', contentUnchanged: true },
      ],
      isModel,
      new Set(['a.hck.json', 'b.hck.json']),
    );
    expect(swap.some((op) => op.kind === 'move')).toBe(false);
    expect(
      swap
        .filter((op) => op.kind === 'put')
        .map((op) => (op as { path: string }).path)
        .sort(),
    ).toEqual(['a.hck.json', 'b.hck.json']);

    const reused = planFromDiff(
      [
        { status: 'renamed', oldPath: 'a.hck.json', newPath: 'b.hck.json', contentUnchanged: true },
        { status: 'added', newPath: 'a.hck.json' },
      ],
      isModel,
      new Set(['a.hck.json']),
    );
    expect(describeOps(reused)).toEqual(['delete a.hck.json', 'put a.hck.json', 'put b.hck.json']);
  });
});

describe('planFromListing', () => {
  it('writes every model of the tree and deletes stored models that are gone or now ignored', () => {
    const ops = planFromListing(
      ['a.hck.json', 'ignored/b.hck.json', 'doc.md'],
      isModel,
      new Set(['a.hck.json', 'ignored/b.hck.json', 'gone.hck.json']),
      'all',
    );
    expect(describeOps(ops)).toEqual(['delete gone.hck.json', 'delete ignored/b.hck.json', 'put a.hck.json']);
  });

  it('refetches only changed and newly selected models when re-applying a .hubignore', () => {
    const ops = planFromListing(
      ['a.hck.json', 'b.hck.json', 'c.hck.json'],
      isModel,
      new Set(['a.hck.json', 'b.hck.json']),
      new Set(['b.hck.json']),
    );
    expect(describeOps(ops)).toEqual(['put b.hck.json', 'put c.hck.json']);
  });
});

describe('remainingOps', () => {
  it('resumes after a watermark: the same inputs give the same ordered plan, so nothing is skipped or repeated', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.stringMatching(/^[a-zé ]{1,6}(\/[a-z]{1,3})?\.hck\.json$/), { maxLength: 40 }),
        fc.uniqueArray(fc.stringMatching(/^[a-z]{1,6}\.hck\.json$/), { maxLength: 20 }),
        fc.nat(),
        (files, stored, cut) => {
          const ops = planFromListing(files, isModel, new Set(stored), 'all');
          const again = planFromListing([...files].reverse(), isModel, new Set(stored), 'all');
          expect(again.map((op) => op.key)).toEqual(ops.map((op) => op.key));
          const index = ops.length === 0 ? 0 : cut % ops.length;
          const watermark = index === 0 ? undefined : ops[index - 1]!.key;
          expect(remainingOps(again, watermark)).toEqual(ops.slice(index));
        },
      ),
    );
  });
});
