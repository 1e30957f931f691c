// The lint rules that are house rules: the deployed folders (the console's too) keep functions short; the CLI, local runtime,
// benchmarks and tests are not held to it. ESLint's config is an ES module, so it is read in a child process.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const LIMITED = ['shared/domain/sync/x.ts', 'functions/worker/x.ts', 'infra/constructs/x.ts', 'console/x.ts', 'console/screens/x.tsx'];
const UNLIMITED = ['cli/x.ts', 'local/x.ts', 'bench/x.ts', 'test/unit/x.test.ts', 'test/console/x.test.tsx'];

/** The `max-lines-per-function` setting ESLint computes for each file (null when the rule is off for it). */
function functionLengthRules(files: readonly string[]): Record<string, unknown> {
  const script = `
    import { ESLint } from 'eslint';
    const eslint = new ESLint();
    const rules = {};
    for (const file of JSON.parse(process.argv[1])) {
      rules[file] = (await eslint.calculateConfigForFile(file)).rules?.['max-lines-per-function'] ?? null;
    }
    process.stdout.write(JSON.stringify(rules));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script, JSON.stringify(files)], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  return JSON.parse(output) as Record<string, unknown>;
}

describe('lint configuration', () => {
  const rules = functionLengthRules([...LIMITED, ...UNLIMITED]);

  it.each(LIMITED)('limits functions to 80 lines (blank lines and comments aside) in %s', (file) => {
    expect(rules[file]).toEqual([2, { max: 80, skipBlankLines: true, skipComments: true }]);
  });

  it.each(UNLIMITED)('does not limit function length in %s', (file) => {
    expect(rules[file]).toBeNull();
  });
});
