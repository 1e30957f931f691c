// The repository reads (metadata, diffstat, listings, files) through BitbucketClient against the simulator.
import { startBitbucketSimulator } from '../../../../local/bitbucket-simulator';
import { useBitbucketClientBed } from '../../../support/bitbucket-client-bed';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { BitbucketDiffTooLargeError, BitbucketFileTooLargeError, BitbucketNotFoundError } from '../../../../shared/bitbucket/errors';
import type { FileChange } from '../../../../shared/bitbucket/bitbucket-resources';

const bed = useBitbucketClientBed();
const { newRepo, clientFor, requestsTo } = bed;

const byPath = (a: FileChange, b: FileChange): number => (a.newPath ?? a.oldPath ?? '').localeCompare(b.newPath ?? b.oldPath ?? '');

describe('BitbucketClient metadata', () => {
  it('reads the repository uuid, full name, main branch and clone URL, following a main-branch change', async () => {
    // Prepare
    const repo = await newRepo();
    await repo.commit({ 'README.md': 'hello' });
    const { client } = clientFor(repo);

    // Act
    const before = await client.getRepository(repo.fullName);
    repo.setMainBranch('develop');
    const after = await client.getRepository(repo.fullName);

    // Assess
    expect(before).toEqual({
      uuid: repo.uuid,
      fullName: repo.fullName,
      workspaceUuid: repo.workspaceUuid,
      mainBranch: 'main',
      cloneUrl: `${new URL(bed.sim.apiUrl).origin}/${repo.fullName}.git`,
    });
    expect(before.uuid).toMatch(/^\{[0-9a-f-]{36}\}$/);
    expect(after.mainBranch).toBe('develop');
  });

  it('finds a renamed repository by its uuids, with its name and clone URL of now', async () => {
    // Prepare
    const repo = await newRepo();
    await repo.commit({ 'a.hck.json': '{}' });
    const { client } = clientFor(repo);
    const stored = { fullName: repo.fullName, uuid: repo.uuid, workspaceUuid: repo.workspaceUuid };
    bed.sim.renameRepository(repo, `${repo.fullName}-renamed`);
    bed.sim.resetRequests();

    // Act
    const info = await client.getRepository(stored);
    const head = await client.getBranchHead(stored, 'main');
    const byOldName = await client.getRepository(stored.fullName).catch((error: unknown) => error);

    // Assess
    expect(info).toMatchObject({
      uuid: repo.uuid,
      fullName: repo.fullName,
      cloneUrl: `${new URL(bed.sim.apiUrl).origin}/${repo.fullName}.git`,
    });
    expect(head).toBe(await repo.head());
    expect(byOldName).toBeInstanceOf(BitbucketNotFoundError);
    // Messages name the repository by the name the caller knows, never by its uuids.
    expect((byOldName as Error).message).toContain(stored.fullName);
    expect(bed.sim.requests.map((request) => request.path.split('/').slice(3, 5).join('/'))).toEqual([
      `${encodeURIComponent(repo.workspaceUuid)}/${encodeURIComponent(repo.uuid)}`,
      `${encodeURIComponent(repo.workspaceUuid)}/${encodeURIComponent(repo.uuid)}`,
      stored.fullName,
    ]);
  });

  it('returns the head commit of a branch, including names containing a slash', async () => {
    const repo = await newRepo();
    const first = await repo.commit({ 'a.hck.json': '{}' });
    const feature = await repo.commit({ 'b.hck.json': '{}' }, { branch: 'feature/new-model' });
    const { client } = clientFor(repo);

    await expect(client.getBranchHead(repo.fullName, 'main')).resolves.toBe(first);
    await expect(client.getBranchHead(repo.fullName, 'feature/new-model')).resolves.toBe(feature);
  });

  it('throws BitbucketNotFoundError for a missing branch and a missing repository', async () => {
    const repo = await newRepo();
    await repo.commit({ 'a.txt': 'a' });
    const { client } = clientFor(repo);

    await expect(client.getBranchHead(repo.fullName, 'nope')).rejects.toBeInstanceOf(BitbucketNotFoundError);
    const error = await client.getRepository('acme/does-not-exist').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BitbucketNotFoundError);
    expect((error as BitbucketNotFoundError).status).toBe(404);
  });
});

