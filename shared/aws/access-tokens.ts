// Where Bitbucket access tokens live in Secrets Manager, and a cached reader of them (one naming rule shared by
// the worker, the CLI and the stack's IAM policy): one secret per token, referenced by every repository it
// serves, plus the older layout of one secret per repository uuid.
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { randomUUID } from 'node:crypto';
import { SecretFormatError } from './errors';

/** Name prefix of access-token secrets when none is configured (the CDK stack sets `<stackName>/tokens/`). */
export const DEFAULT_TOKEN_SECRET_PREFIX = 'model-hub/tokens/';

/** Tokens are cached for minutes: a rotated token is picked up soon, and a sync costs no Secrets Manager call. */
export const ACCESS_TOKEN_MAX_AGE_SECONDS = 300;

/** What locates a token: a repository (its `tokenId` when it references a stored token, else its own uuid), or a bare token id. */
export type TokenHolder = { readonly uuid: string; readonly tokenId?: string } | { readonly uuid?: undefined; readonly tokenId: string };

const TOKEN_ID = /^token-[0-9a-f-]{36}$/;

/** A new token id (`token-<uuid>`): names the one secret of a token, whichever repositories it serves. */
export function newTokenId(): string {
  return `token-${randomUUID()}`;
}

/**
 * The Secrets Manager name of a repository's access token: the prefix and the uuid without braces (braces are
 * not allowed in secret names). The older layout, still read for repositories without a token id.
 */
export function accessTokenSecretName(prefix: string, repositoryUuid: string): string {
  return `${prefix}${repositoryUuid.replace(/[{}]/g, '')}`;
}

/**
 * The Secrets Manager name of the token a repository reads Bitbucket with: `<prefix><tokenId>` when it
 * references a stored token, else `<prefix><uuid>`. Both stay under `<prefix>`, which the worker's IAM policy allows.
 */
export function tokenSecretNameOf(prefix: string, holder: TokenHolder): string {
  if (holder.tokenId === undefined) {
    if (holder.uuid === undefined) throw new TypeError('a token holder needs a token id or a repository uuid');
    return accessTokenSecretName(prefix, holder.uuid);
  }
  // A malformed id must not point at another secret under the prefix (e.g. another repository's uuid).
  if (!TOKEN_ID.test(holder.tokenId))
    throw new SecretFormatError(
      `malformed token id ${JSON.stringify(holder.tokenId)}${holder.uuid ? ` of repository ${holder.uuid}` : ''}`,
    );
  return `${prefix}${holder.tokenId}`;
}

/**
 * Returns a reader of repository access tokens, cached in memory through Powertools Parameters. It takes the
 * repository (its `tokenId` or uuid locates the secret), or a bare uuid for the per-repository layout.
 */
export function createAccessTokenReader(
  prefix: string,
  options: { maxAgeSeconds?: number; provider?: SecretsProvider } = {},
): (repository: TokenHolder | string) => Promise<string> {
  const provider = options.provider ?? new SecretsProvider();
  return async (repository) => {
    const name = tokenSecretNameOf(prefix, typeof repository === 'string' ? { uuid: repository } : repository);
    const value = await provider.get(name, { maxAge: options.maxAgeSeconds ?? ACCESS_TOKEN_MAX_AGE_SECONDS });
    if (typeof value !== 'string' || value.trim().length === 0) throw new SecretFormatError(`secret ${name} holds no access token`);
    return value.trim();
  };
}
