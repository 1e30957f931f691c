/**
 * A `.hubignore` committed as a symbolic link (or a submodule) is no regular file (issue 17, item 5): both
 * transports treat it as absent, so they select the same models, and the run says the file was not applied.
 * Before, the REST path failed for ever (SourceEntryNotAFileError) and the git path dropped it silently.
 */
import { DEFAULT_MODEL_PATTERN } from '../../../../../shared/models/model-selection';
import { syncRepository, type SyncOptions } from '../../../../../shared/domain/sync/sync-repository';
import { verifyRepository } from '../../../../../shared/domain/sync/verify-repository';
import { expectReplicated, newWorld, type World } from '../../../../support/in-memory/sync-world';

const target = (world: World) => ({ uuid: world.repo.uuid, fullName: world.repo.fullName, modelPattern: DEFAULT_MODEL_PATTERN });

async function run(world: World, options: Partial<SyncOptions> & { git: boolean; verify?: boolean }) {
  const { git, verify, ...rest } = options;
  return (verify ? verifyRepository : syncRepository)(
    target(world),
    { remainingTimeMs: () => 600_000, concurrency: 2, gitMinChangedModels: 100, ...rest },
    { source: world.repo.source({ git }), models: world.models, state: world.state },
  );
}

const stored = async (world: World) => (await world.models.listModels(world.repo.uuid)).map((record) => record.path).sort();
const NOTICE = /^\.hubignore is a symbolic link, not a file: not applied/;

describe.each([
  { transport: 'rest', git: false },
  { transport: 'git', git: true },
])('a .hubignore that is a symbolic link, read over $transport', ({ transport, git }) => {
  it('is treated as absent by a full sync, which says so', async () => {
    const world = newWorld();
    await world.repo.commit({
      'rules.txt': 'drafts/\n',
      '.hubignore': { symlink: 'rules.txt' },
      'a.hck.json': '{"modelName":"A"}',
      'drafts/b.hck.json': '{"modelName":"B"}',
    });

    const report = await run(world, { git });

    expect(report).toMatchObject({ outcome: 'synced', mode: 'full', transport, hubignoreNotice: expect.stringMatching(NOTICE) });
    expect(await stored(world)).toEqual(['a.hck.json', 'drafts/b.hck.json']);
    await expectReplicated(world);
  });

  it('replacing a regular .hubignore in a push re-selects as if it were deleted, and a verification agrees', async () => {
    const world = newWorld();
    await world.repo.commit({ '.hubignore': 'drafts/\n', 'a.hck.json': '{"modelName":"A"}', 'drafts/b.hck.json': '{"modelName":"B"}' });
    expect(await run(world, { git })).toMatchObject({ outcome: 'synced', counts: { added: 1 } });
    expect(await stored(world)).toEqual(['a.hck.json']);

    await world.repo.commit({ 'rules.txt': 'drafts/\n', '.hubignore': { symlink: 'rules.txt' } });
    const report = await run(world, { git });

    expect(report).toMatchObject({ outcome: 'synced', mode: 'reselect', transport, counts: { added: 1 } });
    expect(report.hubignoreNotice).toMatch(NOTICE);
    expect(await stored(world)).toEqual(['a.hck.json', 'drafts/b.hck.json']);
    await expectReplicated(world);
    expect((await run(world, { git, verify: true })).verification).toMatchObject({ status: 'no-drift', models: 2 });
  });
});

describe('a regular .hubignore', () => {
  it('is applied without a notice on both transports', async () => {
    for (const git of [false, true]) {
      const world = newWorld();
      await world.repo.commit({ '.hubignore': 'drafts/\n', 'a.hck.json': '{}', 'drafts/b.hck.json': '{}' });
      const report = await run(world, { git });
      expect(report).toMatchObject({ outcome: 'synced', counts: { added: 1 } });
      expect(report.hubignoreNotice).toBeUndefined();
    }
  });
});
