// The project develops, tests and runs its CLI on the Node.js major its Lambda functions run: one major, named
// the same everywhere it is declared, and the Node.js running this very test (npm ci installs it into node_modules).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { requiredNode, unsupportedNodeReason } from '../support/node-version';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const packageJson = JSON.parse(read('package.json')) as {
  engines: { node: string };
  devDependencies: Record<string, string>;
  allowScripts: Record<string, boolean>;
};
const majorOf = (version: string) => Number(/(\d+)/.exec(version)?.[1]);

describe('the Node.js toolchain', () => {
  const lambdaMajor = Number(/Runtime\.NODEJS_(\d+)_X/.exec(read('infra/constructs/node-function.ts'))?.[1]);

  test('is the Lambda runtime major in .nvmrc, engines, the node package, @types/node and the esbuild target', () => {
    expect(lambdaMajor).toBeGreaterThanOrEqual(24);
    expect(read('infra/constructs/node-function.ts')).toContain(`target: 'node${lambdaMajor}'`);
    expect(majorOf(read('.nvmrc'))).toBe(lambdaMajor);
    expect(requiredNode()[0]).toBe(lambdaMajor);
    expect(majorOf(packageJson.devDependencies.node!)).toBe(lambdaMajor);
    expect(majorOf(packageJson.devDependencies['@types/node']!)).toBe(lambdaMajor);
    // Its install script fetches the platform's binary from the registry: allowed on purpose (docs/DEPLOY.md).
    expect(packageJson.allowScripts.node).toBe(true);
  });

  test(`runs this test (${process.version}, ${process.execPath})`, () => {
    expect(majorOf(process.versions.node)).toBe(lambdaMajor);
    expect(unsupportedNodeReason(process.versions.node)).toBeUndefined();
  });

  test('refuses an older Node.js, saying which one is needed and how to run the tests', () => {
    const [major, minor] = requiredNode();
    expect(unsupportedNodeReason('20.20.2')).toMatch(new RegExp(`needs Node\\.js >= ${major}\\.${minor} .* this is Node\\.js 20\\.20\\.2`));
    expect(unsupportedNodeReason('20.20.2')).toMatch(/\nnext: .*npm test/);
    expect(unsupportedNodeReason(`${major}.${minor - 1}.9`)).toBeDefined();
    expect(unsupportedNodeReason(`${major}.${minor}.0`)).toBeUndefined();
    expect(unsupportedNodeReason(`${major + 2}.0.0`)).toBeUndefined();
  });

  test('leaves the AWS SDK its warning about Node.js versions it will stop supporting', () => {
    const sources = ['bin', 'bench', 'cli', 'functions', 'infra', 'local', 'shared', 'test/support'].flatMap((dir) =>
      readdirSync(join(ROOT, dir), { recursive: true, encoding: 'utf8' })
        .filter((file) => /\.[jt]s$/.test(file))
        .map((file) => join(dir, file)),
    );
    expect(sources.length).toBeGreaterThan(100);
    const silencing = sources.filter((file) => /AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED|SUPPRESS_MAINTENANCE/.test(read(file)));
    expect(silencing).toEqual([]);
  });
});
