/**
 * The bundles section: each function's esbuild bundle as CDK builds it (its size, and the cold import a Lambda
 * start pays before the handler's first line). The worker's bundle is also what the peak-memory runs execute.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { build } from 'esbuild';
import { kib, rows, show, stat } from './report';
import { childEnv, execFileAsync, log, ROOT, RUNS } from './settings';

/** Builds the bundles (the storage section runs the worker's); `report` adds their sizes and imports to the table. */
export async function benchBundles(dir: string, report = true): Promise<Record<string, string>> {
  log('bundles: esbuild (minified, node20 here / node24 on Lambda) and cold import in a fresh node');
  const bundles: Record<string, string> = {};
  for (const name of ['verifier', 'worker', 'reconciler']) {
    const entry = join(ROOT, 'functions', name, 'handler.ts');
    const sizes: Record<string, number> = {};
    for (const target of ['node20', 'node24']) {
      const outfile = join(dir, `${name}-${target}.js`);
      await build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        target,
        format: 'cjs',
        minify: true,
        outfile,
        logLevel: 'silent',
        legalComments: 'none',
      });
      sizes[target] = statSync(outfile).size;
      if (target === 'node20') bundles[name] = outfile;
    }
    if (!report) continue;
    const code = readFileSync(bundles[name]!);
    const times: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      // The import only: what a cold start pays before the handler's first line runs.
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(bundles[name])});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      times.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    const baseline: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      const script = `const t=process.hrtime.bigint();require('node:crypto');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      baseline.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    const importStat = stat(times);
    rows.push({
      section: 'Bundles',
      figure: `${name}: bundle size (node24 build)`,
      value: `${kib(sizes.node20!)} (${kib(sizes.node24!)})`,
      floor: `${kib(gzipSync(code).length)} gzipped`,
      ratio: '',
    });
    rows.push({
      section: 'Bundles',
      figure: `${name}: cold import of the bundle`,
      value: show(importStat, ' ms', 1),
      floor: `${show(stat(baseline), ' ms', 2)} require('node:crypto')`,
      ratio: '',
    });
  }
  return bundles;
}