describe('BitbucketClient.listChangedFiles', () => {
  it('reports added, modified, removed, renamed and moved files between two commits', async () => {
    // Prepare
    const repo = await newRepo();
    const old = await repo.commit({
      'models/keep.hck.json': '{"v":1}',
      'models/change.hck.json': '{"v":1}',
      'models/gone.hck.json': '{"v":1}',
      'models/old-name.hck.json': '{"name":"rename me","fields":[1,2,3,4,5,6,7,8]}',
      'models/a/move-me.hck.json': '{"name":"move me between folders","fields":[1,2,3,4,5]}',
    });
    const next = await repo.commit(
      { 'models/change.hck.json': '{"v":2}', 'models/gone.hck.json': null, 'models/added.hck.json': '{"brand":"new"}' },
      {
        renames: [
          ['models/old-name.hck.json', 'models/new-name.hck.json'],
          ['models/a/move-me.hck.json', 'other/b/move-me.hck.json'],
        ],
      },
    );
    const { client } = clientFor(repo);

    // Act
    const changes = await client.listChangedFiles(repo.fullName, next, old);

    // Assess
    // Line counts tell a pure rename (0 added, 0 removed) from one that also changed the content.
    const expected: FileChange[] = [
      { status: 'added', newPath: 'models/added.hck.json', linesAdded: 1, linesRemoved: 0 },
      { status: 'modified', oldPath: 'models/change.hck.json', newPath: 'models/change.hck.json', linesAdded: 1, linesRemoved: 1 },
      { status: 'removed', oldPath: 'models/gone.hck.json', linesAdded: 0, linesRemoved: 1 },
      { status: 'renamed', oldPath: 'models/old-name.hck.json', newPath: 'models/new-name.hck.json', linesAdded: 0, linesRemoved: 0 },
      { status: 'renamed', oldPath: 'models/a/move-me.hck.json', newPath: 'other/b/move-me.hck.json', linesAdded: 0, linesRemoved: 0 },
    ];
    expect(changes.sort(byPath)).toEqual(expected.sort(byPath));
    // Bitbucket's spec order is new..old, topic=false asks for the plain two-dot diff, and pages are as large as allowed.
    expect(requestsTo('/diffstat/').map((r) => r.path)).toEqual([
      `/2.0/repositories/${repo.fullName}/diffstat/${next}..${old}?topic=false&pagelen=5000`,
    ]);
  });

  it('compares the two snapshots exactly after a force push (two-dot, not merge-base)', async () => {
    // Prepare: main gets x; then history is rewritten from the first commit with y instead.
    const repo = await newRepo();
    const base = await repo.commit({ 'common.hck.json': '{}' });
    const abandoned = await repo.commit({ 'x.hck.json': 'x' });
    await repo.createBranch('rewrite', base);
    const rewritten = await repo.commit({ 'y.hck.json': 'y' }, { branch: 'rewrite' });
    await repo.forcePush('main', rewritten);
    const { client } = clientFor(repo);

    // Act
    const changes = await client.listChangedFiles(repo.fullName, rewritten, abandoned);

    // Assess: x disappeared from the replicated tree even though it is not in the new commit's history.
    expect(await repo.head()).toBe(rewritten);
    expect(changes.sort(byPath)).toEqual([
      { status: 'removed', oldPath: 'x.hck.json', linesAdded: 0, linesRemoved: 1 },
      { status: 'added', newPath: 'y.hck.json', linesAdded: 1, linesRemoved: 0 },
    ]);
  });

  it('follows next links until the last page', async () => {
    const paged = await startBitbucketSimulator({ pagelen: { diffstat: 2 } });
    try {
      const repo = await paged.createRepository('acme/paged');
      const old = await repo.commit({ 'seed.txt': 'seed' });
      const files = Object.fromEntries(Array.from({ length: 7 }, (_, i) => [`models/m${i}.hck.json`, `{"i":${i}}`]));
      const next = await repo.commit(files);
      const client = new BitbucketClient({ baseUrl: paged.apiUrl, token: repo.token, dispatcher: bed.dispatcher });

      const changes = await client.listChangedFiles(repo.fullName, next, old);

      expect(changes.map((c) => c.newPath).sort()).toEqual(Object.keys(files).sort());
      const pages = paged.requests.filter((r) => r.path.includes('/diffstat/'));
      expect(pages).toHaveLength(4); // 7 values at 2 per page
      expect(pages.slice(1).every((r) => /[?&]page=\d/.test(r.path))).toBe(true);
    } finally {
      await paged.close();
    }
  });

  it('throws BitbucketNotFoundError when a commit no longer exists', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'a.txt': 'a' });
    const b = await repo.commit({ 'b.txt': 'b' });
    repo.forgetCommit(a);
    const { client } = clientFor(repo);

    await expect(client.listChangedFiles(repo.fullName, b, a)).rejects.toBeInstanceOf(BitbucketNotFoundError);
    await expect(client.getFile(repo.fullName, a, 'a.txt')).rejects.toBeInstanceOf(BitbucketNotFoundError);
  });

  it('throws BitbucketDiffTooLargeError on 555 without retrying', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'a.txt': 'a' });
    const b = await repo.commit({ 'b.txt': 'b' });
    bed.sim.addFault({ pathPattern: /\/diffstat\//, kind: 'status', status: 555 });
    const { client } = clientFor(repo);

    const error = await client.listChangedFiles(repo.fullName, b, a).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketDiffTooLargeError);
    expect((error as BitbucketDiffTooLargeError).status).toBe(555);
    expect(requestsTo(`/${repo.fullName}/diffstat/`)).toHaveLength(1);
    expect(client.stats.retries).toBe(0);
  });
});

