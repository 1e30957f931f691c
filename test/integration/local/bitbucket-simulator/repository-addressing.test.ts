import { request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { fetchHeadSnapshot } from '../../../../shared/git/git-snapshot';
import { GitFetchError } from '../../../../shared/git/errors';

/** The simulator names repositories by name or braced uuid, and renames and transfers them like Bitbucket. */
describe('simulator repository addressing, renames and transfers', () => {
  let sim: BitbucketSimulator;

  beforeAll(async () => {
    sim = await startBitbucketSimulator();
  });
  afterAll(async () => {
    await sim.close();
  });

  const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, token: string, body?: unknown) => {
    const answer = await request(`${sim.apiUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await answer.body.text();
    return { status: answer.statusCode, json: () => JSON.parse(text) as Record<string, unknown> };
  };
  const byUuids = (repo: SimulatedRepository) => `/repositories/${encodeURIComponent(repo.workspaceUuid)}/${encodeURIComponent(repo.uuid)}`;
  const cloneUrl = (fullName: string) => `${new URL(sim.apiUrl).origin}/${fullName}.git`;

  it('answers every repository route for braced, percent-encoded uuids, mixed with names, and for the name', async () => {
    // Prepare
    const repo = await sim.createRepository('acme/addressed');
    const sibling = await sim.createRepository('acme/sibling');
    const first = await repo.commit({ 'a.hck.json': '{"a":1}' });
    const head = await repo.commit({ 'a.hck.json': '{"a":2}', 'b/c.hck.json': '{}' });
    const [workspace, slug] = repo.fullName.split('/') as [string, string];
    const addresses = [
      byUuids(repo),
      `/repositories/${workspace}/${encodeURIComponent(repo.uuid)}`,
      `/repositories/${encodeURIComponent(repo.workspaceUuid)}/${slug}`,
      `/repositories/${encodeURIComponent(repo.workspaceUuid.toUpperCase())}/${encodeURIComponent(repo.uuid.toUpperCase())}`,
      `/repositories/${workspace}/${slug}`,
    ];

    for (const base of addresses) {
      // Act
      const repository = await call('GET', base, repo.token);
      const branch = await call('GET', `${base}/refs/branches/main`, repo.token);
      const diffstat = await call('GET', `${base}/diffstat/${head}..${first}?topic=false`, repo.token);
      const listing = await call('GET', `${base}/src/${head}/?max_depth=3`, repo.token);
      const file = await call('GET', `${base}/src/${head}/b/c.hck.json`, repo.token);
      const created = await call('POST', `${base}/hooks`, repo.token, {
        url: 'https://hub.example/sync',
        events: ['repo:push'],
        active: true,
      });
      const uid = encodeURIComponent(String(created.json().uuid));
      const updated = await call('PUT', `${base}/hooks/${uid}`, repo.token, {
        url: 'https://hub.example/v2',
        events: ['repo:push'],
        active: true,
      });
      const hooks = await call('GET', `${base}/hooks`, repo.token);
      const deleted = await call('DELETE', `${base}/hooks/${uid}`, repo.token);

      // Assess
      expect({
        base,
        statuses: [repository, branch, diffstat, listing, file, created, updated, hooks, deleted].map((a) => a.status),
      }).toEqual({
        base,
        statuses: [200, 200, 200, 200, 200, 201, 200, 200, 204],
      });
      expect(repository.json()).toMatchObject({ uuid: repo.uuid, full_name: repo.fullName, workspace: { uuid: repo.workspaceUuid } });
      expect((branch.json().target as { hash: string }).hash).toBe(head);
    }
    expect(sibling.workspaceUuid).toBe(repo.workspaceUuid);
    expect(sim.workspaceUuid('acme')).toBe(repo.workspaceUuid);
    const listing = await call('GET', `/repositories/${encodeURIComponent(repo.workspaceUuid)}`, sim.createWorkspaceToken('acme').token);
    expect((listing.json().values as Array<{ full_name: string }>).map((value) => value.full_name)).toEqual(
      expect.arrayContaining(['acme/addressed', 'acme/sibling']),
    );
    // A uuid of another repository, or of another workspace, finds nothing.
    expect(
      (await call('GET', `/repositories/${encodeURIComponent(repo.workspaceUuid)}/${encodeURIComponent(sibling.uuid)}`, repo.token)).status,
    ).toBe(401);
    const other = await sim.createRepository('other/elsewhere');
    expect(
      (await call('GET', `/repositories/${encodeURIComponent(other.workspaceUuid)}/${encodeURIComponent(repo.uuid)}`, repo.token)).status,
    ).toBe(404);
  });

  it('renames a repository: same uuid, history and hooks; the old name answers 404 over the API and git, the new one and the uuids work', async () => {
    // Prepare
    const repo = await sim.createRepository('acme/before-rename');
    const head = await repo.commit({ 'm.hck.json': '{}' });
    await call('POST', `/repositories/${repo.fullName}/hooks`, repo.token, {
      url: 'https://hub.example/sync',
      events: ['repo:push'],
      active: true,
    });
    const { uuid, workspaceUuid, token } = repo;

    // Act
    sim.renameRepository(repo, 'acme/after-rename');

    // Assess
    expect([repo.fullName, repo.uuid, repo.workspaceUuid, repo.token]).toEqual(['acme/after-rename', uuid, workspaceUuid, token]);
    expect((await call('GET', '/repositories/acme/before-rename', token)).status).toBe(404);
    expect((await call('GET', '/repositories/acme/before-rename/refs/branches/main', token)).status).toBe(404);
    expect((await call('GET', '/repositories/acme/after-rename', token)).json()).toMatchObject({ uuid, full_name: 'acme/after-rename' });
    expect((await call('GET', `${byUuids(repo)}/hooks`, token)).json()).toMatchObject({ size: 1 });
    await expect(fetchHeadSnapshot({ cloneUrl: cloneUrl('acme/before-rename'), token, branch: 'main' })).rejects.toBeInstanceOf(
      GitFetchError,
    );
    const snapshot = await fetchHeadSnapshot({ cloneUrl: cloneUrl('acme/after-rename'), token, branch: 'main' });
    await snapshot.close();
    expect(snapshot.commit).toBe(head);
    expect(() => sim.renameRepository(repo, 'acme/after-rename')).toThrow(/already exists/);
  });

  it('transfers a repository: a new workspace uuid, its access token revoked, the old workspace token no longer reads it', async () => {
    // Prepare
    const repo = await sim.createRepository('acme/to-transfer');
    await repo.commit({ 'm.hck.json': '{}' });
    const acmeToken = sim.createWorkspaceToken('acme').token;
    const before = { fullName: repo.fullName, uuid: repo.uuid, workspaceUuid: repo.workspaceUuid, token: repo.token };

    // Act
    sim.renameRepository(repo, 'beta/transferred');
    const betaToken = sim.createWorkspaceToken('beta').token;

    // Assess
    expect(repo.uuid).toBe(before.uuid);
    expect(repo.workspaceUuid).not.toBe(before.workspaceUuid);
    expect(sim.workspaceUuid('beta')).toBe(repo.workspaceUuid);
    expect(repo.token).not.toBe(before.token);
    const oldUuids = `/repositories/${encodeURIComponent(before.workspaceUuid)}/${encodeURIComponent(before.uuid)}`;
    expect((await call('GET', oldUuids, repo.token)).status).toBe(404);
    expect((await call('GET', byUuids(repo), before.token)).status).toBe(401);
    expect((await call('GET', byUuids(repo), acmeToken)).status).toBe(401);
    expect((await call('GET', byUuids(repo), repo.token)).json()).toMatchObject({
      full_name: 'beta/transferred',
      workspace: { uuid: repo.workspaceUuid },
    });
    expect((await call('GET', byUuids(repo), betaToken)).status).toBe(200);
  });

  it('delivers pushes made after a rename with the new name and workspace uuid', async () => {
    const repo = await sim.createRepository('acme/push-after-rename');
    const first = await repo.commit({ 'm.hck.json': '{}' });
    sim.renameRepository(repo, 'gamma/pushed');
    const payload = repo.pushPayload({ branch: 'main', oldHash: null, newHash: first }) as {
      repository: { full_name: string; uuid: string; workspace: { uuid: string; slug: string } };
    };
    expect(payload.repository).toMatchObject({
      full_name: 'gamma/pushed',
      uuid: repo.uuid,
      workspace: { uuid: repo.workspaceUuid, slug: 'gamma' },
    });
  });
});
