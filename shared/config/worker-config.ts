// Every worker setting read and checked in one place at cold start, so a misconfigured deployment fails with one
// clear error instead of on the first message that needs the setting.
import { DEFAULT_TOKEN_SECRET_PREFIX } from '../aws/access-tokens';
import { DEFAULT_BITBUCKET_API_URL } from '../bitbucket/bitbucket-endpoints';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../domain/sync/derive-plan';
import { DEFAULT_PACK_BUDGET_MIB } from '../git/pack-guard';
import { isTokenSafeUrl, TOKEN_SAFE_URL_RULE } from '../util/token-destination';
import { readEnv } from './env';

export interface WorkerConfig {
  readonly queueUrl: string;
  readonly modelsTable: string;
  readonly repositoriesTable: string;
  readonly eventsTable: string;
  /** Change records (`dynamodb-change-store.ts`): every committed change of a sync is recorded there. */
  readonly changesTable: string;
  readonly tokenSecretPrefix: string;
  readonly bitbucketApiUrl: string;
  readonly eventsTtlDays: number;
  /** Parallel file fetches per sync, sharing one keep-alive pool. */
  readonly fetchConcurrency: number;
  /** Time kept in reserve before the Lambda deadline to finish the op in flight and checkpoint. */
  readonly safetyMarginMs: number;
  /** Bitbucket client tuning: first backoff step, attempts per request, longest in-process wait for a 429. */
  readonly bitbucketRetryBaseMs: number;
  readonly bitbucketMaxAttempts: number;
  readonly bitbucketMaxRateLimitWaitMs: number;
  /** First retry delay of a failed sync request (doubling per receive); 0 keeps the queue's visibility timeout. */
  readonly retryBackoffBaseSeconds: number;
  /** `on`: full syncs and large diffs read one git snapshot (falling back to REST); `off`: REST only. */
  readonly gitSync: 'on' | 'off';
  /** An incremental sync whose diff plans more ops than this reads a git snapshot (default 50, chosen in docs/BENCHMARKS.md). */
  readonly gitMinChangedModels: number;
  /**
   * The git fetch's memory budget in MiB: a pack larger on the wire, an object larger inflated, or all objects over
   * 4× this inflated stop the fetch, and the target is read over REST (see `PackLimits`).
   */
  readonly gitMaxPackMib: number;
}

/** Reads the worker's settings, or throws one ConfigError listing every missing or invalid variable. */
export function loadWorkerConfig(source: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const env = readEnv(source);
  const config: WorkerConfig = {
    queueUrl: env.string('QUEUE_URL'),
    modelsTable: env.string('MODELS_TABLE'),
    repositoriesTable: env.string('REPOSITORIES_TABLE'),
    eventsTable: env.string('EVENTS_TABLE'),
    changesTable: env.string('CHANGES_TABLE'),
    tokenSecretPrefix: env.string('TOKEN_SECRET_PREFIX', DEFAULT_TOKEN_SECRET_PREFIX),
    // The access token goes there: never in clear, except to the local simulator on this machine.
    bitbucketApiUrl: env.url('BITBUCKET_API_URL', DEFAULT_BITBUCKET_API_URL, isTokenSafeUrl, TOKEN_SAFE_URL_RULE),
    eventsTtlDays: env.number('EVENTS_TTL_DAYS', 30, { min: 1, max: 3650 }),
    fetchConcurrency: env.number('FETCH_CONCURRENCY', 8, { min: 1, max: 64 }),
    safetyMarginMs: env.number('SAFETY_MARGIN_SECONDS', 60, { min: 0, max: 600 }) * 1000,
    bitbucketRetryBaseMs: env.number('BITBUCKET_RETRY_BASE_MS', 500, { min: 0, max: 60_000 }),
    bitbucketMaxAttempts: env.number('BITBUCKET_MAX_ATTEMPTS', 5, { min: 1, max: 20 }),
    bitbucketMaxRateLimitWaitMs: env.number('BITBUCKET_MAX_RATE_LIMIT_WAIT_MS', 30_000, { min: 0, max: 600_000 }),
    retryBackoffBaseSeconds: env.number('RETRY_BACKOFF_BASE_SECONDS', 30, { min: 0, max: 900 }),
    gitSync: env.oneOf('GIT_SYNC', ['on', 'off'], 'on'),
    gitMinChangedModels: env.number('GIT_MIN_CHANGED_MODELS', DEFAULT_GIT_MIN_CHANGED_MODELS, { min: 0, max: 1_000_000 }),
    gitMaxPackMib: env.number('GIT_MAX_PACK_MIB', DEFAULT_PACK_BUDGET_MIB, { min: 1, max: 1024 }),
  };
  env.done();
  return Object.freeze(config);
}
