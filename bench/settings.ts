/**
 * The bench's knobs and shared process plumbing, in one place so every section measures under the same settings
 * (injected round trips, number of runs) and starts child processes the same way.
 * Configuration (environment): BENCH_RTT_MS (default 20), BENCH_AWS_RTT_MS (default 5, the verifier's round trip
 * to DynamoDB and SQS), BENCH_RUNS (default 5; the slowest scenarios run ⌈BENCH_RUNS / 2⌉ + 1 times).
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
