// One Bitbucket simulator and client factory per test file, for the suites that drive BitbucketClient against it.
import { Agent } from 'undici';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../local/bitbucket-simulator';
import { BitbucketClient, type BitbucketClientOptions } from '../../shared/bitbucket/bitbucket-client';

export interface BitbucketClientBed {
  readonly sim: BitbucketSimulator;
  readonly dispatcher: Agent;
  /** A fresh repository per test, so tests don't see each other's commits. */
  newRepo(): Promise<SimulatedRepository>;
  /** A client whose waits are recorded instead of slept, with jitter fixed at 0.5. */
  clientFor(repo: SimulatedRepository, options?: Partial<BitbucketClientOptions>): { client: BitbucketClient; sleeps: number[] };
  /** The simulator's requests whose path contains `fragment`. */
  requestsTo(fragment: string): BitbucketSimulator['requests'];
}

/** Starts the simulator before the file's tests and stops it after; faults and pacing are cleared after each test. */
export function useBitbucketClientBed(): BitbucketClientBed {
  let sim: BitbucketSimulator | undefined;
  let dispatcher: Agent | undefined;
  let counter = 0;

  beforeAll(async () => {
    sim = await startBitbucketSimulator();
    dispatcher = new Agent({ keepAliveTimeout: 1_000 });
  });

  afterAll(async () => {
    await dispatcher?.close();
    await sim?.close();
  });

  afterEach(() => {
    sim?.clearFaults();
    sim?.setNearLimit(false);
  });

  const started = <T>(value: T | undefined): T => {
    if (value === undefined) throw new Error('the Bitbucket client bed is used before its beforeAll ran');
    return value;
  };

  return {
    get sim() {
      return started(sim);
    },
    get dispatcher() {
      return started(dispatcher);
    },
    async newRepo() {
      counter += 1;
      return started(sim).createRepository(`acme/models-${counter}`);
    },
    clientFor(repo, options = {}) {
      const sleeps: number[] = [];
      const client = new BitbucketClient({
        baseUrl: started(sim).apiUrl,
        token: repo.token,
        dispatcher: started(dispatcher),
        baseDelayMs: 100,
        maxDelayMs: 1_000,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
        ...options,
      });
      return { client, sleeps };
    },
    requestsTo: (fragment) => started(sim).requests.filter((r) => r.path.includes(fragment)),
  };
}
