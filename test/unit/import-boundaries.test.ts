// Keeps the layering one-way: the deployed code (shared/, functions/, infra/) never loads the admin CLI, the local
// runtime or the benchmarks, which are applications built on it; the domain owns its ports and never loads the
// adapters that implement them (nor the AWS SDK); the model codec stands on its own; the benchmarks build on the
// local runtime, not on the tests.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');

/** Files under `from` may not import a path under any of `forbidden` (folders from the root, or package prefixes). */
interface Boundary {
  from: string;
  forbidden: string[];
}
const APPLICATIONS = ['cli', 'local', 'bench'];
const BOUNDARIES: Boundary[] = [
  { from: 'shared', forbidden: APPLICATIONS },
  { from: 'functions', forbidden: APPLICATIONS },
  { from: 'infra', forbidden: APPLICATIONS },
  // The typed client ships to consumers: the SDK's signer and the read contract's types, nothing of the hub's insides.
  { from: 'client', forbidden: [...APPLICATIONS, 'functions', 'infra', 'shared/aws', 'shared/bitbucket', 'shared/git', '@aws-sdk/'] },
  { from: 'shared/domain', forbidden: ['shared/aws', 'shared/bitbucket', 'shared/git', '@aws-sdk/'] },
  { from: 'shared/models', forbidden: ['shared/domain'] },
  { from: 'bench', forbidden: ['test'] },
];
// `from '…'` (import and export), `import('…')` (type imports too), `require('…')` and bare `import '…'`.
const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*|\brequire\s*\(\s*|^\s*import\s+)(['"])([^'"]+)\1/gm;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' ? [] : sourceFiles(path);
    return /\.[cm]?[jt]s$/.test(entry.name) && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** The module specifiers of a source text, as written. */
function importSpecifiers(text: string): string[] {
  return [...text.matchAll(SPECIFIER)].map((match) => match[2]!);
}

/** Where an import of `file` lands: a path from the root (`shared/aws/x`) for a relative import, else the package. */
function importTarget(file: string, specifier: string): string {
  if (!specifier.startsWith('.')) return specifier;
  return relative(ROOT, resolve(dirname(file), specifier))
    .split(sep)
    .join('/');
}

/** Whether `target` is `prefix` or lies under it; a prefix ending in `/` (a package scope) matches by its start. */
function isUnder(target: string, prefix: string): boolean {
  return prefix.endsWith('/') ? target.startsWith(prefix) : target === prefix || target.startsWith(`${prefix}/`);
}

/** The imports of the files under `boundary.from` that cross it, as `file imports specifier`. */
function crossings(boundary: Boundary): string[] {
  return sourceFiles(join(ROOT, boundary.from)).flatMap((file) =>
    importSpecifiers(readFileSync(file, 'utf8'))
      .filter((specifier) => boundary.forbidden.some((prefix) => isUnder(importTarget(file, specifier), prefix)))
      .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
  );
}

describe('import boundaries', () => {
  it('finds every kind of import it is meant to catch', () => {
    const text = [
      "import { a } from '../cli/x';",
      'export { b } from "../../local/runtime";',
      "const c = require('../bench/run');",
      "const d = await import('./e');",
      "import './side-effect';",
    ].join('\n');

    expect(importSpecifiers(text)).toEqual(['../cli/x', '../../local/runtime', '../bench/run', './e', './side-effect']);
  });

  it('tells a folder and a package scope from look-alike names', () => {
    expect(isUnder('shared/aws/sqs-sync-queue', 'shared/aws')).toBe(true);
    expect(isUnder('shared/aws', 'shared/aws')).toBe(true);
    expect(isUnder('shared/aws-extra/x', 'shared/aws')).toBe(false);
    expect(isUnder('@aws-sdk/client-sqs', '@aws-sdk/')).toBe(true);
    expect(isUnder('@aws-lambda-powertools/logger', '@aws-sdk/')).toBe(false);
    expect(importTarget(join(ROOT, 'shared/domain/sync/x.ts'), '../../aws/y')).toBe('shared/aws/y');
  });

  it.each(BOUNDARIES)('no file under $from/ imports from $forbidden', (boundary) => {
    expect(sourceFiles(join(ROOT, boundary.from)).length).toBeGreaterThan(0);
    expect(crossings(boundary)).toEqual([]);
  });
});
