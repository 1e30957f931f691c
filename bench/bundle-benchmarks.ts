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

/** The target infra/constructs/node-function.ts gives esbuild: the Lambda runtime, nodejs24.x. */
const TARGET = 'node24';

/** Builds the bundles (the storage section runs the worker's); `report` adds their sizes and imports to the table. */
export async function benchBundles(dir: string, report = true): Promise<Record<string, string>> {
  log(`bundles: esbuild (minified, ${TARGET} as on Lambda) and cold import in a fresh node`);
  const bundles: Record<string, string> = {};
  for (const name of ['verifier', 'worker', 'reconciler']) {
    const outfile = join(dir, `${name}.js`);
    await build({
      entryPoints: [join(ROOT, 'functions', name, 'handler.ts')],
      bundle: true,
      platform: 'node',
      target: TARGET,
      format: 'cjs',
      minify: true,
      outfile,
      logLevel: 'silent',
      legalComments: 'none',
    });
    bundles[name] = outfile;
    if (!report) continue;
    const times: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      // The import only: what a cold start pays before the handler's first line runs.
      const script = `const t=process.hrtime.bigint();require(${JSON.stringify(outfile)});process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      times.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    const baseline: number[] = [];
    for (let run = 0; run < RUNS + 2; run++) {
      const script = `const t=process.hrtime.bigint();require('node:crypto');process.stdout.write(String(Number(process.hrtime.bigint()-t)/1e6))`;
      baseline.push(Number((await execFileAsync(process.execPath, ['-e', script], { env: childEnv() })).stdout));
    }
    rows.push({
      section: 'Bundles',
      figure: `${name}: bundle size (${TARGET})`,
      value: kib(statSync(outfile).size),
      floor: `${kib(gzipSync(readFileSync(outfile)).length)} gzipped`,
      ratio: '',
    });
    rows.push({
      section: 'Bundles',
      figure: `${name}: cold import of the bundle`,
      value: show(stat(times), ' ms', 1),
      floor: `${show(stat(baseline), ' ms', 2)} require('node:crypto')`,
      ratio: '',
    });
  }
  return bundles;
}
