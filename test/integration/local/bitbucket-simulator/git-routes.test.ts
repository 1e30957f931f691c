import { request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../../local/bitbucket-simulator';
import { BitbucketClient } from '../../../../shared/bitbucket/bitbucket-client';
import { fetchHeadSnapshot } from '../../../../shared/git/git-snapshot';
import { GitFetchError } from '../../../../shared/git/errors';
import { generateRegisteredSecret } from '../../../support/secret-hygiene';

let sim: BitbucketSimulator;
let counter = 0;

beforeAll(async () => {
  sim = await startBitbucketSimulator();
});

afterAll(async () => {
  await sim.close();
});

afterEach(() => {
  sim.clearFaults();
  sim.resetRequests();
});

async function newRepo(options: { scopes?: string[] } = {}) {
  counter += 1;
  const repo = await sim.createRepository(`acme/git-${counter}`, { token: generateRegisteredSecret(), ...options });
  // The clone link as the API gives it, minus the user name (the repository path is all that differs).
  const cloneUrl = `${new URL(sim.apiUrl).origin}/${repo.fullName}.git`;
  return { repo, cloneUrl };
}

describe('simulator git smart HTTP', () => {
  it('puts an https-style clone link with a user name in the repository object, which the client strips', async () => {
    const repo = await sim.createRepository('acme/clone-link');
    const response = await request(`${sim.apiUrl}/repositories/acme/clone-link`, { headers: { authorization: `Bearer ${repo.token}` } });
    const json = (await response.body.json()) as { links: { clone: Array<{ name: string; href: string }> } };
    const https = json.links.clone.find((link) => link.name === 'https')!;
    expect(https.href).toBe(`${new URL(sim.apiUrl).origin.replace('://', '://x-token-auth@')}/acme/clone-link.git`);
    const info = await new BitbucketClient({ baseUrl: sim.apiUrl, token: repo.token }).getRepository('acme/clone-link');
    expect(info.cloneUrl).toBe(`${new URL(sim.apiUrl).origin}/acme/clone-link.git`);
  });

  it('serves a shallow fetch of the current head in 2 git requests, logged apart from REST requests', async () => {
    const { repo, cloneUrl } = await newRepo();
    await repo.commit({ 'a.hck.json': '{"a":1}', 'd/b.hck.json': '{"b":2}' });
    const head = await repo.commit({ 'a.hck.json': '{"a":3}' });

    const snapshot = await fetchHeadSnapshot({ cloneUrl, token: repo.token, branch: repo.mainBranch });
    try {
      expect(snapshot.commit).toBe(head);
      const entries = await snapshot.listEntries();
      expect(entries.map((entry) => entry.path)).toEqual(['a.hck.json', 'd/b.hck.json']);
      expect((await snapshot.readBlob(entries[0]!.oid)).toString('utf8')).toBe('{"a":3}');
    } finally {
      await snapshot.close();
    }
    expect(sim.requests.map((r) => [r.origin, r.method, r.status])).toEqual([
      ['git', 'GET', 200],
      ['git', 'POST', 200],
    ]);
    expect(sim.requests.every((r) => r.authorization && r.bytes > 0)).toBe(true);
  });

  it('follows new pushes and branch moves (refs are published from the simulator’s branch table)', async () => {
    const { repo, cloneUrl } = await newRepo();
    const first = await repo.commit({ 'a.hck.json': '1' });
    const fetchHead = async () => {
      const snapshot = await fetchHeadSnapshot({ cloneUrl, token: repo.token, branch: repo.mainBranch });
      await snapshot.close();
      return snapshot.commit;
    };
    expect(await fetchHead()).toBe(first);
    const second = await repo.commit({ 'a.hck.json': '2' });
    expect(await fetchHead()).toBe(second);
    await repo.forcePush(repo.mainBranch, first);
    expect(await fetchHead()).toBe(first);
  });

  it('refuses another repository’s token and a token without the repository scope, with a Basic challenge', async () => {
    const { repo, cloneUrl } = await newRepo();
    await repo.commit({ 'a.hck.json': '1' });
    const other = await newRepo();
    const limited = await newRepo({ scopes: ['webhook'] });
    await limited.repo.commit({ 'a.hck.json': '1' });
    for (const [url, token] of [
      [cloneUrl, other.repo.token],
      [limited.cloneUrl, limited.repo.token],
    ] as const) {
      const failure = await fetchHeadSnapshot({ cloneUrl: url, token, branch: 'main' }).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(GitFetchError);
      expect((failure as GitFetchError).reason).toBe('unauthorized');
    }
    expect(sim.requests.filter((r) => r.origin === 'git').every((r) => r.status === 401)).toBe(true);
  });

  it('answers 404 for an unknown repository', async () => {
    const failure = await fetchHeadSnapshot({
      cloneUrl: `${new URL(sim.apiUrl).origin}/acme/absent.git`,
      token: generateRegisteredSecret(),
      branch: 'main',
    }).catch((error: unknown) => error);
    expect((failure as GitFetchError).reason).toBe('not-found');
  });

  it('injects faults into git requests: a 503 the retry cures, a dropped connection it does not', async () => {
    const { repo, cloneUrl } = await newRepo();
    const head = await repo.commit({ 'a.hck.json': '1' });
    sim.addFault({ pathPattern: /\.git\/git-upload-pack$/, kind: 'status', status: 503, times: 1 });
    const snapshot = await fetchHeadSnapshot({ cloneUrl, token: repo.token, branch: 'main' });
    await snapshot.close();
    expect(snapshot.commit).toBe(head);
    expect(sim.requests.map((r) => `${r.origin} ${r.status}`)).toEqual(['git 200', 'git 503', 'git 200', 'git 200']);

    sim.addFault({ pathPattern: /\.git\//, kind: 'drop' });
    const failure = await fetchHeadSnapshot({ cloneUrl, token: repo.token, branch: 'main' }).catch((error: unknown) => error);
    expect((failure as GitFetchError).reason).toBe('unreachable');
  });
});
