import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { DynamoDbRepositoryStore } from '../../../../shared/aws/dynamodb-repository-store';
import type { RepositoryConfig } from '../../../../shared/domain/repository-config';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

/**
 * The admin commands on a repository renamed or transferred in Bitbucket with no push since (so the hub still
 * knows its old name): they address it by the uuids of workspace and repository that `repo add` stored.
 */
describe('CLI on a repository renamed or transferred in Bitbucket (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repositories: DynamoDbRepositoryStore;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repositories = new DynamoDbRepositoryStore({ tableName: bed.hub.standIns.env.REPOSITORIES_TABLE!, client: bed.hub.standIns.dynamodb });
  });
  afterAll(async () => {
    await bed.close();
  });

  const stored = async (repo: SimulatedRepository): Promise<RepositoryConfig> => {
    const config = await repositories.getRepository(repo.uuid);
    if (!config) throw new Error(`${repo.uuid} is not added`);
    return config;
  };
  const sync = async (name: string, ...flags: string[]) => (await bed.cli(['sync', name, ...flags, '--json'])).json<{ outcome: string }>();

  it('stores the workspace uuid at `repo add`, then syncs, re-signs, updates and removes the renamed and transferred repository', async () => {
    // Prepare: added with its webhook, then renamed in Bitbucket; no push tells the hub.
    const repo = await bed.simulator.createRepository('acme/first');
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}' });
    expect((await bed.cli(['repo', 'add', 'acme/first', '--create-webhook'], { stdin: repo.token })).code).toBe(0);
    expect(await stored(repo)).toMatchObject({ fullName: 'acme/first', workspaceUuid: repo.workspaceUuid });
    bed.simulator.renameRepository(repo, 'acme/second');

    // Act + Assess: an admin's full sync (over git, from the clone link Bitbucket gives now) records the name of now.
    expect(await sync('acme/first', '--full')).toMatchObject({ outcome: 'synced' });
    expect(await stored(repo)).toMatchObject({ fullName: 'acme/second', workspaceUuid: repo.workspaceUuid });
    // Rotating the secret re-signs the repository's webhook.
    const rotated = await bed.cli(['provider', 'rotate-secret', '--update-webhooks']);
    expect(rotated.stderr).toContain('acme/second: webhook secret updated');
    expect(repo.webhooks[0]?.secret).toBe(bed.webhookSecret().current);
    // Renamed again with no push and no sync since: `repo update` with a token finds it and records its name of now.
    bed.simulator.renameRepository(repo, 'acme/third');
    const updated = await bed.cli(['repo', 'update', 'acme/second'], { stdin: repo.token });
    expect(updated.code).toBe(0);
    expect(updated.stderr).toContain('acme/second is now called acme/third in Bitbucket.');
    expect(await stored(repo)).toMatchObject({ fullName: 'acme/third', workspaceUuid: repo.workspaceUuid });

    // Prepare: transferred to another workspace, which revokes the repository's token.
    bed.simulator.renameRepository(repo, 'beta/moved');

    // Act + Assess: a transfer changes the workspace's uuid as well, so the stored name is no help…
    const stale = await bed.cli(['repo', 'update', 'acme/third'], { stdin: repo.token });
    expect(stale.code).toBe(1);
    expect(stale.stderr).toContain('transferred to another workspace? Then name it as it is called now');
    // …but its name of now, read with the new token, is matched to the added repository by its uuid.
    const replaced = await bed.cli(['repo', 'update', 'beta/moved'], { stdin: repo.token });
    expect(replaced.code).toBe(0);
    expect(replaced.stderr).toContain('acme/third is now called beta/moved in Bitbucket.');
    expect(await stored(repo)).toMatchObject({ fullName: 'beta/moved', workspaceUuid: bed.simulator.workspaceUuid('beta') });
    // The worker caches tokens for minutes: a new container reads the new one at once.
    bed.hub.restartFunctions();
    await repo.commit({ 'b.hck.json': '{"modelName":"B"}' });
    // The commit's webhook delivery may have synced it already.
    expect(['synced', 'up-to-date']).toContain((await sync('beta/moved')).outcome);
    const models = (await bed.cli(['models', 'list', 'beta/moved', '--json'])).json<Array<{ path: string }>>();
    expect(models.map((model) => model.path)).toEqual(['a.hck.json', 'b.hck.json']);

    // Renamed once more with no push: `repo remove` still deletes its webhook in Bitbucket.
    bed.simulator.renameRepository(repo, 'beta/moved-again');
    const removed = await bed.cli(['repo', 'remove', 'beta/moved']);
    expect(removed.code).toBe(0);
    expect(removed.stderr).toContain('Deleted 1 hub webhook(s) of beta/moved in Bitbucket.');
    expect(repo.webhooks).toEqual([]);
  });

  it('syncs an older record without its workspace uuid by name, and the sync, `repo update` and `repo add` fill it in', async () => {
    // Prepare: stored as hubs before the workspace uuid were (once the initial sync is done: a sync fills it in).
    const repo = await bed.simulator.createRepository('acme/legacy');
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}' });
    expect((await bed.cli(['repo', 'add', 'acme/legacy'], { stdin: repo.token })).code).toBe(0);
    const { workspaceUuid: _dropped, ...legacy } = await stored(repo);
    await repositories.updateRepository(legacy);
    expect((await stored(repo)).workspaceUuid).toBeUndefined();

    // Act + Assess: synced by name; the repository object it read gives the workspace's uuid.
    bed.simulator.resetRequests();
    expect(await sync('acme/legacy', '--full')).toMatchObject({ outcome: 'synced' });
    const api = bed.simulator.requests.filter((request) => request.origin === 'api');
    expect(api.length).toBeGreaterThan(0);
    expect(api.every((request) => request.path.startsWith('/2.0/repositories/acme/legacy'))).toBe(true);
    expect(await stored(repo)).toMatchObject({ fullName: 'acme/legacy', workspaceUuid: repo.workspaceUuid });

    // `repo update` with a token fills it in.
    await repositories.updateRepository(legacy);
    expect((await bed.cli(['repo', 'update', 'acme/legacy'], { stdin: repo.token })).code).toBe(0);
    expect(await stored(repo)).toMatchObject({ fullName: 'acme/legacy', workspaceUuid: repo.workspaceUuid });
    // So does adding it again.
    await repositories.updateRepository(legacy);
    expect((await bed.cli(['repo', 'add', 'acme/legacy', '--no-wait'], { stdin: repo.token })).code).toBe(0);
    expect(await stored(repo)).toMatchObject({ workspaceUuid: repo.workspaceUuid });
  });
});
