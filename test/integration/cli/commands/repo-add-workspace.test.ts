import type { SimulatedAccessToken, SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { TOKEN_SECRET_PREFIX } from '../../../../local/stand-ins';
import { accessTokenSecretName } from '../../../../shared/aws/access-tokens';
import { DynamoDbRepositoryStore } from '../../../../shared/aws/dynamodb-repository-store';
import type { WorkspaceAddResult } from '../../../../cli/commands/repo-add';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

interface RepoListing {
  repository: string;
  status: string;
  models: number;
}

describe('repo add <workspace>: pick repositories with one workspace token (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let store: DynamoDbRepositoryStore;
  let team: SimulatedRepository[];
  let elsewhere: SimulatedRepository;
  let workspaceToken: SimulatedAccessToken;

  const configOf = async (fullName: string) => (await store.listRepositories()).find((config) => config.fullName === fullName);

  beforeAll(async () => {
    bed = await startCliTestBed();
    store = new DynamoDbRepositoryStore({ tableName: bed.hub.standIns.env.REPOSITORIES_TABLE!, client: bed.hub.standIns.dynamodb });
    team = [];
    for (const slug of ['models-sales', 'models-billing', 'website']) {
      const repo = await bed.simulator.createRepository(`team/${slug}`);
      await repo.commit({ [`${slug}.hck.json`]: `{"modelName":"${slug}","dbVendor":"MongoDB"}` });
      team.push(repo);
    }
    // Another workspace, added with its own repository token: never touched by the workspace commands.
    elsewhere = await bed.simulator.createRepository('acme/elsewhere');
    await elsewhere.commit({ 'a.hck.json': '{"modelName":"A"}' });
    expect((await bed.cli(['repo', 'add', 'acme/elsewhere'], { stdin: elsewhere.token })).code).toBe(0);
    workspaceToken = bed.simulator.createWorkspaceToken('team');
  });
  afterAll(async () => {
    const transcript = bed.transcript.join('\n');
    for (const token of [workspaceToken.token, elsewhere.token, ...team.map((repo) => repo.token)]) expect(transcript).not.toContain(token);
    await bed.close();
  });

  it('without a terminal and without --match/--all lists the candidates and exits 2 with a next step', async () => {
    const run = await bed.cli(['repo', 'add', 'team'], { stdin: workspaceToken.token });

    expect(run.code).toBe(2);
    expect(run.stdout.split('\n').filter((line) => line.startsWith('team/'))).toEqual([
      expect.stringMatching(/^team\/models-billing\s+main\s+no$/),
      expect.stringMatching(/^team\/models-sales\s+main\s+no$/),
      expect.stringMatching(/^team\/website\s+main\s+no$/),
    ]);
    expect(run.stderr).toContain("next: add them with `repo add team --match '<glob>'`");
    expect(await store.listRepositories()).toHaveLength(1);
  });

  it('--match adds the matching repositories with their webhooks and syncs, storing the token once', async () => {
    const run = await bed.cli(['repo', 'add', 'team', '--match', 'models-*', '--create-webhook', '--json'], {
      stdin: workspaceToken.token,
    });

    expect(run.code).toBe(0);
    const results = run.json<WorkspaceAddResult[]>();
    expect(results.map((result) => [result.repository, result.result, result.sync?.outcome])).toEqual([
      ['team/models-billing', 'added', 'synced'],
      ['team/models-sales', 'added', 'synced'],
    ]);
    expect(run.stderr).toContain('[1/2] team/models-billing');
    expect(run.stderr).toContain('[2/2] team/models-sales');
    expect(run.stderr).toContain('Summary for team: 2 added, 0 already added, 0 failed.');
    expect(team.map((repo) => repo.webhooks.length)).toEqual([1, 1, 0]);
    const [sales, billing] = [await configOf('team/models-sales'), await configOf('team/models-billing')];
    expect(sales?.tokenId).toBeDefined();
    expect(billing?.tokenId).toBe(sales?.tokenId);
    const stored = bed.tokenSecrets();
    expect(Object.values(stored).filter((value) => value === workspaceToken.token)).toHaveLength(1);
    const listing = (await bed.cli(['repo', 'list', '--json'])).json<RepoListing[]>();
    expect(listing.map((line) => [line.repository, line.status, line.models])).toEqual([
      ['acme/elsewhere', 'synced', 1],
      ['team/models-billing', 'synced', 1],
      ['team/models-sales', 'synced', 1],
    ]);
  });

  it('adds nothing twice: running it again skips the added ones; --all adds only the rest', async () => {
    const again = await bed.cli(['repo', 'add', 'team', '--match', 'models-*', '--json'], { stdin: workspaceToken.token });
    const all = await bed.cli(['repo', 'add', 'team', '--all', '--json'], { stdin: workspaceToken.token });

    expect(again.code).toBe(0);
    expect(again.json<WorkspaceAddResult[]>().map((result) => result.result)).toEqual(['already-added', 'already-added']);
    expect(all.code).toBe(0);
    expect(all.json<WorkspaceAddResult[]>().map((result) => [result.repository, result.result])).toEqual([
      ['team/models-billing', 'already-added'],
      ['team/models-sales', 'already-added'],
      ['team/website', 'added'],
    ]);
    expect(new Set((await store.listRepositories()).filter((c) => c.fullName.startsWith('team/')).map((c) => c.tokenId)).size).toBe(1);
    expect(Object.values(bed.tokenSecrets()).sort()).toEqual([elsewhere.token, workspaceToken.token].sort());
  });

  it('picks on the terminal through the multi-select, offering the added ones as disabled', async () => {
    const offered: Array<{ value: string; name: string; disabled?: string }> = [];
    const run = await bed.cli(['repo', 'add', 'team', '--no-wait'], {
      stdin: workspaceToken.token,
      deps: {
        chooseRepositories: async (_question, choices) => {
          offered.push(...choices);
          return [];
        },
      },
    });

    expect(run.code).toBe(0);
    expect(offered.map((choice) => [choice.name, choice.disabled])).toEqual([
      ['team/models-billing', 'already added'],
      ['team/models-sales', 'already added'],
      ['team/website', 'already added'],
    ]);
    expect(run.stderr).toContain('0 added, 0 already added, 0 failed (nothing picked)');
  });

  it('replaces a shared token for every repository using it, and says which', async () => {
    const renewed = bed.simulator.createWorkspaceToken('team');

    const run = await bed.cli(['repo', 'update', 'team/website'], { stdin: renewed.token });

    expect(run.code).toBe(0);
    expect(run.stderr).toContain('Token replaced for the 3 repositories using it: team/website, team/models-billing, team/models-sales');
    expect(Object.values(bed.tokenSecrets()).sort()).toEqual([elsewhere.token, renewed.token].sort());
    workspaceToken = renewed;
  });

  it('gives a repository its own token when the new one reads only it; the others keep the shared one', async () => {
    const website = team[2]!;

    const run = await bed.cli(['repo', 'update', 'team/website'], { stdin: website.token });

    expect(run.code).toBe(0);
    expect(run.stderr).toContain('The new token cannot read team/models-billing, team/models-sales: they keep the previous token');
    expect((await configOf('team/website'))?.tokenId).not.toBe((await configOf('team/models-sales'))?.tokenId);
    expect(Object.values(bed.tokenSecrets()).sort()).toEqual([elsewhere.token, website.token, workspaceToken.token].sort());
    expect((await bed.cli(['sync', 'team/website'])).code).toBe(0);
  });

  it('a repository token lists only its own repository, and the CLI says so', async () => {
    const run = await bed.cli(['repo', 'add', 'team', '--all'], { stdin: team[0]!.token });

    expect(run.code).toBe(0);
    expect(run.stderr).toContain(
      'The token can read only one repository of team: team/models-sales. A repository access token reads only its own',
    );
    expect(run.stderr).toContain('team/models-sales: already added, skipped.');
  });

  it('explains a refused listing (a token without the repository scope)', async () => {
    const hooksOnly = bed.simulator.createWorkspaceToken('team', { scopes: ['webhook'] });

    const run = await bed.cli(['repo', 'add', 'team', '--all'], { stdin: hooksOnly.token });

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Bitbucket refused to list the repositories of team with this token (HTTP 403)');
    // It names the token kind the workspace form needs, not only what a repository token cannot do.
    expect(run.stderr).toContain(
      "next: adding a workspace's repositories needs a workspace access token (or a project access token, for its project's repositories) with the scope Repositories: Read",
    );
  });

  it('repo remove deletes a shared token only with its last user', async () => {
    const first = await bed.cli(['repo', 'remove', 'team/models-sales']);
    const kept = Object.values(bed.tokenSecrets());
    const last = await bed.cli(['repo', 'remove', 'team/models-billing']);

    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Its token stays stored: team/models-billing still use it.');
    expect(kept).toContain(workspaceToken.token);
    expect(last.code).toBe(0);
    expect(Object.values(bed.tokenSecrets()).sort()).toEqual([elsewhere.token, team[2]!.token].sort());
    expect((await configOf('acme/elsewhere'))?.fullName).toBe('acme/elsewhere');
  });
});

