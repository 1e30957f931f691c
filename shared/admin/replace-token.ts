// `repo update`'s token replacement: a token shared by several repositories is replaced for every one of them the
// new token can read; the ones it cannot read keep the previous token, and the admin is told which is which.
import { BitbucketAuthError, BitbucketNotFoundError } from '../bitbucket/errors';
import type { BitbucketClient } from '../bitbucket/bitbucket-client';
import type { RepositoryConfig } from '../domain/repository-config';
import type { AdminRun } from './admin-run';
import type { HubContext } from './hub-context';
import { storeAccessToken, usersOfToken } from './stored-tokens';

/** Which repositories now use the new token, and which keep the previous one. */
export interface TokenReplacement {
  readonly updated: readonly RepositoryConfig[];
  readonly kept: readonly RepositoryConfig[];
}

/**
 * Replaces the token of `repository` (already checked to be readable with `client`) and of every other added
 * repository sharing it that the new token can read. When all can, the stored secret is overwritten in place;
 * otherwise the readers are pointed at the new token (stored once) and the previous one stays for the rest.
 */
export async function replaceAccessToken(
  run: AdminRun,
  context: HubContext,
  repository: RepositoryConfig,
  client: BitbucketClient,
  token: string,
): Promise<TokenReplacement> {
  const others = usersOfToken(await context.repositories.listRepositories(), repository).filter((user) => user.uuid !== repository.uuid);
  const updated: RepositoryConfig[] = [repository];
  const kept: RepositoryConfig[] = [];
  for (const other of others) ((await canRead(client, other)) ? updated : kept).push(other);
  if (kept.length === 0) {
    await context.secrets.putToken(repository, token);
  } else {
    const stored = await storeAccessToken(context, token);
    for (const user of updated) await context.repositories.setTokenId(user.uuid, stored.tokenId);
  }
  const names = (list: readonly RepositoryConfig[]) => list.map((user) => user.fullName).join(', ');
  run.note(
    updated.length === 1
      ? `Token of ${repository.fullName} replaced; the worker uses it within 5 minutes (it caches tokens).`
      : `Token replaced for the ${updated.length} repositories using it: ${names(updated)}; the worker uses it within 5 minutes (it caches tokens).`,
  );
  if (kept.length > 0)
    run.note(
      `The new token cannot read ${names(kept)}: ${kept.length === 1 ? 'it keeps' : 'they keep'} the previous token (replace it there with \`repo update ${kept[0]!.fullName}\`).`,
    );
  return { updated, kept };
}

/** Whether the token reads this very repository (same uuid); refusals and 404s mean no, other errors propagate. */
async function canRead(client: BitbucketClient, repository: RepositoryConfig): Promise<boolean> {
  try {
    return (await client.getRepository(repository)).uuid === repository.uuid;
  } catch (error) {
    if (error instanceof BitbucketAuthError || error instanceof BitbucketNotFoundError) return false;
    throw error;
  }
}
