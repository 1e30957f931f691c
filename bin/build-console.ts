/**
 * `npm run build:console`: the admin console (console/) as static files in dist/console/ — index.html, one
 * JavaScript bundle and one style sheet, every library inside (no CDN, no third-party origin at run time, no inline
 * script, so the console runs under `default-src 'self'`). `npm start` serves that folder at /console/ and the
 * stack deploys it; both build it when it is missing or older than its sources (`ensureConsoleBuilt`).
 */
import { build, type Metafile } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const ROOT = resolve(__dirname, '..');
export const CONSOLE_SOURCE = join(ROOT, 'console');
export const CONSOLE_OUT = join(ROOT, 'dist', 'console');

/** Builds the console into `outDir` (emptied first); returns esbuild's account of the bundle. */
export async function buildConsole(outDir: string = CONSOLE_OUT): Promise<Metafile> {
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const result = await build({
    entryPoints: { app: join(CONSOLE_SOURCE, 'main.tsx') },
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'es2022',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    minify: true,
    legalComments: 'linked',
    outdir: outDir,
    metafile: true,
    logLevel: 'warning',
  });
  copyFileSync(join(CONSOLE_SOURCE, 'index.html'), join(outDir, 'index.html'));
  return result.metafile;
}

/** Newest modification time of the files under `dir` (0 when it does not exist). */
function newestChange(dir: string): number {
  if (!existsSync(dir)) return 0;
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).reduce(
    (newest, file) => Math.max(newest, statSync(join(dir, file)).mtimeMs),
    0,
  );
}

/** Builds the console unless dist/console is newer than every source of it (console/ and the API types). */
export async function ensureConsoleBuilt(outDir: string = CONSOLE_OUT): Promise<void> {
  const built = existsSync(join(outDir, 'app.js')) ? statSync(join(outDir, 'app.js')).mtimeMs : 0;
  const sources = Math.max(newestChange(CONSOLE_SOURCE), newestChange(join(ROOT, 'shared', 'admin')));
  if (built < sources) await buildConsole(outDir);
}

/** The bundle's files with their raw and gzip sizes, for the build's summary line. */
export function bundleSizes(outDir: string = CONSOLE_OUT): Array<{ file: string; bytes: number; gzipBytes: number }> {
  return readdirSync(outDir)
    .filter((file) => /\.(js|css|html)$/.test(file))
    .sort()
    .map((file) => {
      const bytes = readFileSync(join(outDir, file));
      return { file, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
    });
}

if (require.main === module) {
  buildConsole()
    .then(() => {
      for (const { file, bytes, gzipBytes } of bundleSizes()) {
        process.stdout.write(`dist/console/${file.padEnd(12)} ${String(bytes).padStart(8)} B  ${String(gzipBytes).padStart(7)} B gzip\n`);
      }
    })
    .catch((error: unknown) => {
      process.stderr.write(`build:console: ${(error as Error).message}\n`);
      process.exit(1);
    });
}
