import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

describe('sync --from a commit Bitbucket does not have (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/from-missing');
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}' });
    expect((await bed.cli(['repo', 'add', 'acme/from-missing'], { stdin: repo.token })).code).toBe(0);
    await repo.commit({ 'b.hck.json': '{"modelName":"B"}' });
  });
  afterAll(async () => {
    await bed.close();
  });

  it('says that it ran a full sync instead, and why', async () => {
    // Act
    const run = await bed.cli(['sync', 'acme/from-missing', '--from', '0123456789abcdef0123456789abcdef01234567', '--json']);

    // Assess
    expect(run.code).toBe(0);
    expect(run.json()).toMatchObject({ outcome: 'synced', mode: 'full' });
    expect(run.stderr).toMatch(/No diff from 0123456 \(.+\): a full sync ran instead, reading every model of main\./);
  });
});
