import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { Agent, request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { verifySignature } from '../../../../shared/domain/signature';

let sim: BitbucketSimulator;
let dispatcher: Agent;
let counter = 0;

beforeAll(async () => {
  sim = await startBitbucketSimulator();
  dispatcher = new Agent({ keepAliveTimeout: 1_000 });
});

afterAll(async () => {
  await dispatcher.close();
  await sim.close();
});

afterEach(() => sim.clearFaults());

async function newRepo(options?: { mainBranch?: string; token?: string }): Promise<SimulatedRepository> {
  counter += 1;
  return sim.createRepository(`acme/sim-${counter}`, options);
}

async function get(repo: SimulatedRepository, path: string, token: string | null = repo.token) {
  const response = await request(`${sim.apiUrl}/repositories/${repo.fullName}${path}`, {
    dispatcher,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  const body = Buffer.from(await response.body.arrayBuffer());
  return {
    status: response.statusCode,
    headers: response.headers,
    body,
    json: () => JSON.parse(body.toString('utf8')) as Record<string, unknown>,
  };
}

describe('simulated repositories', () => {
  it('builds real git history: files, renames, deletes and branches created from main', async () => {
    // Prepare
    const repo = await newRepo({ mainBranch: 'trunk' });
    const first = await repo.commit({ 'a.txt': 'a', 'dir/b.txt': Buffer.from([0, 255]) });

    // Act
    const second = await repo.commit({ 'a.txt': null, 'c.txt': 'c' }, { renames: [['dir/b.txt', 'moved/b.txt']] });
    const feature = await repo.commit({ 'f.txt': 'f' }, { branch: 'feature/one' });

    // Assess
    expect(repo.mainBranch).toBe('trunk');
    expect(await repo.head()).toBe(second);
    expect(await repo.head('feature/one')).toBe(feature);
    const atFirst = await repo.readFiles(first);
    const atFeature = await repo.readFiles(feature);
    expect([...atFirst.keys()].sort()).toEqual(['a.txt', 'dir/b.txt']);
    expect([...atFeature.keys()].sort()).toEqual(['c.txt', 'f.txt', 'moved/b.txt']);
    expect(atFeature.get('moved/b.txt')?.equals(Buffer.from([0, 255]))).toBe(true);
  });

  it('deletes branches and answers 404 for them, and for forgotten commits', async () => {
    const repo = await newRepo();
    const a = await repo.commit({ 'a.txt': 'a' });
    await repo.createBranch('tmp', a);
    expect((await get(repo, '/refs/branches/tmp')).status).toBe(200);

    await repo.deleteBranch('tmp');
    repo.forgetCommit(a);

    expect((await get(repo, '/refs/branches/tmp')).status).toBe(404);
    expect((await get(repo, `/src/${a}/a.txt`)).status).toBe(404);
    expect((await get(repo, `/diffstat/${a}`)).status).toBe(404);
    await expect(repo.head('tmp')).rejects.toThrow(/does not exist/);
  });

  it('diffstat without topic=false is three-dot (merge base), with topic=false two-dot', async () => {
    // Prepare: main and feature diverge from base.
    const repo = await newRepo();
    const base = await repo.commit({ 'base.txt': 'b' });
    const mainHead = await repo.commit({ 'main-only.txt': 'm' });
    await repo.createBranch('feature', base);
    const featureHead = await repo.commit({ 'feature-only.txt': 'f' }, { branch: 'feature' });
    const statuses = (json: Record<string, unknown>) =>
      (json.values as Array<{ status: string; new: { path: string } | null; old: { path: string } | null }>)
        .map((v) => `${v.status} ${(v.new ?? v.old)?.path}`)
        .sort();

    // Act
    const threeDot = await get(repo, `/diffstat/${featureHead}..${mainHead}`);
    const twoDot = await get(repo, `/diffstat/${featureHead}..${mainHead}?topic=false`);
    const reversed = await get(repo, `/diffstat/${mainHead}..${featureHead}?topic=false`);

    // Assess
    expect(statuses(threeDot.json())).toEqual(['added feature-only.txt']);
    expect(statuses(twoDot.json())).toEqual(['added feature-only.txt', 'removed main-only.txt']);
    expect(statuses(reversed.json())).toEqual(['added main-only.txt', 'removed feature-only.txt']);
  });

  it('serves raw bytes with percent-decoded paths and lists directories breadth-first', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ 'models/Ünïcode dir/a b.hck.json': '{"ü":1}', 'models/x.hck.json': '{}', 'top.txt': 't' });

    const file = await get(repo, `/src/${commit}/models/%C3%9Cn%C3%AFcode%20dir/a%20b.hck.json`);
    const listing = await get(repo, `/src/${commit}/?max_depth=3`);

    expect(file.status).toBe(200);
    expect(file.body.toString('utf8')).toBe('{"ü":1}');
    expect(file.headers['content-type']).toBe('application/json');
    const entries = (listing.json().values as Array<{ type: string; path: string }>).map((e) => `${e.type} ${e.path}`);
    expect(entries).toEqual([
      'commit_directory models',
      'commit_file top.txt',
      'commit_file models/x.hck.json', // git orders by bytes: 'x' (0x78) before 'Ü' (0xC3)
      'commit_directory models/Ünïcode dir',
      'commit_file models/Ünïcode dir/a b.hck.json',
    ]);
  });

  it('checks the bearer token per repository', async () => {
    const one = await newRepo({ token: 'token-one' });
    const two = await newRepo({ token: 'token-two' });

    expect((await get(one, '')).status).toBe(200);
    expect((await get(one, '', 'token-two')).status).toBe(401);
    expect((await get(two, '', null)).json()).toEqual({
      type: 'error',
      error: { message: 'Token is invalid, expired, or not supported for this endpoint.' },
    });
  });

  it('redirects LFS files to a media origin that rejects Authorization', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ 'lfs.bin': Buffer.from('lfs content') });
    repo.markLfs('lfs.bin');

    const redirect = await get(repo, `/src/${commit}/lfs.bin`);
    const location = redirect.headers.location as string;
    const withAuth = await request(location, { dispatcher, headers: { authorization: `Bearer ${repo.token}` } });
    const withoutAuth = await request(location, { dispatcher });

    expect(redirect.status).toBe(301);
    expect(new URL(location).origin).toBe(sim.mediaUrl);
    expect(new URL(location).origin).not.toBe(new URL(sim.apiUrl).origin);
    expect(withAuth.statusCode).toBe(400);
    await withAuth.body.dump();
    expect(withoutAuth.statusCode).toBe(200);
    expect(await withoutAuth.body.text()).toBe('lfs content');
  });

  it('serves a Git LFS file (its pointer in git) behind /src and the media host', async () => {
    const repo = await newRepo();
    const content = Buffer.from('{"modelName":"big"}');
    const commit = await repo.commit({ 'big.hck.json': { lfs: content } });

    const redirect = await get(repo, `/src/${commit}/big.hck.json`);
    const media = await request(redirect.headers.location as string, { dispatcher });

    expect(redirect.status).toBe(301);
    expect(await media.body.text()).toBe(content.toString());
    expect((await repo.readFiles(commit)).get('big.hck.json')).toEqual(content);
  });
});

