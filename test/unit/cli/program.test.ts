import { CommanderError } from 'commander';
import packageJson from '../../../package.json';
import type { CliDeps } from '../../../cli/deps';
import { buildProgram } from '../../../cli/program';

/** Runs the program in-process on `args`; resolves to what it printed and its exit code. */
async function run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const deps: CliDeps = {
    env: {},
    stdout: { write: (chunk) => out.push(String(chunk)) },
    stderr: { write: (chunk) => err.push(String(chunk)) },
    readStdin: async () => undefined,
  };
  let code = 0;
  try {
    await buildProgram(deps)
      .exitOverride()
      .configureOutput({ writeOut: (text) => out.push(text), writeErr: (text) => err.push(text) })
      .parseAsync(args, { from: 'user' });
  } catch (error) {
    if (!(error instanceof CommanderError)) throw error;
    code = error.exitCode;
  }
  return { code, stdout: out.join(''), stderr: err.join('') };
}

describe('model-hub global options', () => {
  it('prints the version of package.json with --version', async () => {
    const result = await run(['--version']);

    expect(result).toEqual({ code: 0, stdout: `${packageJson.version}\n`, stderr: '' });
  });

  it('documents which environment variable backs each global option', async () => {
    const { code, stdout } = await run(['--help']);

    expect(code).toBe(0);
    for (const [option, variable] of [
      ['--stack', 'MODEL_HUB_STACK'],
      ['--region', 'AWS_REGION'],
      ['--profile', 'AWS_PROFILE'],
      ['--data-dir', 'MODEL_HUB_DATA_DIR'],
      ['--bitbucket-api-url', 'BITBUCKET_API_URL'],
    ]) {
      expect(stdout).toMatch(new RegExp(`${option} <[a-z]+>[^]*?\\(env:\\s+${variable}\\)`));
    }
  });
});

describe('model-hub usage errors', () => {
  it.each([
    [['events', '--since', 'yesterday'], /option '--since <when>' argument 'yesterday' is invalid/],
    [['events', '--limit', '-3'], /option '--limit <n>' argument '-3' is invalid. expected a whole number ≥ 1/],
    [['sync', 'acme/x', '--timeout', 'soon'], /option '--timeout <seconds>' argument 'soon' is invalid/],
    [['repo', 'list', '--no-such-flag'], /unknown option '--no-such-flag'/],
  ])('exits 2 for %j, a value its option refuses as for any usage error', async (args, message) => {
    const result = await run(args);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});
