import { execFile, execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { buildCli } from '../../../bin/build-cli';
import { startLocalHub } from '../../../local/runtime';
import rootPackage from '../../../package.json';

/** Libraries only a command that reaches a hub needs; loading them is most of what a start costs. */
const LOADED_ON_DEMAND = ['@aws-sdk/', '@smithy/', '@aws-lambda-powertools/', 'undici/', '@inquirer/'];

describe('the packed CLI (npm run build:cli, npm pack ./dist/cli, npm i -g)', () => {
  let work: string;
  let metafile: Metafile;
  let installed: string;

  /** Runs the installed `model-hub` from a folder outside the repository, with no AWS configuration. */
  const modelHub = (args: string[]) =>
    spawnSync(installed, args, {
      cwd: work,
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: work, AWS_EC2_METADATA_DISABLED: 'true' },
    });

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'model-hub-pack-'));
    return buildCli(join(work, 'package')).then((built) => {
      metafile = built;
      const npm = (args: string[]) =>
        execFileSync('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], { cwd: work, encoding: 'utf8' });
      const tarball = npm(['pack', './package']).trim().split('\n').pop()!;
      npm(['install', '--global', '--offline', '--prefix', join(work, 'global'), `./${tarball}`]);
      installed = join(work, 'global', 'bin', 'model-hub');
    });
  }, 120_000);
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('is a package of its own with no dependencies: the bundle holds every library', () => {
    // Act
    const manifest = JSON.parse(readFileSync(join(work, 'package', 'package.json'), 'utf8')) as Record<string, unknown>;

    // Assess
    expect(manifest).toMatchObject({ name: 'model-hub-sync-cli', version: rootPackage.version, bin: { 'model-hub': 'model-hub.mjs' } });
    expect(manifest.dependencies).toBeUndefined();
    expect(readdirSync(join(work, 'global', 'lib', 'node_modules'))).toEqual(['model-hub-sync-cli']);
  });

  it('starts with commander and its own code only; the AWS SDK, HTTP client and picker load when used', () => {
    // Arrange
    const entry = Object.entries(metafile.outputs).find(([path]) => path.endsWith('model-hub.mjs'))![1];

    // Act
    const eager = Object.keys(entry.inputs).filter((input) =>
      LOADED_ON_DEMAND.some((library) => input.includes(`node_modules/${library}`)),
    );

    // Assess
    expect(eager).toEqual([]);
    expect(Object.keys(entry.inputs).some((input) => input.includes('node_modules/commander/'))).toBe(true);
  });

  it('answers --version and --help installed, outside the repository', () => {
    // Act
    const version = modelHub(['--version']);
    const help = modelHub(['--help']);

    // Assess
    expect(version).toMatchObject({ status: 0, stdout: `${rootPackage.version}\n`, stderr: '' });
    expect(help.status).toBe(0);
    expect(help.stdout).toMatch(/^Usage: model-hub \[options\] \[command\]/);
    expect(help.stdout).toContain('--stack <name>');
  });

  it('loads the AWS SDK for a --stack command and fails cleanly without AWS credentials', () => {
    // Act
    const run = modelHub(['--stack', 'ModelHubSync', '--region', 'eu-west-1', 'repo', 'list']);

    // Assess
    expect(run.status).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: no AWS credentials/);
    expect(run.stderr).toMatch(/\nnext: configure credentials/);
    expect(run.stderr).not.toMatch(/at .*\.mjs/);
  });

  it('administers a local hub: the adapters load from the installed chunks', async () => {
    // Arrange
    const dataDir = join(work, 'hub');
    const hub = await startLocalHub({ dataDir, worker: false, reconcileEverySeconds: 0, verifyEverySeconds: 0 });

    // Act: asynchronously, so this process's hub keeps answering while the CLI runs
    const run = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
      execFile(
        installed,
        ['--data-dir', dataDir, 'repo', 'list', '--json'],
        { cwd: work, env: { PATH: process.env.PATH } },
        (error, stdout, stderr) => resolve({ code: error ? Number(error.code) : 0, stdout, stderr }),
      ),
    ).finally(() => hub.close());

    // Assess
    expect(run).toEqual({ code: 0, stdout: '[]\n', stderr: '' });
  });
});
