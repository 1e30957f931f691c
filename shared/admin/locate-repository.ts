// `repo update`'s lookup of an added repository with a new token: the hub may know it by an outdated name (renamed
// or transferred in Bitbucket with no push since), so it is read by its uuids, or by the name the admin gives now.
import { BitbucketNotFoundError } from '../bitbucket/errors';
import type { BitbucketClient } from '../bitbucket/bitbucket-client';
import type { BitbucketRepositoryInfo } from '../bitbucket/bitbucket-resources';
import type { RepositoryConfig } from '../domain/repository-config';
import { explainBitbucketError } from './bitbucket-errors';
import type { AdminRun } from './admin-run';
import { AdminError } from './errors';
import type { HubContext } from './hub-context';

/** An added repository and what Bitbucket says of it now, read with the new token. */
export interface LocatedRepository {
  readonly repository: RepositoryConfig;
  readonly info: BitbucketRepositoryInfo;
}

/**
 * The added repository `fullName` names: its stored name (then read from Bitbucket by its uuids when they are
 * stored, so a rename is no obstacle), or else its name in Bitbucket now (a transfer changes the workspace's uuid
 * too: only Bitbucket's new name finds it), matched by the repository's uuid.
 */
export async function locateRepository(context: HubContext, client: BitbucketClient, fullName: string): Promise<LocatedRepository> {
  const apiUrl = context.target.bitbucketApiUrl;
  const stored = await context.findRepository(fullName).catch((error: unknown) => {
    if (error instanceof AdminError) return error;
    throw error;
  });
  if (!(stored instanceof AdminError)) {
    const info = await client.getRepository(stored).catch(async (error: unknown) => {
      if (error instanceof BitbucketNotFoundError) {
        const sameName = await client.getRepository(stored.fullName).catch(() => undefined);
        if (sameName && sameName.uuid !== stored.uuid)
          throw new AdminError(
            `Bitbucket's ${sameName.fullName} is another repository (${sameName.uuid}) than the added one (${stored.uuid}): it was deleted and created again`,
            {
              hint: `remove the old one and add the new one: \`repo remove ${stored.fullName}\`, then \`repo add ${sameName.fullName}\` with a token of the new repository`,
              cause: error,
            },
          );
        throw new AdminError(`Bitbucket has no repository ${stored.fullName} ${stored.uuid} at ${apiUrl} (HTTP 404)`, {
          hint: 'transferred to another workspace? Then name it as it is called now, `repo update <workspace>/<slug>`, with a token of its new workspace; else check that the token belongs to this repository',
          cause: error,
        });
      }
      throw explainBitbucketError(error, stored.fullName, apiUrl);
    });
    if (info.uuid !== stored.uuid) {
      throw new AdminError(`the token reads ${info.fullName} ${info.uuid}, not the added ${stored.fullName} ${stored.uuid}`, {
        hint: 'was the repository deleted and created again? Then `repo remove` it and `repo add` it anew',
      });
    }
    return { repository: stored, info };
  }
  // Not added under this name: maybe Bitbucket's name of now for a repository added under another one.
  const info = await client.getRepository(fullName).catch(() => undefined);
  const repository = info && (await context.repositories.getRepository(info.uuid));
  if (!info || !repository) throw stored;
  return { repository, info };
}

/**
 * Stores the name and workspace Bitbucket gives the repository now (after a rename or transfer, or to fill in an
 * older record's workspace uuid); touches nothing else. Returns the configuration as stored.
 */
export async function recordCurrentName(
  run: AdminRun,
  context: HubContext,
  { repository, info }: LocatedRepository,
): Promise<RepositoryConfig> {
  const workspaceUuid = info.workspaceUuid ?? repository.workspaceUuid;
  if (info.fullName === repository.fullName && workspaceUuid === repository.workspaceUuid) return repository;
  await context.repositories.renameRepository(repository.uuid, info.fullName, workspaceUuid);
  if (info.fullName !== repository.fullName) run.note(`${repository.fullName} is now called ${info.fullName} in Bitbucket.`);
  return { ...repository, fullName: info.fullName, ...(workspaceUuid ? { workspaceUuid } : {}) };
}
