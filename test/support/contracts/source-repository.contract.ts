/**
 * The behaviour the sync engine relies on from a `SourceRepository`, as one suite run against BitbucketSource over
 * the Bitbucket simulator (integration) and against the in-memory repository (unit), so the fake stays faithful.
 */
import { BitbucketNotFoundError } from '../../../shared/bitbucket/errors';
import {
  DiffUnavailableError,
  SnapshotUnavailableError,
  SourceFileMissingError,
  SourceEntryNotAFileError,
  SourceFileTooLargeError,
  SourceRateLimitedError,
} from '../../../shared/domain/sync/errors';
import type { PlannedChange } from '../../../shared/domain/sync/plan';
import type { SourceRepository } from '../../../shared/domain/sync/ports';
import { gitBlobId } from '../../../shared/models/git-blob-id';

/** How a test writes history: the part of the simulator's SimulatedRepository both implementations share. */
export interface AuthoredRepository {
  readonly fullName: string;
  commit(
    changes: Record<string, string | Buffer | null | { readonly symlink: string } | { readonly submodule: string }>,
    options?: { branch?: string; renames?: ReadonlyArray<readonly [string, string]> },
  ): Promise<string>;
  createBranch(name: string, fromCommit: string): Promise<void>;
  /** A lightweight tag (it may be named like a branch): a snapshot of the branch never reads it. */
  createTag(name: string, commit: string): Promise<void>;
  forcePush(branch: string, commit: string): Promise<void>;
  forgetCommit(hash: string): void;
  setMainBranch(name: string): void;
  head(branch?: string): Promise<string>;
}

export interface SourceHarness<R extends AuthoredRepository> {
  newRepository(): Promise<R>;
  /** With `git`, the source offers `snapshot` (the adapter reads over the simulator's git smart HTTP). */
  sourceFor(repo: R, options?: { maxFileBytes?: number; git?: boolean }): SourceRepository;
  /** The next diffstat of `repo` times out (Bitbucket's 555). */
  failNextDiff(repo: R): void;
  /** The next download of `path` is refused by the rate limit, asking to wait `retryAfterMs`. */
  rateLimitNextFile(repo: R, path: string, retryAfterMs: number): void;
}

const byPath = (changes: PlannedChange[]) => [...changes].sort((a, b) => (a.newPath ?? a.oldPath!).localeCompare(b.newPath ?? b.oldPath!));

