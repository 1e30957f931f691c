import { request } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../../local/bitbucket-simulator';

describe('simulator access tokens: repository tokens and workspace tokens', () => {
  let sim: BitbucketSimulator;

  beforeAll(async () => {
    sim = await startBitbucketSimulator({ pagelen: { repositories: 2 } });
  });
  afterAll(async () => {
    await sim.close();
  });

  const get = async (path: string, token: string) => {
    const answer = await request(path.startsWith('http') ? path : `${sim.apiUrl}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    return { status: answer.statusCode, body: (await answer.body.json()) as Record<string, unknown> };
  };

  it('lists a workspace page by page for a workspace token, and only its own repository for a repository token', async () => {
    // Prepare
    const repos = [];
    for (const slug of ['one', 'two', 'three']) repos.push(await sim.createRepository(`team/${slug}`));
    await sim.createRepository('other/four');
    const workspace = sim.createWorkspaceToken('team');

    // Act
    const first = await get('/repositories/team', workspace.token);
    const second = await get(String(first.body.next), workspace.token);
    const own = await get('/repositories/team', repos[1]!.token);
    const foreign = await get('/repositories/other', workspace.token);
    const unknown = await get('/repositories/team', 'not-a-token');
    const nowhere = await get('/repositories/nowhere', workspace.token);

    // Assess
    const names = (page: { body: Record<string, unknown> }) => (page.body.values as Array<{ full_name: string }>).map((r) => r.full_name);
    expect([first.status, first.body.size, first.body.pagelen, names(first)]).toEqual([200, 3, 2, ['team/one', 'team/two']]);
    expect([second.status, names(second), second.body.next]).toEqual([200, ['team/three'], undefined]);
    expect(names(own)).toEqual(['team/two']);
    expect([foreign.status, names(foreign)]).toEqual([200, []]);
    expect(unknown.status).toBe(401);
    expect(nowhere.status).toBe(404);
  });

  it('lets a workspace token read and manage hooks of every repository of its workspace only, within its scopes', async () => {
    const inside = await sim.createRepository('crew/inside');
    const outside = await sim.createRepository('elsewhere/outside');
    const token = sim.createWorkspaceToken('crew', { scopes: ['repository'] });

    const read = await get('/repositories/crew/inside', token.token);
    const hooks = await get('/repositories/crew/inside/hooks', token.token);
    const foreign = await get('/repositories/elsewhere/outside', token.token);

    expect([read.status, read.body.uuid]).toEqual([200, inside.uuid]);
    expect(hooks.status).toBe(403);
    expect(hooks.body).toMatchObject({ error: { detail: { granted: ['repository'], required: ['webhook'] } } });
    expect(foreign.status).toBe(401);
    expect(outside.fullName).toBe('elsewhere/outside');
  });
});
