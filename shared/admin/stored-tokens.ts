// One secret per Bitbucket access token, referenced by every repository it serves: find a token already stored,
// store a new one, repoint repositories to another, and delete a token with its last user.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RepositoryConfig } from '../domain/repository-config';
import type { HubContext } from './hub-context';

/** A stored token: its id, whether it was stored already, and the added repositories that use it. */
export interface StoredToken {
  readonly tokenId: string;
  readonly reused: boolean;
  readonly users: readonly RepositoryConfig[];
}

/** The repositories that read Bitbucket with the same stored token as `repository` (itself included). */
export function usersOfToken(all: readonly RepositoryConfig[], repository: RepositoryConfig): RepositoryConfig[] {
  if (repository.tokenId === undefined) return all.filter((other) => other.uuid === repository.uuid);
  return all.filter((other) => other.tokenId === repository.tokenId);
}

/**
 * The id under which `token` is stored: the id of an identical token some added repository already references
 * (so a workspace token is stored once however many repositories use it), else a new secret.
 */
export async function storeAccessToken(context: HubContext, token: string): Promise<StoredToken> {
  const all = await context.repositories.listRepositories();
  const ids = [...new Set(all.map((repository) => repository.tokenId).filter((id): id is string => id !== undefined))];
  for (const tokenId of ids) {
    const stored = await context.secrets.readToken({ tokenId });
    if (stored !== undefined && sameToken(stored, token))
      return { tokenId, reused: true, users: all.filter((repository) => repository.tokenId === tokenId) };
  }
  // Loaded here: the module reads tokens through Powertools, which the CLI's start-up does without.
  const { newTokenId } = await import('../aws/access-tokens.ts');
  const tokenId = newTokenId();
  await context.secrets.putToken({ tokenId }, token);
  return { tokenId, reused: false, users: [] };
}

/**
 * Deletes the token a repository used once no added repository references it any more (call it after the
 * repository was removed or repointed). Returns the repositories that still use it (empty when it was deleted).
 */
export async function releaseAccessToken(context: HubContext, former: RepositoryConfig): Promise<RepositoryConfig[]> {
  const remaining = (await context.repositories.listRepositories()).filter(
    (repository) => repository.uuid !== former.uuid && former.tokenId !== undefined && repository.tokenId === former.tokenId,
  );
  if (remaining.length === 0) await context.secrets.deleteToken(former.tokenId === undefined ? former.uuid : { tokenId: former.tokenId });
  return remaining;
}

/** Compares two tokens in constant time (digests first, so lengths leak nothing either). */
function sameToken(a: string, b: string): boolean {
  const digest = (value: string) => createHash('sha256').update(value.trim()).digest();
  return timingSafeEqual(digest(a), digest(b));
}