export function sourceRepositoryContract<R extends AuthoredRepository>(harness: () => SourceHarness<R>): void {
  it('names the main branch and its head, and refuses an unknown branch', async () => {
    const repo = await harness().newRepository();
    await repo.commit({ 'a.hck.json': '{}' });
    const source = harness().sourceFor(repo);
    expect(await source.getMainBranch()).toBe('main');
    expect(await source.getBranchHead('main')).toBe(await repo.head());
    await expect(source.getBranchHead('no-such-branch')).rejects.toBeInstanceOf(BitbucketNotFoundError);
    await repo.createBranch('develop', await repo.head());
    repo.setMainBranch('develop');
    expect(await source.getMainBranch()).toBe('develop');
  });

  it('lists every file of a commit and returns exact bytes, also of binary files and unicode paths', async () => {
    const repo = await harness().newRepository();
    const binary = Buffer.from([0, 255, 1, 254, 10, 13]);
    const head = await repo.commit({ 'a.hck.json': '{"modelName":"A"}\n', 'deep/er/Ünï côde.hck.json': '{"x":"é"}', 'bin.dat': binary });
    const source = harness().sourceFor(repo);
    expect((await source.listFiles(head)).sort()).toEqual(['a.hck.json', 'bin.dat', 'deep/er/Ünï côde.hck.json']);
    expect((await source.getFile(head, 'deep/er/Ünï côde.hck.json')).toString('utf8')).toBe('{"x":"é"}');
    expect((await source.getFile(head, 'bin.dat')).equals(binary)).toBe(true);
  });

  it('reports added, modified, removed and renamed files between any two commits, as git counts them', async () => {
    const repo = await harness().newRepository();
    const base = await repo.commit({
      'keep.hck.json': '{"v":1}',
      'edit.hck.json': '{"v":1}',
      'gone.hck.json': '{"gone":1}',
      'old/name.hck.json': '{"moved":true}',
    });
    await repo.commit({ 'edit.hck.json': '{"v":2}', 'gone.hck.json': null }, { renames: [['old/name.hck.json', 'new/name.hck.json']] });
    const head = await repo.commit({ 'added.hck.json': '{"v":1}' });
    const changes = await harness().sourceFor(repo).listChangedFiles(head, base);
    expect(byPath(changes)).toEqual([
      { status: 'added', newPath: 'added.hck.json', linesAdded: 1, linesRemoved: 0, contentUnchanged: false },
      { status: 'modified', oldPath: 'edit.hck.json', newPath: 'edit.hck.json', linesAdded: 1, linesRemoved: 1, contentUnchanged: false },
      { status: 'removed', oldPath: 'gone.hck.json', linesAdded: 0, linesRemoved: 1, contentUnchanged: false },
      {
        status: 'renamed',
        oldPath: 'old/name.hck.json',
        newPath: 'new/name.hck.json',
        linesAdded: 0,
        linesRemoved: 0,
        // 0/0 proves nothing (a binary file counts 0/0 whatever changed): only a content hash could.
        contentUnchanged: false,
      },
    ]);
  });

  it('cannot give the diff from a commit that vanished in a history rewrite, nor one Bitbucket times out on', async () => {
    const repo = await harness().newRepository();
    const base = await repo.commit({ 'a.hck.json': '{"v":1}' });
    const abandoned = await repo.commit({ 'b.hck.json': '{"v":1}' });
    await repo.createBranch('rewrite', base);
    const rewritten = await repo.commit({ 'c.hck.json': '{"v":1}' }, { branch: 'rewrite' });
    await repo.forcePush('main', rewritten);
    repo.forgetCommit(abandoned);
    const source = harness().sourceFor(repo);
    await expect(source.listChangedFiles(rewritten, abandoned)).rejects.toThrow(DiffUnavailableError);
    await expect(source.listChangedFiles(rewritten, abandoned)).rejects.toThrow(/no longer exists/);
    harness().failNextDiff(repo);
    const timedOut = source.listChangedFiles(rewritten, base);
    await expect(timedOut).rejects.toThrow(DiffUnavailableError);
    await expect(timedOut).rejects.toThrow(/555/);
    expect(byPath(await source.listChangedFiles(rewritten, base))).toEqual([
      expect.objectContaining({ status: 'added', newPath: 'c.hck.json' }),
    ]);
  });

  it('refuses a file over the download limit with the size Bitbucket announced, and a missing one as missing', async () => {
    const repo = await harness().newRepository();
    const head = await repo.commit({ 'big.hck.json': Buffer.alloc(4096, 'x'), 'small.hck.json': '{}' });
    const source = harness().sourceFor(repo, { maxFileBytes: 1024 });
    const tooLarge = await source.getFile(head, 'big.hck.json').catch((error: unknown) => error);
    expect(tooLarge).toBeInstanceOf(SourceFileTooLargeError);
    expect((tooLarge as SourceFileTooLargeError).size).toBe(4096);
    expect((await source.getFile(head, 'small.hck.json')).toString()).toBe('{}');
    await expect(source.getFile(head, 'not-there.hck.json')).rejects.toBeInstanceOf(SourceFileMissingError);
  });

  it('refuses symbolic links and submodules as no files, whether the commit was listed first or not', async () => {
    const repo = await harness().newRepository();
    const head = await repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'link.hck.json': { symlink: 'a.hck.json' },
      'vendor/shared.hck.json': { submodule: 'a'.repeat(40) },
    });
    const unlisted = harness().sourceFor(repo);
    await expect(unlisted.getFile(head, 'link.hck.json')).rejects.toMatchObject({ constructor: SourceEntryNotAFileError, kind: 'symlink' });
    await expect(unlisted.getFile(head, 'vendor/shared.hck.json')).rejects.toMatchObject({ kind: 'submodule' });
    const listed = harness().sourceFor(repo);
    expect((await listed.listFiles(head)).sort()).toEqual(['a.hck.json', 'link.hck.json', 'vendor/shared.hck.json']);
    await expect(listed.getFile(head, 'link.hck.json')).rejects.toBeInstanceOf(SourceEntryNotAFileError);
    await expect(listed.getFile(head, 'vendor/shared.hck.json')).rejects.toBeInstanceOf(SourceEntryNotAFileError);
    expect((await listed.getFile(head, 'a.hck.json')).toString()).toBe('{"modelName":"A"}');
  });

  it('snapshots the branch head, not a tag named like it: regular files with their blob ids, and getFile errors', async () => {
    const repo = await harness().newRepository();
    const tagged = await repo.commit({ 'a.hck.json': '{"v":"tagged"}' });
    await repo.createTag('main', tagged);
    const big = Buffer.alloc(4096, 'x');
    const head = await repo.commit({
      'a.hck.json': '{"modelName":"A"}',
      'big.hck.json': big,
      'link.hck.json': { symlink: 'a.hck.json' },
      'vendor/shared.hck.json': { submodule: 'a'.repeat(40) },
    });
    const source = harness().sourceFor(repo, { maxFileBytes: 1024, git: true });
    const snapshot = await source.snapshot!('main');
    try {
      expect(snapshot.commit).toBe(head);
      expect(new Map([...snapshot.files].sort())).toEqual(
        new Map([
          ['a.hck.json', gitBlobId(Buffer.from('{"modelName":"A"}'))],
          ['big.hck.json', gitBlobId(big)],
        ]),
      );
      expect((await snapshot.readFile('a.hck.json')).toString()).toBe('{"modelName":"A"}');
      await expect(snapshot.readFile('big.hck.json')).rejects.toMatchObject({ constructor: SourceFileTooLargeError, size: 4096 });
      await expect(snapshot.readFile('link.hck.json')).rejects.toMatchObject({ constructor: SourceEntryNotAFileError, kind: 'symlink' });
      await expect(snapshot.readFile('vendor/shared.hck.json')).rejects.toMatchObject({
        constructor: SourceEntryNotAFileError,
        kind: 'submodule',
      });
      await expect(snapshot.readFile('not-there.hck.json')).rejects.toBeInstanceOf(SourceFileMissingError);
    } finally {
      await snapshot.close();
    }
    await expect(source.snapshot!('no-such-branch')).rejects.toBeInstanceOf(SnapshotUnavailableError);
  });

  it('reports an exhausted rate limit with the wait Bitbucket asked for', async () => {
    const repo = await harness().newRepository();
    const head = await repo.commit({ 'a.hck.json': '{}' });
    harness().rateLimitNextFile(repo, 'a.hck.json', 3_600_000);
    const source = harness().sourceFor(repo);
    const limited = await source.getFile(head, 'a.hck.json').catch((error: unknown) => error);
    expect(limited).toBeInstanceOf(SourceRateLimitedError);
    expect((limited as SourceRateLimitedError).retryAfterMs).toBe(3_600_000);
    expect((await source.getFile(head, 'a.hck.json')).toString()).toBe('{}');
  });
}