describe('simulator faults and request log', () => {
  it('answers 429 in plain text with rate-limit headers and Retry-After, count-limited', async () => {
    const repo = await newRepo();
    sim.addFault({ pathPattern: new RegExp(`/${repo.fullName}$`), kind: 'status', status: 429, retryAfterSeconds: 7, times: 1 });

    const limited = await get(repo, '');
    const normal = await get(repo, '');

    expect(limited.status).toBe(429);
    expect(limited.body.toString()).toBe('Rate limit for this resource has been exceeded');
    expect(limited.headers['content-type']).toBe('text/plain');
    expect(limited.headers['retry-after']).toBe('7');
    expect(limited.headers['x-ratelimit-limit']).toBe('1000');
    expect(limited.headers['x-ratelimit-resource']).toBe('api');
    expect(normal.status).toBe(200);
  });

  it('drops connections, applies latency, and honours probability 0', async () => {
    const repo = await newRepo();
    sim.addFault({ kind: 'status', status: 500, probability: 0 });
    sim.addFault({ kind: 'latency', delayMs: 120, times: 1 });
    sim.addFault({ kind: 'drop', times: 1 });

    const started = Date.now();
    await expect(get(repo, '')).rejects.toThrow();
    const elapsed = Date.now() - started;
    const after = await get(repo, '');

    expect(elapsed).toBeGreaterThanOrEqual(100);
    expect(after.status).toBe(200);
    expect(sim.requests.slice(-2).map((r) => r.status)).toEqual([0, 200]);
  });

  it('logs method, path, status and bytes of every request, and can be reset', async () => {
    const repo = await newRepo();
    const commit = await repo.commit({ 'five.txt': '12345' });
    sim.resetRequests();

    await get(repo, `/src/${commit}/five.txt`);

    expect(sim.requests).toEqual([
      {
        method: 'GET',
        path: `/2.0/repositories/${repo.fullName}/src/${commit}/five.txt`,
        status: 200,
        bytes: 5,
        origin: 'api',
        authorization: true,
      },
    ]);
  });
});

