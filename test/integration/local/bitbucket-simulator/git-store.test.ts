// The simulator's git store over a real bare repository: reads that race each other must still see every commit
// already returned, whatever its tree holds (submodules, symbolic links, deletions and renames beside them).
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitStore, type CommitChanges } from '../../../../local/bitbucket-simulator/git-store';

let dir: string;
let store: GitStore;

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'git-store-test-'));
  store = await GitStore.create(join(dir, 'repo.git'));
});

afterEach(async () => {
  await store.close();
  await rm(dir, { recursive: true, force: true });
});

const change = (parent: string | undefined, partial: Partial<CommitChanges>): CommitChanges => ({
  parent,
  writes: [],
  deletes: [],
  renames: [],
  message: 'test\n',
  ...partial,
});

describe('GitStore', () => {
  it('reads large blobs asked for at once, each whole and in its own order, with a missing one among them', async () => {
    // Arrange: blobs of several MiB arrive from `git cat-file --batch` in many pipe chunks, back to back.
    const blobs = [3, 1, 5, 2].map((mib) => randomBytes(mib * 1024 * 1024 + 7));
    const head = await store.commit(change(undefined, { writes: blobs.map((blob, n) => [`m/${n}.hck.json`, blob] as [string, Buffer]) }));
    const tree = await store.tree(head);
    const shas = blobs.map((_, n) => tree.get(`m/${n}.hck.json`)!.sha);

    // Act
    const reads = await Promise.allSettled([...shas.slice(0, 2), '0'.repeat(40), ...shas.slice(2)].map((sha) => store.readBlob(sha)));

    // Assert
    const expected = [blobs[0], blobs[1], undefined, blobs[2], blobs[3]];
    expect(reads.map((read) => read.status)).toEqual(['fulfilled', 'fulfilled', 'rejected', 'fulfilled', 'fulfilled']);
    expect((reads[2] as PromiseRejectedResult).reason).toEqual(new Error(`blob ${'0'.repeat(40)} is missing`));
    reads.forEach((read, n) => {
      if (read.status === 'fulfilled') expect(read.value.equals(expected[n]!)).toBe(true);
    });
  });

  it('lets a read that starts while another read publishes new objects wait for them (no "not a tree object")', async () => {
    // Each commit is followed by two concurrent reads: the first starts the checkpoint that publishes the commit,
    // the second must not go to git before that checkpoint is done. Repeated, so a lucky interleaving cannot hide it.
    let parent = await store.commit(change(undefined, { writes: [['a.hck.json', Buffer.from('{"modelName":"a"}')]] }));
    for (let round = 0; round < 8; round += 1) {
      const next = await store.commit(change(parent, { writes: [[`m/${round}.hck.json`, randomBytes(64)]] }));
      const [diff, tree] = await Promise.all([store.diff(parent, next, true), store.tree(next)]);
      expect(diff).toEqual([expect.objectContaining({ status: 'added', newPath: `m/${round}.hck.json` })]);
      expect(tree.get(`m/${round}.hck.json`)).toEqual(expect.objectContaining({ type: 'blob', size: 64 }));
      parent = next;
    }
  });

  it('reads trees whose commits add a submodule and a symbolic link beside deletions and renames, from a shared parent', async () => {
    const submodule = randomBytes(20).toString('hex');
    const root = await store.commit(
      change(undefined, {
        writes: [
          ['a.hck.json', Buffer.from('a')],
          ['models/b.hck.json', Buffer.from('b')],
          ['c.hck.json', Buffer.from('c')],
        ],
      }),
    );
    const withSubmodule = await store.commit(change(root, { writes: [['vendor/sub.hck.json', Buffer.from(submodule), '160000']] }));
    const side = await store.commit(change(withSubmodule, { writes: [['a.hck.json', Buffer.from('side branch')]] }));
    const main = await store.commit(
      change(withSubmodule, {
        renames: [['models/b.hck.json', 'x.hck.json']],
        deletes: ['a.hck.json'],
        writes: [
          ['old.hck.json/README.md', Buffer.from('a.hck.json'), '120000'],
          ['linked.hck.json', Buffer.from(randomBytes(20).toString('hex')), '160000'],
        ],
      }),
    );

    const [sideTree, mainTree] = await Promise.all([store.tree(side), store.tree(main)]);

    expect([...sideTree.keys()].sort()).toEqual([
      'a.hck.json',
      'c.hck.json',
      'models',
      'models/b.hck.json',
      'vendor',
      'vendor/sub.hck.json',
    ]);
    expect([...mainTree.entries()].map(([path, entry]) => `${path} ${entry.type} ${entry.mode}`).sort()).toEqual([
      'c.hck.json blob 100644',
      'linked.hck.json commit 160000',
      'old.hck.json tree 040000',
      'old.hck.json/README.md blob 120000',
      'vendor tree 040000',
      `vendor/sub.hck.json commit 160000`,
      'x.hck.json blob 100644',
    ]);
    expect(mainTree.get('vendor/sub.hck.json')?.sha).toBe(submodule);
  });
});
