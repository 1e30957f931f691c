/**
 * The "Bounded memory" section: the worker's peak RSS (its bundle in a fresh node, as on Lambda) on repositories whose
 * head holds what could take it past its memory, each of which must still end synced (saying over which transport).
 * The limit is half the function's 1,024 MB, so a run never comes near the out-of-memory kill that would send the
 * batch into retries and the DLQ. The cases are a list: a case is a name, how to fill the repository, and what it
 * expects; add one to {@link BOUNDED_MEMORY_CASES}.
 */
import { randomBytes } from 'node:crypto';
import type { BitbucketSimulator, SimulatedRepository } from '../local/bitbucket-simulator';
import type { LocalHub } from '../local/runtime';
import { DynamoDbEventLog } from '../shared/aws/dynamodb-event-log';
import type { SyncRunEvent } from '../shared/domain/logged-event';
import type { SyncRequest } from '../shared/domain/sync-request';
import type { SyncTransport } from '../shared/domain/sync/ports';
import { fmt, rows } from './report';
import { log } from './settings';
import { addedRepository, manyModels, repositoriesOf, runWorkerBundle, type BundleRun } from './sync-world';

const SECTION = 'Bounded memory';
/** The worker's peak RSS must stay at or under this (512 MB, in bytes). */
export const PEAK_RSS_LIMIT_BYTES = 512 * 1000 * 1000;
const MIB = 1024 * 1024;
const FULL_SYNC: Partial<SyncRequest> = { trigger: 'admin', mode: 'full' };

/** One repository the worker must sync within the memory limit. */
export interface BoundedMemoryCase {
  /** What the row names. */
  readonly name: string;
  /** Commits the case's content into a fresh repository. */
  fill(repo: SimulatedRepository): Promise<void>;
  /** The sync request the worker runs. @default an admin full sync */
  readonly request?: Partial<SyncRequest>;
  /** Worker settings on top of the hub's (e.g. GIT_SYNC). */
  readonly settings?: Readonly<Record<string, string>>;
  /** The transport the sync must end on, when the case decides it (a head over the git budget is read over REST). */
  readonly transport?: SyncTransport;
}

/** A few models beside the content under test, so every case has something to sync. */
const SOME_MODELS = manyModels(5, 0);

/**
 * Random (incompressible) non-model files of `fileBytes` each, one commit each (the first with the models). Files over
 * git's core.bigFileThreshold (512 MiB) are packed without a delta search: smaller random files of 1 GiB in all keep
 * the simulator's `git pack-objects` searching for deltas for many minutes before it sends a byte.
 */
async function randomFiles(repo: SimulatedRepository, count: number, fileBytes: number): Promise<void> {
  for (let index = 0; index < count; index++)
    await repo.commit({ [`assets/random-${index}.bin`]: randomBytes(fileBytes), ...(index === 0 ? SOME_MODELS : {}) });
}

export const BOUNDED_MEMORY_CASES: BoundedMemoryCase[] = [
  {
    name: 'head with 1 GiB of random non-model files (2 × 512 MiB) and 5 models',
    fill: (repo) => randomFiles(repo, 2, 512 * MIB + 1),
    transport: 'rest',
  },
  {
    name: 'head with a 400 MiB file of zeros (a few hundred KiB on the wire) and 5 models',
    fill: async (repo) => {
      await repo.commit({ ...SOME_MODELS, 'assets/zeros.bin': Buffer.alloc(400 * MIB) });
    },
    transport: 'rest',
  },
  {
    name: 'head just under the git budget: 44 MiB of random non-model files (11 × 4 MiB) and 5 models',
    fill: async (repo) => {
      const files = Object.fromEntries(Array.from({ length: 11 }, (_, index) => [`assets/random-${index}.bin`, randomBytes(4 * MIB)]));
      await repo.commit({ ...files, ...SOME_MODELS });
    },
    transport: 'git',
  },
  {
    name: 'head with 10,000 models (14 KB each, 136 MiB in all)',
    fill: async (repo) => {
      await repo.commit({ ...manyModels(10_000, 0), 'README.md': '# models\n' });
    },
    transport: 'git',
  },
];

/** Runs each case once in a fresh worker bundle process and adds its row: peak RSS against the limit, and how it synced. */
export async function benchBoundedMemory(
  simulator: BitbucketSimulator,
  hub: LocalHub,
  workerBundle: string,
  cases: readonly BoundedMemoryCase[] = BOUNDED_MEMORY_CASES,
): Promise<void> {
  const events = new DynamoDbEventLog({ tableName: hub.standIns.env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
  for (const [index, boundedCase] of cases.entries()) {
    log(`bounded memory: ${boundedCase.name} (worker bundle in a child process)`);
    const repo = await addedRepository(simulator, hub, `bench/bounded-memory-${index}`);
    await boundedCase.fill(repo);
    await published(simulator, repo);
    const run = await runWorkerBundle(simulator, hub, workerBundle, repo, boundedCase.request ?? FULL_SYNC, boundedCase.settings);
    const [event] = (await events.list({ repositoryUuid: repo.uuid, limit: 1 })) as SyncRunEvent[];
    const synced = (await repositoriesOf(hub).getSyncState(repo.uuid)).cursor === (await repo.head());
    rows.push(rowOf(boundedCase, run, event, synced));
  }
}

/**
 * Waits until the simulator has made the case's commits visible to git: publishing a GiB of imported objects takes
 * longer than the worker's 30-second request timeout, which would measure the simulator rather than the worker.
 */
async function published(simulator: BitbucketSimulator, repo: SimulatedRepository): Promise<void> {
  const url = `${simulator.apiUrl}/repositories/${repo.fullName}/src/${await repo.head()}/?max_depth=1`;
  const response = await fetch(url, { headers: { Authorization: `Bearer ${repo.token}` } });
  if (!response.ok) throw new Error(`the simulator answered ${response.status} listing ${repo.fullName}`);
  await response.arrayBuffer();
}

function rowOf(boundedCase: BoundedMemoryCase, run: BundleRun, event: SyncRunEvent | undefined, synced: boolean) {
  const transport = event?.transport ?? 'none';
  // Why the run read over REST, when it says (the fetch's own "read over REST" said once).
  const reason =
    event?.reason && event.reason !== event.outcome ? event.reason.replace(/; the repository is read over REST$/, '') : undefined;
  const met = run.peakRss <= PEAK_RSS_LIMIT_BYTES && synced && (boundedCase.transport === undefined || boundedCase.transport === transport);
  const verdict = `${met ? 'met' : 'MISSED'}: ≤ ${PEAK_RSS_LIMIT_BYTES / 1e6} MB and synced${boundedCase.transport ? ` over ${boundedCase.transport}` : ''}`;
  log(
    `bounded memory: ${boundedCase.name}: peak ${fmt(run.peakRss / MIB, 0)} MiB, ${synced ? 'synced' : 'NOT synced'} over ${transport} (${verdict})`,
  );
  return {
    section: SECTION,
    figure: `${boundedCase.name}: worker peak RSS (its bundle in a fresh node); ${verdict}`,
    value: `${fmt(run.peakRss / MIB, 0)} MiB, ${synced ? 'synced' : `NOT synced (${event?.outcome ?? 'no event'})`} over ${transport} in ${fmt(run.ms / 1000, 1)} s`,
    floor: `${fmt(run.baseRss / MIB, 0)} MiB after import; ${run.rest} REST + ${run.git} git requests`,
    ratio: `${fmt((run.peakRss / PEAK_RSS_LIMIT_BYTES) * 100, 0)} % of the limit${reason ? `; ${reason}` : ''}`,
  };
}
