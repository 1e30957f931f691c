// Where repositories' Bitbucket access tokens live in Secrets Manager, and a cached reader of them: one naming
// rule shared by the worker, the CLI and the stack's IAM policy.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { SecretFormatError } from './errors';

/** Name prefix of access-token secrets when none is configured (the CDK stack sets `<stackName>/tokens/`). */
export const DEFAULT_TOKEN_SECRET_PREFIX = 'model-hub/tokens/';

/** Tokens are cached for minutes: a rotated token is picked up soon, and a sync costs no Secrets Manager call. */
export const ACCESS_TOKEN_MAX_AGE_SECONDS = 300;

/**
 * The Secrets Manager name of a repository's access token: the prefix and the uuid without braces (braces are
 * not allowed in secret names). The worker's IAM policy allows exactly `<prefix>*`.
 */
export function accessTokenSecretName(prefix: string, repositoryUuid: string): string {
  return `${prefix}${repositoryUuid.replace(/[{}]/g, '')}`;
}

/** Returns a reader of repository access tokens, cached in memory through Powertools Parameters. */
export function createAccessTokenReader(
  prefix: string,
  options: { maxAgeSeconds?: number; provider?: SecretsProvider } = {},
): (repositoryUuid: string) => Promise<string> {
  const provider = options.provider ?? new SecretsProvider();
  return async (repositoryUuid) => {
    const name = accessTokenSecretName(prefix, repositoryUuid);
    const value = await provider.get(name, { maxAge: options.maxAgeSeconds ?? ACCESS_TOKEN_MAX_AGE_SECONDS });
    if (typeof value !== 'string' || value.trim().length === 0) throw new SecretFormatError(`secret ${name} holds no access token`);
    return value.trim();
  };
}
