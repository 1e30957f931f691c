/**
 * `npm run build:cli`: the admin CLI as one JavaScript file, so a command starts without compiling TypeScript and
 * the CLI installs without this repository. Writes dist/cli/ as a package of its own (`model-hub-sync-cli`) whose
 * bundle already holds every library the CLI uses, so its package.json needs no dependencies: `npm pack ./dist/cli`
 * (or `npm run pack:cli`) gives the tarball an operator installs with `npm i -g`.
 */
import { build, type Metafile } from 'esbuild';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const ENTRY = 'model-hub';
const BUNDLE = `${ENTRY}.mjs`;

interface RootPackage {
  name: string;
  version: string;
  description: string;
  license: string;
  engines: { node: string };
}

/** The lowest Node.js major the project supports (engines "node": ">=20.18" → 20), the bundle's syntax target. */
export function nodeTarget(engines: string): string {
  const major = /(\d+)/.exec(engines)?.[1];
  if (!major) throw new Error(`package.json engines.node has no version: ${JSON.stringify(engines)}`);
  return `node${major}`;
}

/** The package.json of the CLI package: the root's identity, the bundle as its only file, and no dependencies. */
export function cliPackageJson(root: RootPackage): Record<string, unknown> {
  return {
    name: `${root.name}-cli`,
    version: root.version,
    description: `The model-hub admin command line of ${root.name}: administers a deployed stack (--stack) or a local hub.`,
    license: root.license,
    engines: root.engines,
    bin: { 'model-hub': BUNDLE },
    files: [BUNDLE, 'chunks/'],
  };
}

/**
 * Writes the CLI package into `outDir` (emptied first): the entry `model-hub.mjs`, its lazily loaded chunks and
 * package.json. Returns esbuild's account of what went into which file.
 */
export async function buildCli(outDir: string): Promise<Metafile> {
  const root = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as RootPackage;
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { [ENTRY]: join(ROOT, 'bin', 'hub.ts') },
    bundle: true,
    platform: 'node',
    // ES modules split at each dynamic import: `--help`, `--version` and usage errors load the entry chunk only;
    // the AWS SDK and the HTTP client load when a command reaches a hub.
    format: 'esm',
    // ES module builds first (the AWS SDK ships both): their exports are known when bundling, so `await import()`
    // of a client gets its named exports.
    mainFields: ['module', 'main'],
    splitting: true,
    outdir: outDir,
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    target: nodeTarget(root.engines.node),
    minify: true,
    // Class and function names stay readable in the stack trace of an unexpected error.
    keepNames: true,
    // The libraries' license notices travel with the code that bundles them.
    legalComments: 'eof',
    // Bundled CommonJS libraries call require() for Node's own modules; an ES module has no require of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    metafile: true,
    logLevel: 'warning',
  });
  // The entry's `#!/usr/bin/env -S npx tsx` is for running the TypeScript; the bundle runs on plain Node.js.
  const entry = join(outDir, BUNDLE);
  writeFileSync(entry, `#!/usr/bin/env node\n${readFileSync(entry, 'utf8').replace(/^#![^\n]*\n/, '')}`);
  chmodSync(entry, 0o755);
  writeFileSync(join(outDir, 'package.json'), `${JSON.stringify(cliPackageJson(root), null, 2)}\n`);
  return result.metafile;
}

async function main(): Promise<void> {
  const metafile = await buildCli(join(ROOT, 'dist', 'cli'));
  // What went into which chunk, for a look with esbuild's analyzer (outside the package folder: not shipped).
  writeFileSync(join(ROOT, 'dist', 'cli-meta.json'), JSON.stringify(metafile));
  process.stdout.write(`Wrote dist/cli: ${BUNDLE}, its chunks and package.json; \`npm pack ./dist/cli\` packs it.\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`build-cli: ${(error as Error).message}\n`);
    process.exit(1);
  });
}
