/**
 * The bench's knobs and shared process plumbing, in one place so every section measures under the same settings
 * (injected round trips, number of runs) and starts child processes the same way.
 * Configuration (environment): the variables of {@link ENVIRONMENT}, which `npm run bench -- --help` lists.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export const ROOT = join(__dirname, '..');
/** The round trip to api.bitbucket.org (REST and git alike) from a Lambda in a nearby region. */
export const RTT_MS = Number(process.env.BENCH_RTT_MS ?? 20);
export const AWS_RTT_MS = Number(process.env.BENCH_AWS_RTT_MS ?? 5);
export const RUNS = Math.max(1, Number(process.env.BENCH_RUNS ?? 5));
export const SLOW_RUNS = Math.ceil(RUNS / 2) + 1;
/** The size of the repository the verification section verifies. */
export const VERIFY_MODELS = Number(process.env.BENCH_VERIFY_MODELS ?? 10_000);

/** Every environment variable the bench reads, with its default and what it changes (for `--help`). */
export const ENVIRONMENT: readonly { readonly name: string; readonly meaning: string }[] = [
  { name: 'BENCH_RTT_MS', meaning: 'round trip injected on every Bitbucket answer, REST and git (default 20)' },
  { name: 'BENCH_AWS_RTT_MS', meaning: "the verifier's round trip to DynamoDB and SQS in its first row (default 5)" },
  { name: 'BENCH_RUNS', meaning: 'runs per figure (default 5; the slowest scenarios run ⌈BENCH_RUNS / 2⌉ + 1 times)' },
  { name: 'BENCH_VERIFY_MODELS', meaning: 'models in the repository the verification section verifies (default 10000)' },
  { name: 'BENCH_SEARCH_MODELS', meaning: 'generated models (100 entities × 20 attributes) the search section searches (default 1500)' },
  {
    name: 'FETCH_CONCURRENCY, GIT_SYNC, …',
    meaning: "the functions' own settings, passed on to them; FETCH_CONCURRENCY (default 8) is also the downloads' floor",
  },
];

/** The functions' settings: their logs and metrics would only add noise (and time) to the measurements. */
export const FUNCTION_SETTINGS = {
  ...process.env,
  POWERTOOLS_LOG_LEVEL: 'SILENT',
  POWERTOOLS_METRICS_DISABLED: 'true',
  RETRY_BACKOFF_BASE_SECONDS: '0',
};

export const execFileAsync = promisify(execFile);
export const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * A plain node for child processes: without tsx's loader hooks (inherited through NODE_OPTIONS) and logs; a bundle
 * run there reads its function environment (the hub's endpoints and names) from the process environment, as on Lambda.
 */
export const childEnv = (functionEnvironment: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  ...functionEnvironment,
  NODE_OPTIONS: '',
  POWERTOOLS_LOG_LEVEL: 'SILENT',
});
