/** The functions' settings from the environment: defaults, bounds, and one error naming every problem. */
import { readEnv } from '../../../../shared/config/env';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../../../../shared/domain/sync/derive-plan';
import { loadVerifierConfig } from '../../../../shared/config/verifier-config';
import { loadWorkerConfig } from '../../../../shared/config/worker-config';
import { ConfigError } from '../../../../shared/domain/errors';
import { DEFAULT_PACK_BUDGET_MIB } from '../../../../shared/git/pack-guard';

const COMMON = { QUEUE_URL: 'http://queue', REPOSITORIES_TABLE: 'repos', EVENTS_TABLE: 'events' };
const WORKER = { CHANGES_TABLE: 'changes' };

describe('readEnv', () => {
  it('reads strings and numbers with fallbacks, and collects every problem into one ConfigError', () => {
    const env = readEnv({ NAME: 'x', EMPTY: '', COUNT: '7', LOW: '-1', TEXT: 'seven' });
    expect(env.string('NAME')).toBe('x');
    expect(env.string('MISSING', 'fallback')).toBe('fallback');
    expect(env.number('COUNT', 1)).toBe(7);
    expect(env.number('UNSET', 3)).toBe(3);
    expect(env.number('EMPTY', 4)).toBe(4);
    expect(env.number('LOW', 5, { min: 0 })).toBe(5);
    expect(env.number('TEXT', 6, { min: 0, max: 10 })).toBe(6);
    expect(env.string('EMPTY')).toBe('');
    const error = (() => {
      try {
        env.done();
        return undefined;
      } catch (caught) {
        return caught;
      }
    })();
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).problems).toEqual([
      'LOW must be a number >= 0',
      'TEXT must be a number >= 0 <= 10',
      'EMPTY environment variable is not set',
    ]);
  });

  it('passes when nothing is wrong', () => {
    const env = readEnv({ NAME: 'x' });
    env.string('NAME');
    expect(() => env.done()).not.toThrow();
  });
});

describe('loadWorkerConfig', () => {
  it('applies the defaults and converts seconds to milliseconds', () => {
    const config = loadWorkerConfig({
      ...COMMON,
      ...WORKER,
      MODELS_TABLE: 'models',
      BITBUCKET_API_URL: 'http://127.0.0.1:9/2.0//',
      SAFETY_MARGIN_SECONDS: '5',
    });
    expect(config).toEqual({
      queueUrl: 'http://queue',
      modelsTable: 'models',
      repositoriesTable: 'repos',
      eventsTable: 'events',
      changesTable: 'changes',
      tokenSecretPrefix: 'model-hub/tokens/',
      bitbucketApiUrl: 'http://127.0.0.1:9/2.0',
      eventsTtlDays: 30,
      fetchConcurrency: 8,
      safetyMarginMs: 5000,
      bitbucketRetryBaseMs: 500,
      bitbucketMaxAttempts: 5,
      bitbucketMaxRateLimitWaitMs: 30_000,
      retryBackoffBaseSeconds: 30,
      gitSync: 'on',
      gitMinChangedModels: DEFAULT_GIT_MIN_CHANGED_MODELS,
      gitMaxPackMib: DEFAULT_PACK_BUDGET_MIB,
    });
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => loadWorkerConfig({ ...COMMON, ...WORKER, MODELS_TABLE: 'm', GIT_SYNC: 'maybe' })).toThrow(
      'GIT_SYNC must be one of on, off',
    );
    expect(
      loadWorkerConfig({ ...COMMON, ...WORKER, MODELS_TABLE: 'm', GIT_SYNC: 'off', GIT_MIN_CHANGED_MODELS: '7', GIT_MAX_PACK_MIB: '2' }),
    ).toMatchObject({
      gitSync: 'off',
      gitMinChangedModels: 7,
      gitMaxPackMib: 2,
    });
    expect(loadWorkerConfig({ ...COMMON, ...WORKER, MODELS_TABLE: 'm' }).bitbucketApiUrl).toBe('https://api.bitbucket.org/2.0');
  });

  it.each([
    ['plain http to another host', 'http://api.bitbucket.org/2.0'],
    ['plain http to a name that only starts like a loopback address', 'http://127.0.0.1.example.com/2.0'],
    ['another scheme', 'ftp://api.bitbucket.org/2.0'],
    ['no URL at all', 'api.bitbucket.org/2.0'],
  ])('refuses a BITBUCKET_API_URL of %s: the token would travel in clear or nowhere sensible', (_case, url) => {
    expect(() => loadWorkerConfig({ ...COMMON, ...WORKER, MODELS_TABLE: 'm', BITBUCKET_API_URL: url })).toThrow(
      new ConfigError([
        'BITBUCKET_API_URL must be an https:// URL such as https://api.bitbucket.org/2.0 (plain http only to this machine)',
      ]),
    );
  });

  it.each(['https://bitbucket.example.com/rest/2.0', 'http://127.0.0.1:7990/2.0', 'http://localhost:7990/2.0', 'http://[::1]:7990/2.0'])(
    'accepts a BITBUCKET_API_URL of %s',
    (url) => {
      expect(loadWorkerConfig({ ...COMMON, ...WORKER, MODELS_TABLE: 'm', BITBUCKET_API_URL: url }).bitbucketApiUrl).toBe(url);
    },
  );

  it('names every missing or out-of-range variable at once', () => {
    expect(() => loadWorkerConfig({ QUEUE_URL: 'q', FETCH_CONCURRENCY: '0', BITBUCKET_MAX_ATTEMPTS: '99' })).toThrow(
      new ConfigError([
        'MODELS_TABLE environment variable is not set',
        'REPOSITORIES_TABLE environment variable is not set',
        'EVENTS_TABLE environment variable is not set',
        'CHANGES_TABLE environment variable is not set',
        'FETCH_CONCURRENCY must be a number >= 1 <= 64',
        'BITBUCKET_MAX_ATTEMPTS must be a number >= 1 <= 20',
      ]),
    );
  });
});

describe('loadVerifierConfig', () => {
  it('applies the defaults', () => {
    expect(loadVerifierConfig({ ...COMMON, WEBHOOK_SECRET_ID: 'hub/webhook' })).toEqual({
      queueUrl: 'http://queue',
      repositoriesTable: 'repos',
      eventsTable: 'events',
      webhookSecretId: 'hub/webhook',
      eventsTtlDays: 30,
      dedupeTtlDays: 7,
      repositoryCacheSeconds: 30,
    });
  });

  it('names every missing or out-of-range variable at once', () => {
    expect(() => loadVerifierConfig({ ...COMMON, DEDUPE_TTL_DAYS: '0', REPOSITORY_CACHE_SECONDS: 'soon' })).toThrow(
      'Invalid configuration: WEBHOOK_SECRET_ID environment variable is not set; DEDUPE_TTL_DAYS must be a number >= 1 <= 365; REPOSITORY_CACHE_SECONDS must be a number >= 0 <= 3600',
    );
  });
});
