/**
 * `npm run bench`: measures the hub against the Bitbucket Cloud simulator (with an injected round-trip latency),
 * dynalite and local-aws-sqs, prints a table and writes docs/BENCHMARKS.md with the machine and the date.
 *
 * Every figure is a ratio against a floor measured or computed on the same machine, so it holds on a noisy one,
 * and each is the median of several runs with min and max (settings in ./settings.ts). This file only picks the
 * sections and writes the result; each section lives in its own file.
 * Arguments name the sections to run (`npm run bench -- verifier bundles`); without any, all run. A partial run
 * replaces only its sections' rows in docs/BENCHMARKS.md and says so there.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBitbucketSimulator } from '../local/bitbucket-simulator';
import { startLocalHub } from '../local/runtime';
import { benchBoundedMemory } from './bounded-memory-benchmarks';
import { benchHubignore, benchPathologicalModels } from './bounded-memory-models';
import { benchBundles } from './bundle-benchmarks';
import { benchBulkGit, benchRestVersusGit } from './git-benchmarks';
import { renderDocument, renderTable, rows, withSectionsReplaced } from './report';
import { FUNCTION_SETTINGS, log, ROOT, RTT_MS, AWS_RTT_MS } from './settings';
import { benchIncremental, benchOnePushInLargeRepository, benchStorage } from './sync-benchmarks';
import { benchVerification } from './verification-benchmarks';
import { benchVerifier } from './verifier-benchmarks';

/** The sections, in the order they run and appear; each name is also its command-line argument. */
const SECTIONS = {
  verifier: 'Verifier',
  bundles: 'Bundles',
  incremental: 'Incremental sync',
  'large-repository': '1 push into 2,000 models',
  storage: 'Storage',
  git: 'Bulk sync over git',
  threshold: 'REST vs git by changed models',
  verification: 'Verification',
  'bounded-memory': 'Bounded memory',
} as const;
type SectionName = keyof typeof SECTIONS;

/** The sections named on the command line (all when none is), or an error naming the valid ones. */
function selectedSections(args: readonly string[]): ReadonlySet<SectionName> {
  const names = Object.keys(SECTIONS) as SectionName[];
  const unknown = args.filter((arg) => !names.includes(arg as SectionName));
  if (unknown.length > 0) throw new Error(`unknown bench section(s) ${unknown.join(', ')}; choose from: ${names.join(', ')}`);
  return new Set(args.length > 0 ? (args as SectionName[]) : names);
}

async function main(): Promise<void> {
  const sections = selectedSections(process.argv.slice(2));
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
  } finally {
    await hub.close();
    await simulator.close();
    rmSync(bundleDir, { recursive: true, force: true });
  }
  const seconds = Math.round((Date.now() - started) / 1000);
  const load = `load average ${loadBefore.toFixed(1)} before, ${loadavg()[0]!.toFixed(1)} after`;
  const table = renderTable(rows);
  process.stdout.write(`${table}\n(${load})\n`);
  const document = join(ROOT, 'docs', 'BENCHMARKS.md');
  if (sections.size === Object.keys(SECTIONS).length) writeFileSync(document, renderDocument(table, seconds, load));
  else writeFileSync(document, withSectionsReplaced(readFileSync(document, 'utf8'), SECTIONS, sections, seconds, load));
  log(`wrote docs/BENCHMARKS.md (${seconds} s)`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench failed: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