describe('BitbucketClient.listFiles and getFile', () => {
  const tricky = {
    'models/Ünïcode dir/a b.hck.json': '{"name":"Ünïcode ✓"}',
    'models/with%percent & plus+.hck.json': '{"p":"%20"}',
    'models/日本語/モデル.hck.json': '{"ja":true}',
    'top level.txt': 'spaces at the root',
    'deep/1/2/3/4/5/6/leaf.hck.json': '{"deep":true}',
  };

  it('lists every file of a commit recursively and downloads each byte-exact', async () => {
    // Prepare
    const repo = await newRepo();
    const binary = Buffer.from([0x00, 0xff, 0x10, 0x80, 0x0a, 0x0d, 0x0a, 0xc3]);
    const commit = await repo.commit({ ...tricky, 'assets/blob.bin': binary, 'README.md': '# models\n' });
    const truth = await repo.readFiles(commit);
    const { client } = clientFor(repo);

    // Act
    const paths = await client.listFiles(repo.fullName, commit);
    const contents = await Promise.all(paths.map(async (p) => [p, await client.getFile(repo.fullName, commit, p)] as const));

    // Assess
    expect(paths.sort()).toEqual([...truth.keys()].sort());
    for (const [path, bytes] of contents) expect(bytes.equals(truth.get(path) as Buffer)).toBe(true);
    expect(truth.get('assets/blob.bin')?.equals(binary)).toBe(true);
    // Segments are percent-encoded, '/' stays literal.
    expect(requestsTo('/models/%C3%9Cn%C3%AFcode%20dir/a%20b.hck.json')).toHaveLength(1);
  });

  it('follows listing pages and lists below directories at the max_depth limit', async () => {
    const paged = await startBitbucketSimulator({ pagelen: { src: 3 } });
    try {
      const repo = await paged.createRepository('acme/tree');
      const files = Object.fromEntries(Array.from({ length: 12 }, (_, i) => [`d${i % 3}/e${i % 2}/f/file ${i}.hck.json`, `${i}`]));
      const commit = await repo.commit({ ...files, 'root.txt': 'r' });
      const client = new BitbucketClient({ baseUrl: paged.apiUrl, token: repo.token, dispatcher: bed.dispatcher, listMaxDepth: 2 });

      const paths = await client.listFiles(repo.fullName, commit);

      expect(paths.sort()).toEqual([...(await repo.readFiles(commit)).keys()].sort());
      const listings = paged.requests.filter((r) => r.path.includes('/src/'));
      // Bitbucket names later /src pages by an opaque token, which the client follows as given.
      expect(listings.some((r) => /[?&]page=[^&\d][^&]*/.test(r.path))).toBe(true);
      // depth 2 stops at d*/e*: each of those six directories is listed again.
      expect(listings.filter((r) => /\/src\/[0-9a-f]{40}\/d\d\/e\d\/\?/.test(r.path)).length).toBeGreaterThanOrEqual(6);
    } finally {
      await paged.close();
    }
  });

  it('halves max_depth when a deep listing times out with 555', async () => {
    const limited = await startBitbucketSimulator({ maxListDepth: 2 });
    try {
      const repo = await limited.createRepository('acme/deep');
      const commit = await repo.commit({ 'a/b/c/d/e/f/g.txt': 'g', 'a/x.txt': 'x', 'top.txt': 't' });
      const client = new BitbucketClient({ baseUrl: limited.apiUrl, token: repo.token, dispatcher: bed.dispatcher, listMaxDepth: 8 });

      const paths = await client.listFiles(repo.fullName, commit);

      expect(paths.sort()).toEqual(['a/b/c/d/e/f/g.txt', 'a/x.txt', 'top.txt']);
      const statuses = limited.requests.map((r) => `${r.status} ${new URL(r.path, 'http://x').searchParams.get('max_depth')}`);
      expect(statuses.slice(0, 3)).toEqual(['555 8', '555 4', '200 2']);
    } finally {
      await limited.close();
    }
  });

  it('follows a Git LFS redirect to another origin without sending the token there', async () => {
    // Prepare
    const repo = await newRepo();
    const content = Buffer.from('{"large":"model stored in LFS"}');
    const commit = await repo.commit({ 'models/big.hck.json': content });
    repo.markLfs('models/big.hck.json');
    const { client } = clientFor(repo);

    // Act
    const bytes = await client.getFile(repo.fullName, commit, 'models/big.hck.json');

    // Assess
    expect(bytes.equals(content)).toBe(true);
    const [redirect, mediaHit] = bed.sim.requests.slice(-2);
    expect(redirect).toMatchObject({ origin: 'api', status: 301, authorization: true });
    expect(mediaHit).toMatchObject({ origin: 'media', status: 200, authorization: false });
    expect(client.stats.requests).toBe(2);
  });

  it('aborts downloads larger than maxFileBytes', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ 'big.hck.json': 'x'.repeat(2_000), 'fits.hck.json': 'y'.repeat(1_000) });
    const { client } = clientFor(repo, { maxFileBytes: 1_000 });

    const error = await client.getFile(repo.fullName, commit, 'big.hck.json').catch((e: unknown) => e);

    expect(error).toBeInstanceOf(BitbucketFileTooLargeError);
    expect((error as BitbucketFileTooLargeError).maxBytes).toBe(1_000);
    expect((await client.getFile(repo.fullName, commit, 'fits.hck.json')).length).toBe(1_000);
  });
});
