// The admin function's settings read and checked at cold start, so a misconfigured deployment fails with one clear
// error (the infra passes them: tables, queues, secrets, webhook URL, admin group).
import { DEFAULT_TOKEN_SECRET_PREFIX } from '../aws/access-tokens';
import { WEBHOOK_SECRET_MAX_AGE_SECONDS } from '../aws/webhook-secret-cache';
import { DEFAULT_BITBUCKET_API_URL } from '../bitbucket/bitbucket-endpoints';
import { isTokenSafeUrl, TOKEN_SAFE_URL_RULE } from '../util/token-destination';
import { readEnv } from './env';

export interface AdminConfig {
  readonly modelsTable: string;
  readonly repositoriesTable: string;
  readonly eventsTable: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly webhookSecretId: string;
  readonly tokenSecretPrefix: string;
  /** The URL Bitbucket posts pushes to (the verifier's route). */
  readonly webhookUrl: string;
  readonly bitbucketApiUrl: string;
  /** The group claim an admin's token must carry. */
  readonly adminGroup: string;
  /** How long verifiers cache the webhook secret (their WEBHOOK_SECRET_MAX_AGE_SECONDS). */
  readonly secretCacheSeconds: number;
  /** For messages: the stack's name. */
  readonly hubDescription: string;
}

/** The admin group when none is configured. */
export const DEFAULT_ADMIN_GROUP = 'model-hub-admins';

/** Reads the admin function's settings, or throws one ConfigError listing every missing or invalid variable. */
export function loadAdminConfig(source: NodeJS.ProcessEnv = process.env): AdminConfig {
  const env = readEnv(source);
  const config: AdminConfig = {
    modelsTable: env.string('MODELS_TABLE'),
    repositoriesTable: env.string('REPOSITORIES_TABLE'),
    eventsTable: env.string('EVENTS_TABLE'),
    queueUrl: env.string('QUEUE_URL'),
    deadLetterQueueUrl: env.string('DEAD_LETTER_QUEUE_URL'),
    webhookSecretId: env.string('WEBHOOK_SECRET_ID'),
    tokenSecretPrefix: env.string('TOKEN_SECRET_PREFIX', DEFAULT_TOKEN_SECRET_PREFIX),
    webhookUrl: env.string('WEBHOOK_URL'),
    bitbucketApiUrl: env.url('BITBUCKET_API_URL', DEFAULT_BITBUCKET_API_URL, isTokenSafeUrl, TOKEN_SAFE_URL_RULE),
    adminGroup: env.string('ADMIN_GROUP', DEFAULT_ADMIN_GROUP),
    secretCacheSeconds: env.number('WEBHOOK_SECRET_MAX_AGE_SECONDS', WEBHOOK_SECRET_MAX_AGE_SECONDS, { min: 0, max: 3600 }),
    hubDescription: env.string('HUB_DESCRIPTION', 'deployed hub'),
  };
  env.done();
  return Object.freeze(config);
}