describe('repositories stored in the per-repository token layout keep working', () => {
  let bed: CliTestBed;

  beforeAll(async () => {
    bed = await startCliTestBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('syncs, replaces and removes a repository whose token is stored under its uuid', async () => {
    // Prepare: what `repo add` stored before tokens were shared.
    const repo = await bed.simulator.createRepository('acme/legacy');
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}' });
    const store = new DynamoDbRepositoryStore({ tableName: bed.hub.standIns.env.REPOSITORIES_TABLE!, client: bed.hub.standIns.dynamodb });
    await store.addRepository({ uuid: repo.uuid, fullName: repo.fullName, modelPattern: '*.hck.json', addedAt: new Date().toISOString() });
    const legacyName = accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid);
    bed.hub.standIns.secrets.putSecret(legacyName, repo.token);

    // Act
    const synced = await bed.cli(['sync', 'acme/legacy', '--json']);
    const updated = await bed.cli(['repo', 'update', 'acme/legacy'], { stdin: repo.token });
    const afterUpdate = bed.tokenSecrets();
    const removed = await bed.cli(['repo', 'remove', 'acme/legacy']);

    // Assess
    expect(synced.code).toBe(0);
    expect(synced.json<{ outcome: string }>().outcome).toBe('synced');
    expect(updated.code).toBe(0);
    expect(afterUpdate).toEqual({ [legacyName]: repo.token });
    expect(removed.code).toBe(0);
    expect(bed.tokenSecrets()).toEqual({});
  });
});
