import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Metafile } from 'esbuild';
import { buildConsole, bundleSizes, ensureConsoleBuilt } from '../../../bin/build-console';

describe('the console build (npm run build:console)', () => {
  let out: string;
  let metafile: Metafile;

  beforeAll(async () => {
    out = mkdtempSync(join(tmpdir(), 'model-hub-console-build-'));
    metafile = await buildConsole(out);
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('is a page, one script and one style sheet, with every library inside', () => {
    expect(readdirSync(out).sort()).toEqual(['app.css', 'app.js', 'index.html']);
    const inputs = Object.keys(Object.values(metafile.outputs).find((output) => output.entryPoint)!.inputs);
    expect(inputs.some((input) => input.startsWith('node_modules/preact/'))).toBe(true);
    expect(inputs.filter((input) => !input.startsWith('console/') && !input.startsWith('node_modules/preact/'))).toEqual([
      'shared/admin/api-types.ts',
    ]);
  });

  it('runs under default-src self: no inline script or style, nothing from another origin', () => {
    const page = readFileSync(join(out, 'index.html'), 'utf8');
    const scripts = [...page.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];

    expect(scripts.map((script) => script[1]!.trim())).toEqual(['type="module" src="app.js"']);
    expect(scripts.every((script) => script[2]!.trim() === '')).toBe(true);
    expect(page).not.toMatch(/<style|\sstyle=|\son[a-z]+=/i);
    expect(page).not.toMatch(/(src|href)="(https?:)?\/\//);
    // Only XML namespace names (never fetched) are absolute URLs in the bundle.
    const urls = new Set(readFileSync(join(out, 'app.js'), 'utf8').match(/https?:\/\/[^"'\s)]+/g) ?? []);
    expect([...urls].filter((url) => !url.startsWith('http://www.w3.org/'))).toEqual([]);
  });

  it('reports raw and gzip sizes, the bundle small enough for a first load over a slow link', () => {
    const sizes = bundleSizes(out);
    const script = sizes.find((size) => size.file === 'app.js')!;

    expect(sizes.map((size) => size.file)).toEqual(['app.css', 'app.js', 'index.html']);
    expect(script.gzipBytes).toBeLessThan(script.bytes);
    expect(script.gzipBytes).toBeLessThan(40_000);
  });

  it('builds again only when a source is newer than the bundle', async () => {
    const built = join(out, 'app.js');
    const later = new Date(Date.now() + 3_600_000);
    utimesSync(built, later, later);

    await ensureConsoleBuilt(out);
    expect(statSync(built).mtime.getTime()).toBe(later.getTime());

    utimesSync(built, new Date(0), new Date(0));
    await ensureConsoleBuilt(out);
    expect(statSync(built).mtime.getTime()).toBeGreaterThan(0);
  });
});
