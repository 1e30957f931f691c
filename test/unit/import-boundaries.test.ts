// Keeps the layering one-way: the deployed code (shared/, functions/, infra/) never loads the admin CLI, the local
// runtime or the benchmarks, which are applications built on it.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..');
const GUARDED = ['shared', 'functions', 'infra'];
const FORBIDDEN = ['cli', 'local', 'bench'];
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

/** The top-level folder a relative import of `file` lands in, or undefined for a package import. */
function targetFolder(file: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  return relative(ROOT, resolve(dirname(file), specifier)).split(/[\\/]/)[0];
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

  it.each(GUARDED)('no file under %s/ imports from cli/, local/ or bench/', (folder) => {
    const files = sourceFiles(join(ROOT, folder));
    const offending = files.flatMap((file) =>
      importSpecifiers(readFileSync(file, 'utf8'))
        .filter((specifier) => FORBIDDEN.includes(targetFolder(file, specifier) ?? ''))
        .map((specifier) => `${relative(ROOT, file)} imports ${specifier}`),
    );

    expect(files.length).toBeGreaterThan(0);
    expect(offending).toEqual([]);
  });
});
