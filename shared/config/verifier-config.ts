// The verifier's settings read and checked at cold start, so a misconfigured deployment fails with one clear error.
import { readEnv } from './env';

export interface VerifierConfig {
  readonly queueUrl: string;
  readonly repositoriesTable: string;
  readonly eventsTable: string;
  readonly webhookSecretId: string;
  readonly eventsTtlDays: number;
  readonly dedupeTtlDays: number;
  /** How long the list of added repositories is cached. */
  readonly repositoryCacheSeconds: number;
}

/** Reads the verifier's settings, or throws one ConfigError listing every missing or invalid variable. */
export function loadVerifierConfig(source: NodeJS.ProcessEnv = process.env): VerifierConfig {
  const env = readEnv(source);
  const config: VerifierConfig = {
    queueUrl: env.string('QUEUE_URL'),
    repositoriesTable: env.string('REPOSITORIES_TABLE'),
    eventsTable: env.string('EVENTS_TABLE'),
    webhookSecretId: env.string('WEBHOOK_SECRET_ID'),
    eventsTtlDays: env.number('EVENTS_TTL_DAYS', 30, { min: 1, max: 3650 }),
    dedupeTtlDays: env.number('DEDUPE_TTL_DAYS', 7, { min: 1, max: 365 }),
    repositoryCacheSeconds: env.number('REPOSITORY_CACHE_SECONDS', 30, { min: 0, max: 3600 }),
  };
  env.done();
  return Object.freeze(config);
}
