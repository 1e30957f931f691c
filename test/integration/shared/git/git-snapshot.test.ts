import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchHeadSnapshot, isRegularFile, type GitTreeEntry, type HeadSnapshot } from '../../../../shared/git/git-snapshot';
import { GitFetchError } from '../../../../shared/git/errors';
import { parseLfsPointer } from '../../../../shared/git/lfs-pointer';
import { gitBlobId } from '../../../../shared/models/git-blob-id';
import { createBareRepository, git, startGitServer, type GitServer } from '../../../../local/git-server';
import { generateRegisteredSecret } from '../../../support/secret-hygiene';

const token = generateRegisteredSecret();
const SMALL_FILES = 2000;
const files = new Map<string, Buffer>([
  ['model.hck.json', Buffer.from('{"modelName":"root"}\n')],
  ['deep/er/nested/orders.hck.json', Buffer.from(JSON.stringify({ modelName: 'orders', collections: [{ name: 'o' }] }))],
  ['assets/blob.bin', Buffer.from([0, 1, 2, 255, 254, 0, 10, 13, 0x80, 0x7f])],
  ['lfs/huge.hck.json', Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${'ab'.repeat(32)}\nsize 123456789\n`)],
  ['empty.txt', Buffer.alloc(0)],
]);
for (let i = 0; i < SMALL_FILES; i++) files.set(`many/d${i % 25}/m${i}.hck.json`, Buffer.from(`{"modelName":"m${i}"}\n`));

// A 2,000-file fetch and read is CPU-bound pure JavaScript: give it room on a loaded 2-core machine.
jest.setTimeout(180_000);

let root: string;
let server: GitServer;
let commit: string;
let lsTree: Map<string, { mode: string; type: string; oid: string }>;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'git-snapshot-test-'));
  commit = createBareRepository(root, 'models', {
    files,
    symlinks: new Map([['link.hck.json', 'model.hck.json']]),
    submodules: new Map([['vendor/sub', 'c'.repeat(40)]]),
  });
  // Another branch with another commit: a single-branch fetch must not bring it.
  const work = join(root, 'work');
  git(root, ['clone', '-q', join(root, 'models.git'), work]);
  git(work, ['checkout', '-q', '-b', 'other']);
  git(work, ['commit', '-q', '--allow-empty', '-m', 'other']);
  git(work, ['push', '-q', 'origin', 'other']);
  lsTree = new Map();
  for (const record of git(join(root, 'models.git'), ['ls-tree', '-r', '-z', 'main']).toString('utf8').split('\0').filter(Boolean)) {
    const [meta, path] = record.split('\t') as [string, string];
    const [mode, type, oid] = meta.split(' ') as [string, string, string];
    lsTree.set(path, { mode, type, oid });
  }
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

beforeEach(async () => {
  server = await startGitServer(root, token);
});
afterEach(() => server.close());

async function checkSnapshot(snapshot: HeadSnapshot): Promise<GitTreeEntry[]> {
  expect(snapshot.commit).toBe(commit);
  const entries = await snapshot.listEntries();
  expect(new Map(entries.map((entry) => [entry.path, { mode: entry.mode, type: entry.type, oid: entry.oid }]))).toEqual(lsTree);
  expect(entries).toHaveLength(files.size + 2);
  for (const [path, bytes] of files) {
    const entry = entries.find((candidate) => candidate.path === path)!;
    const read = await snapshot.readBlob(entry.oid);
    expect(read.equals(bytes)).toBe(true);
    expect(gitBlobId(read)).toBe(entry.oid);
  }
  return entries;
}

describe('fetchHeadSnapshot over git http-backend', () => {
  test('fetches the branch head in two requests and lists exactly what git ls-tree lists, in memory', async () => {
    const snapshot = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token, branch: 'main' });
    try {
      expect(server.requests).toEqual(['GET /acme/models.git/info/refs?service=git-upload-pack', 'POST /acme/models.git/git-upload-pack']);
      expect(snapshot.stats.requests).toBe(2);
      expect(snapshot.stats.bytesReceived).toBeGreaterThan(0);
      const entries = await checkSnapshot(snapshot);

      const kinds = new Map(entries.map((entry) => [entry.path, isRegularFile(entry)]));
      expect(kinds.get('link.hck.json')).toBe(false);
      expect(entries.find((entry) => entry.path === 'link.hck.json')?.mode).toBe('120000');
      expect(entries.find((entry) => entry.path === 'vendor/sub')).toMatchObject({ type: 'commit', mode: '160000' });
      expect(kinds.get('vendor/sub')).toBe(false);
      expect(kinds.get('model.hck.json')).toBe(true);

      const pointer = entries.find((entry) => entry.path === 'lfs/huge.hck.json')!;
      expect(parseLfsPointer(await snapshot.readBlob(pointer.oid))).toEqual({ sha256: 'ab'.repeat(32), size: 123456789 });
    } finally {
      await snapshot.close();
    }
    await expect(snapshot.readBlob(lsTree.get('model.hck.json')!.oid)).rejects.toThrow(GitFetchError);
  });

  test('with tmpDir, keeps the pack in a fresh directory there and removes it on close', async () => {
    const tmp = mkdtempSync(join(tmpdir(), 'git-snapshot-tmp-'));
    try {
      const snapshot = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token, branch: 'main', tmpDir: tmp });
      expect(readdirSync(tmp)).toHaveLength(1);
      expect(snapshot.commit).toBe(commit);
      const entries = await snapshot.listEntries();
      expect(entries.map((entry) => entry.oid)).toEqual([...lsTree.values()].map((entry) => entry.oid));
      const binary = entries.find((entry) => entry.path === 'assets/blob.bin')!;
      expect((await snapshot.readBlob(binary.oid)).equals(files.get('assets/blob.bin')!)).toBe(true);
      await snapshot.close();
      expect(readdirSync(tmp)).toEqual([]);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  test('fetches another branch when asked, and ignores a user name in the clone URL', async () => {
    const url = new URL(`${server.url}/acme/models.git`);
    url.username = 'someuser';
    const snapshot = await fetchHeadSnapshot({ cloneUrl: url.toString(), token, branch: 'other' });
    try {
      expect(snapshot.commit).toBe(git(join(root, 'models.git'), ['rev-parse', 'other']).toString('utf8').trim());
      expect(snapshot.commit).not.toBe(commit);
    } finally {
      await snapshot.close();
    }
  });

  test('fetches the branch, not a tag of the same name on another commit (git resolves refs/tags/X before refs/heads/X)', async () => {
    // A repository whose `main` moved on from a commit tagged `main`, and whose `other` branch has a tag `other` too.
    const tagged = join(root, 'tagged.git');
    const old = createBareRepository(root, 'tagged', { files: new Map([['a.hck.json', Buffer.from('{"v":"old"}')]]) });
    const work = join(root, 'tagged-work');
    git(root, ['clone', '-q', tagged, work]);
    git(work, ['commit', '-q', '--allow-empty', '-m', 'newer']);
    git(work, ['push', '-q', 'origin', 'main']);
    git(tagged, ['tag', 'main', old]);
    git(tagged, ['tag', '-a', '-m', 'annotated', 'other', old]);
    git(tagged, ['branch', 'other', 'refs/heads/main']);
    for (const branch of ['main', 'other']) {
      const head = git(tagged, ['rev-parse', `refs/heads/${branch}`])
        .toString('utf8')
        .trim();
      expect(head).not.toBe(old);
      const snapshot = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/tagged.git`, token, branch });
      try {
        expect(snapshot.commit).toBe(head);
      } finally {
        await snapshot.close();
      }
    }
  });

  test('a refused token fails as unauthorized after one request, without the token in the message', async () => {
    const wrong = generateRegisteredSecret();
    const error = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token: wrong, branch: 'main' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GitFetchError);
    expect(error).toMatchObject({ reason: 'unauthorized', status: 401 });
    expect(server.requests).toHaveLength(1);
    const text = `${(error as Error).message} ${(error as Error).stack} ${JSON.stringify(error)}`;
    for (const secret of [wrong, token, Buffer.from(`x-token-auth:${wrong}`).toString('base64')]) expect(text).not.toContain(secret);
  });

  test('a missing repository or branch fails as not-found', async () => {
    await expect(fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/nothing.git`, token, branch: 'main' })).rejects.toMatchObject({
      reason: 'not-found',
    });
    await expect(fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token, branch: 'gone' })).rejects.toMatchObject({
      reason: 'not-found',
    });
  });

  test('a port nobody listens on fails as unreachable, without the token in the message', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const { port } = probe.address() as { port: number };
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const error = await fetchHeadSnapshot({ cloneUrl: `http://127.0.0.1:${port}/acme/models.git`, token, branch: 'main' }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: 'GitFetchError', reason: 'unreachable' });
    expect((error as Error).message).not.toContain(token);
  });

  test('a deadline already past fails as deadline without sending anything', async () => {
    await expect(
      fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token, branch: 'main', deadline: Date.now() - 1 }),
    ).rejects.toMatchObject({ reason: 'deadline', transient: false });
    expect(server.requests).toEqual([]);
  });

  test('a deadline that comes once the pack is received stops its indexing, and the fetch is not tried again', async () => {
    const deadline = Date.now() + 600_000;
    // The clock reaches the deadline as soon as the server has the pack request: only the indexing is left then.
    const now = () => (server.requests.length >= 2 ? deadline : Date.now());
    const error = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/models.git`, token, branch: 'main', deadline, now }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toMatchObject({ name: 'GitFetchError', reason: 'deadline', message: expect.stringContaining('not indexed') });
    expect(server.requests).toHaveLength(2);
  });

  test('a pack over the budget fails as too-large after one attempt, without inflating the object over it', async () => {
    createBareRepository(root, 'zeros', {
      files: new Map([
        ['model.hck.json', Buffer.from('{"modelName":"m"}\n')],
        ['zeros.bin', Buffer.alloc(4 * 1024 * 1024)],
      ]),
    });
    const packLimits = { maxPackBytes: 1024 * 1024, maxObjectBytes: 1024 * 1024, maxInflatedBytes: 4 * 1024 * 1024 };
    const error = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/zeros.git`, token, branch: 'main', packLimits }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(GitFetchError);
    expect(error).toMatchObject({ reason: 'too-large', transient: false, message: expect.stringContaining('read over REST') });
    expect(server.requests).toHaveLength(2);
    // The same repository within the default budget.
    const snapshot = await fetchHeadSnapshot({ cloneUrl: `${server.url}/acme/zeros.git`, token, branch: 'main' });
    await snapshot.close();
  });
});
