// Reads the webhook secret (current and, during a rotation, previous) from Secrets Manager with a short cache, so
// verifying a delivery rarely costs an API call.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretFormatError } from './errors';
import { WEBHOOK_SECRET_MAX_AGE_SECONDS } from './webhook-secret-cache';

/**
 * Returns a reader of the webhook secret, stored as JSON `{"current": "...", "previous": "..."}` (previous is empty
 * outside a rotation). The reader yields the non-empty values, current first, cached in memory for
 * `maxAgeSeconds` through Powertools Parameters.
 */
export function createWebhookSecretReader(
  secretId: string,
  options: { maxAgeSeconds?: number; provider?: SecretsProvider } = {},
): () => Promise<string[]> {
  const provider = options.provider ?? new SecretsProvider();
  const maxAge = options.maxAgeSeconds ?? WEBHOOK_SECRET_MAX_AGE_SECONDS;
  return async () => {
    const value = await provider.get(secretId, { maxAge });
    return parseWebhookSecret(secretId, typeof value === 'string' ? value : undefined);
  };
}

/** Parses the stored JSON; the error names the secret, never its content. */
export function parseWebhookSecret(secretId: string, value: string | undefined): string[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(value ?? '');
  } catch {
    throw new SecretFormatError(`secret ${secretId} is not JSON of the form {"current": "...", "previous": "..."}`);
  }
  const { current, previous } = (parsed ?? {}) as { current?: unknown; previous?: unknown };
  if (typeof current !== 'string' || current.length === 0) throw new SecretFormatError(`secret ${secretId} has no "current" value`);
  return typeof previous === 'string' && previous.length > 0 ? [current, previous] : [current];
}
