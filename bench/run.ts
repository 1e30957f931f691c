/**
 * `npm run bench`: measures the hub against the Bitbucket Cloud simulator (with an injected round-trip latency),
 * dynalite and local-aws-sqs, prints a table and writes the regenerated document (with the machine and the date) to
 * .bench/BENCHMARKS.md; docs/BENCHMARKS.md is rewritten only with `--write-docs`.
 *
 * Every figure is a ratio against a floor measured or computed on the same machine, so it holds on a noisy one,
 * and each is the median of several runs with min and max (settings in ./settings.ts). This file only runs the
 * sections and writes the result; each section lives in its own file, the arguments in ./arguments.ts
 * (`npm run bench -- --help`). Arguments name the sections to run (`npm run bench -- verifier bundles`); without
 * any, all run. A partial run replaces only its sections' rows of docs/BENCHMARKS.md and says so there.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { startBitbucketSimulator } from '../local/bitbucket-simulator';
import { startLocalHub } from '../local/runtime';
import { documentPaths, helpText, parseArguments, SECTIONS, TRACKED_DOCUMENT, UNTRACKED_DOCUMENT, type SectionName } from './arguments';
import { benchBoundedMemory } from './bounded-memory-benchmarks';
import { benchHubignore, benchPathologicalModels } from './bounded-memory-models';
import { benchBundles } from './bundle-benchmarks';
import { benchModelDownload } from './download-benchmarks';
import { benchBulkGit, benchRestVersusGit } from './git-benchmarks';
import { benchSearch } from './search-benchmarks';
import { renderDocument, renderTable, rows, withSectionsReplaced } from './report';
import { FUNCTION_SETTINGS, log, ROOT, RTT_MS, AWS_RTT_MS } from './settings';
import { benchIncremental, benchOnePushInLargeRepository, benchStorage } from './sync-benchmarks';
import { benchVerification } from './verification-benchmarks';
import { benchVerifier } from './verifier-benchmarks';

async function main(): Promise<void> {
  const args = parseArguments(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(helpText());
    return;
  }
  const { sections, writeDocs } = args;
  const started = Date.now();
  const loadBefore = loadavg()[0]!;
  const simulator = await startBitbucketSimulator();
  // Every answer, REST and git, waits RTT_MS: the round trip to bitbucket.org from a Lambda in a nearby region.
  simulator.addFault({ kind: 'latency', delayMs: RTT_MS });
  const webhookSecret = randomUUID();
  const hub = await startLocalHub({
    webhookSecret,
    bitbucketApiUrl: simulator.apiUrl,
    worker: false,
    reconcileEverySeconds: 0,
    environment: FUNCTION_SETTINGS,
  });
  const bundleDir = mkdtempSync(join(tmpdir(), 'model-hub-bench-'));
  try {
    if (sections.has('verifier')) {
      await benchVerifier(hub, webhookSecret, AWS_RTT_MS);
      await benchVerifier(hub, webhookSecret, 0);
    }
    // The storage, git and bounded-memory sections run the worker bundle in a child process for its peak memory.
    const needsWorkerBundle = sections.has('storage') || sections.has('git') || sections.has('bounded-memory');
    const bundles = sections.has('bundles') || needsWorkerBundle ? await benchBundles(bundleDir, sections.has('bundles')) : {};
    if (sections.has('incremental')) await benchIncremental(simulator, hub);
    if (sections.has('large-repository')) await benchOnePushInLargeRepository(simulator, hub);
    if (sections.has('storage')) await benchStorage(simulator, hub, bundles.worker!);
    if (sections.has('git')) await benchBulkGit(simulator, hub, bundles.worker!);
    if (sections.has('threshold')) await benchRestVersusGit(simulator, hub);
    if (sections.has('verification')) await benchVerification(simulator, hub);
    if (sections.has('bounded-memory')) {
      await benchBoundedMemory(simulator, hub, bundles.worker!);
      await benchPathologicalModels(simulator, hub, bundles.worker!);
      await benchHubignore(simulator, hub, bundles.worker!);
    }
    if (sections.has('search')) await benchSearch(hub);
    if (sections.has('download')) await benchModelDownload(hub);
  } finally {
    await hub.close();
    await simulator.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  const table = renderTable(rows);
  process.stdout.write(`${table}\n(${load})\n`);
  const document = regenerated(sections, table, seconds, load);
  for (const path of documentPaths(writeDocs)) {
    mkdirSync(dirname(join(ROOT, path)), { recursive: true });
    writeFileSync(join(ROOT, path), document);
  }
  log(
    `wrote ${UNTRACKED_DOCUMENT}${writeDocs ? ` and ${TRACKED_DOCUMENT}` : ` (${TRACKED_DOCUMENT} is rewritten only with --write-docs)`} (${seconds} s)`,
  );
}

/** The whole document after a run of every section; after a partial run, the tracked one with those sections' rows replaced. */
function regenerated(sections: ReadonlySet<SectionName>, table: string, seconds: number, load: string): string {
  if (sections.size === Object.keys(SECTIONS).length) return renderDocument(table, seconds, load);
  return withSectionsReplaced(readFileSync(join(ROOT, TRACKED_DOCUMENT), 'utf8'), SECTIONS, sections, seconds, load);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
