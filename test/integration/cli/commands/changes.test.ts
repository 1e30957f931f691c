/**
 * `changes` end to end: the local hub's worker syncs from the simulator, the local pipe delivers the change events
 * to the data dir, and the CLI shows them (as a table, as JSON, and following new ones).
 */
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import type { ModelChangedDetail } from '../../../../shared/domain/changes/change-records';
import type { ChangeListing } from '../../../../cli/commands/changes';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

describe('changes (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/changing-models');
    await repo.commit({ 'a.hck.json': '{"modelName":"A","dbVendor":"MongoDB"}', 'dir/b.hck.json': '{"modelName":"B"}' });
    expect((await bed.cli(['repo', 'add', 'acme/changing-models'], { stdin: repo.token })).code).toBe(0);
    expect((await bed.cli(['sync', 'acme/changing-models'])).code).toBe(0);
    await bed.hub.changeEvents!.drained();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('prints the delivered events as JSON, oldest first', async () => {
    const run = await bed.cli(['changes', '--json']);

    expect(run.code).toBe(0);
    const events = run.json<ChangeListing[]>();
    expect(events.map((event) => event['detail-type'])).toEqual(['Model Changed', 'Model Changed', 'Repository Synced']);
    expect(events[0]!.detail).toMatchObject({
      schemaVersion: 1,
      change: 'added',
      path: 'a.hck.json',
      modelName: 'A',
      vendor: 'MongoDB',
      repository: { uuid: repo.uuid, fullName: 'acme/changing-models' },
      commit: await repo.head(),
    });
  });

  it('prints a table, and with --follow the events of a later push as they are delivered', async () => {
    const table = await bed.cli(['changes']);
    let sleeps = 0;
    const follow = await bed.cli(['changes', '--follow'], {
      deps: {
        sleep: async () => {
          sleeps += 1;
          if (sleeps === 1) {
            await repo.commit({ 'a.hck.json': '{"modelName":"A2"}' });
            expect((await bed.cli(['sync', 'acme/changing-models'])).code).toBe(0);
            await bed.hub.changeEvents!.drained();
            return;
          }
          throw new Error('followed long enough (test)');
        },
      },
    });

    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/COMMITTED\s+TYPE\s+REPOSITORY\s+CHANGE\s+COMMIT/);
    expect(table.stdout).toMatch(/Model Changed\s+acme\/changing-models\s+added dir\/b\.hck\.json/);
    expect(table.stdout).toMatch(/Repository Synced\s+acme\/changing-models\s+synced \(full, git\): \+2 ~0 -0 →0/);
    expect(follow.stderr).toMatch(/followed long enough/);
    const lines = follow.stdout.trim().split('\n');
    expect(lines.slice(0, 3).join('\n')).toMatch(/added a\.hck\.json[\s\S]*added dir\/b\.hck\.json[\s\S]*synced/);
    expect(lines.slice(3)).toEqual([
      expect.stringMatching(/Model Changed {2}acme\/changing-models {2}modified a\.hck\.json/),
      expect.stringMatching(/Repository Synced/),
    ]);
  });

  it('keeps the events in the data dir as JSON lines', async () => {
    const events = (await bed.cli(['changes', '--json'])).json<ChangeListing[]>();
    const modified = events.find((event) => (event.detail as ModelChangedDetail).change === 'modified');

    expect(modified?.detail).toMatchObject({ path: 'a.hck.json', modelName: 'A2', previous: { modelName: 'A' } });
  });
});
