import { spawn, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { DynamoDbRepositoryStore } from '../../../shared/aws/dynamodb-repository-store';
import { eventually, startCliTestBed, type CliTestBed } from './cli-harness';

const ROOT = join(__dirname, '..', '..', '..');

/**
 * The interactive path for real: `bin/hub.ts` on a pseudo-terminal (util-linux `script`), its multi-select driven
 * by keystrokes as an admin would type them. Skipped where `script` is missing.
 */
const hasScript = spawnSync('script', ['--version']).status === 0;
const describeIfScript = hasScript ? describe : describe.skip;

describeIfScript('repo add <workspace> on a terminal: the multi-select (pseudo-terminal)', () => {
  let bed: CliTestBed;

  beforeAll(async () => {
    bed = await startCliTestBed();
  });
  afterAll(async () => {
    await bed.close();
  });

  it('offers the readable repositories, the added one disabled, and adds the ticked one only', async () => {
    // Prepare: three repositories of one workspace, the first already added.
    for (const slug of ['alpha', 'beta', 'gamma']) {
      const repo = await bed.simulator.createRepository(`acme/${slug}`);
      await repo.commit({ 'a.hck.json': `{"modelName":"${slug}"}` });
    }
    const token = bed.simulator.createWorkspaceToken('acme');
    expect((await bed.cli(['repo', 'add', 'acme/alpha', '--no-wait'], { stdin: token.token })).code).toBe(0);

    // Act: space ticks the first selectable line (beta), enter confirms.
    const command = `${join(ROOT, 'node_modules', '.bin', 'tsx')} ${join(ROOT, 'bin', 'hub.ts')} repo add acme --no-wait`;
    const child = spawn('script', ['-qefc', command, '/dev/null'], {
      cwd: ROOT,
      env: {
        ...process.env,
        MODEL_HUB_DATA_DIR: bed.dataDir,
        BITBUCKET_API_URL: bed.simulator.apiUrl,
        BITBUCKET_ACCESS_TOKEN: token.token,
        TERM: 'xterm',
        NO_COLOR: '1',
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let screen = '';
    child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString('utf8')));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    await eventually(
      'the multi-select',
      async () => screen.includes('Repositories of acme to add') && screen.includes('acme/gamma'),
      60_000,
    );
    child.stdin.write(' ');
    await eventually('beta ticked', async () => /◉ acme\/beta|\[x\] acme\/beta/.test(screen), 10_000);
    child.stdin.write('\r');
    const code = await exited;

    // Assess
    const text = screen.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, ''); // eslint-disable-line no-control-regex
    expect(code).toBe(0);
    expect(text).toMatch(/acme\/alpha.*already added/);
    expect(text).toContain('[1/1] acme/beta');
    expect(text).toContain('Summary for acme: 1 added, 0 already added, 0 failed.');
    const store = new DynamoDbRepositoryStore({ tableName: bed.hub.standIns.env.REPOSITORIES_TABLE!, client: bed.hub.standIns.dynamodb });
    expect((await store.listRepositories()).map((repository) => repository.fullName)).toEqual(['acme/alpha', 'acme/beta']);
    expect(text).not.toContain(token.token);
  });
});