describe('simulated webhook deliveries', () => {
  // The repository's own copy of the real deliveries (see its SOURCES.md), so this runs without ../shared.
  const fixtures = resolve(__dirname, '../../../fixtures/bitbucket-cloud-webhooks');

  it('shapes push payloads like real deliveries for update, create, delete and forced pushes', async () => {
    const repo = await newRepo();
    const hashes: string[] = [];
    for (let i = 0; i < 7; i++) hashes.push(await repo.commit({ [`f${i}.txt`]: String(i) }, { message: `commit ${i}\n` }));
    await repo.createBranch('rewrite', hashes[0] as string);
    const rewritten = await repo.commit({ 'r.txt': 'r' }, { branch: 'rewrite' });

    const update = repo.pushPayload({ branch: 'main', oldHash: hashes[5] as string, newHash: hashes[6] as string });
    const created = repo.pushPayload({ branch: 'feature/x', oldHash: null, newHash: hashes[6] as string });
    const deleted = repo.pushPayload({ branch: 'feature/x', oldHash: hashes[6] as string, newHash: null });
    const forced = repo.pushPayload({ branch: 'main', oldHash: hashes[6] as string, newHash: rewritten });

    type Change = Record<string, unknown> & {
      new: { target: { hash: string } } | null;
      commits?: Array<{ hash: string }>;
      links?: Record<string, { href: string }>;
    };
    const change = (payload: Record<string, unknown>) => (payload.push as { changes: Change[] }).changes[0] as Change;
    expect(change(update)).toMatchObject({ created: false, closed: false, forced: false, truncated: false });
    expect(change(update).commits?.map((c) => c.hash)).toEqual([hashes[6]]);
    expect(change(update).links?.diff?.href).toMatch(new RegExp(`/diff/${hashes[6]}\\.\\.${hashes[5]}$`));
    expect(change(created)).toMatchObject({ old: null, created: true, truncated: true });
    expect(change(created).commits).toHaveLength(5);
    expect(change(deleted)).toMatchObject({ new: null, closed: true });
    expect(change(deleted)).not.toHaveProperty('commits');
    expect(change(deleted)).not.toHaveProperty('links');
    expect(change(forced)).toMatchObject({ forced: true });
    expect(change(forced).links).not.toHaveProperty('diff');
    const tag = change(repo.pushPayload({ branch: 'v1.0', oldHash: null, newHash: hashes[3] as string, refType: 'tag' }));
    expect(tag).toMatchObject({ created: true, new: { type: 'tag', name: 'v1.0', target: { hash: hashes[3] } } });
    expect(tag).not.toHaveProperty('commits');
    expect(update.repository).toMatchObject({ type: 'repository', full_name: repo.fullName, uuid: repo.uuid });

    // Same keys as Atlassian's real 2025 capture, at every level the worker reads.
    const real = JSON.parse(readFileSync(resolve(fixtures, 'signed_payload__branch-created.json'), 'utf8')) as Record<string, unknown>;
    const keys = (o: unknown) => Object.keys(o as object).sort();
    expect(keys(created)).toEqual(keys(real));
    expect(keys(created.repository)).toEqual(keys(real.repository));
    expect(keys(change(created))).toEqual(keys(change(real)));
    expect(keys(change(created).new)).toEqual(keys(change(real).new));
    expect(keys(change(created).new?.target)).toEqual(keys(change(real).new?.target));
  });

  it('delivers a signed repo:push with Bitbucket headers', async () => {
    // Prepare: a receiver that records what it got.
    const received: Array<{ headers: IncomingHttpHeaders; body: Buffer }> = [];
    const receiver = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(202).end('queued');
      });
    });
    await new Promise<void>((done) => receiver.listen(0, '127.0.0.1', done));
    const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/webhook`;
    const repo = await newRepo();
    const a = await repo.commit({ 'a.txt': 'a' });
    const b = await repo.commit({ 'b.txt': 'b' });

    try {
      // Act
      const first = await repo.deliverPush(
        url,
        'webhook-secret',
        { branch: 'main', oldHash: a, newHash: b },
        { requestUuid: 'c0ffee00-0000-4000-8000-000000000001', attempt: 2 },
      );
      const second = await repo.deliverPush(url, 'webhook-secret', { branch: 'main', oldHash: a, newHash: b });

      // Assess
      expect(first).toEqual({ status: 202, body: 'queued' });
      expect(second.status).toBe(202);
      const [one, two] = received as [(typeof received)[0], (typeof received)[0]];
      expect(one.headers).toMatchObject({
        'x-event-key': 'repo:push',
        'x-request-uuid': 'c0ffee00-0000-4000-8000-000000000001',
        'x-attempt-number': '2',
        'user-agent': 'Bitbucket-Webhooks/2.0',
        'content-type': 'application/json',
      });
      expect(one.headers['x-hook-uuid']).toMatch(/^[0-9a-f-]{36}$/);
      expect(two.headers['x-request-uuid']).not.toBe(one.headers['x-request-uuid']);
      expect(two.headers['x-attempt-number']).toBe('1');
      expect(verifySignature(['webhook-secret'], one.body, one.headers['x-hub-signature'] as string)).toBe(true);
      expect(verifySignature(['other-secret'], one.body, one.headers['x-hub-signature'] as string)).toBe(false);
      expect(JSON.parse(one.body.toString('utf8'))).toEqual(repo.pushPayload({ branch: 'main', oldHash: a, newHash: b }));
    } finally {
      await new Promise<void>((done) => receiver.close(() => done()));
    }
  });
});

describe('simulator performance', () => {
  it('seeds 1,000 files in one commit and 200 commits after it', async () => {
    const repo = await newRepo();
    const files = Object.fromEntries(
      Array.from({ length: 1_000 }, (_, i) => [`models/group-${i % 20}/model-${i}.hck.json`, JSON.stringify({ i, pad: 'x'.repeat(200) })]),
    );

    const seeded = await repo.commit(files);
    for (let i = 0; i < 200; i++) await repo.commit({ [`models/group-${i % 20}/model-${i}.hck.json`]: `{"v":${i}}` });

    expect((await repo.readFiles(seeded)).size).toBe(1_000);
    const diff = await get(repo, `/diffstat/${await repo.head()}..${seeded}?topic=false`);
    expect((diff.json().values as unknown[]).length).toBe(200);
  });
});
