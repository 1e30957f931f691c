// The repositories of a workspace an access token can read, marked with those added already: the listing `repo add
// <workspace>` picks from and the console's add flow filters as the admin types.
import { BitbucketAuthError, BitbucketNotFoundError } from '../bitbucket/errors';
import type { BitbucketClient } from '../bitbucket/bitbucket-client';
import type { WorkspaceRepository } from '../bitbucket/bitbucket-workspace';
import type { AdminRun } from './admin-run';
import { explainBitbucketError } from './bitbucket-errors';
import { AdminError, usageError } from './errors';
import type { HubContext } from './hub-context';
import { candidatesOf, type Candidate } from './workspace-selection';

const WORKSPACE_NAME = /^[A-Za-z0-9_.-]+$/;

/** A usage error unless `workspace` is a name as in bitbucket.org/<workspace>. */
export function checkWorkspaceName(workspace: string): void {
  if (!WORKSPACE_NAME.test(workspace))
    throw usageError(`workspace must be a name as in bitbucket.org/<workspace>, got ${JSON.stringify(workspace)}`);
}

/**
 * The workspace's repositories the token can read, sorted by slug and marked added or not; an error when it reads
 * none, a note when it reads only one (a repository access token reads only its own repository).
 */
export async function listWorkspaceCandidates(
  run: AdminRun,
  context: HubContext,
  client: BitbucketClient,
  workspace: string,
): Promise<Candidate[]> {
  const listing = await listReadable(client, workspace, context.target.bitbucketApiUrl);
  const candidates = candidatesOf(listing, await context.repositories.listRepositories(), workspace);
  if (candidates.length === 0)
    throw new AdminError(`the token can read no repository of workspace ${workspace}`, {
      hint: `check the workspace name; a project access token reads only its project's repositories, a repository access token only its own (add that one with \`repo add ${workspace}/<slug>\`)`,
      code: 'not-found',
    });
  if (candidates.length === 1)
    run.note(
      `The token can read only one repository of ${workspace}: ${candidates[0]!.repository.fullName}. A repository access token reads only its own repository; to pick among several, use a project or workspace access token, or add each repository with its own token (\`repo add ${workspace}/<slug>\`).`,
    );
  return candidates;
}

/** The workspace listing, with Bitbucket's refusals explained for the workspace case. */
async function listReadable(client: BitbucketClient, workspace: string, apiUrl: string): Promise<WorkspaceRepository[]> {
  try {
    return await client.listWorkspaceRepositories(workspace);
  } catch (error) {
    if (error instanceof BitbucketNotFoundError)
      throw new AdminError(`Bitbucket has no workspace ${workspace} at ${apiUrl} that this token can see (HTTP 404)`, {
        hint: 'check the workspace name, as in bitbucket.org/<workspace>',
        code: 'bitbucket-refused',
        cause: error,
      });
    if (error instanceof BitbucketAuthError && error.status === 403) {
      const missing = error.missingScopes?.includes('repository');
      throw new AdminError(
        `Bitbucket refused to list the repositories of ${workspace} with this token (HTTP 403)${missing ? ': it lacks the scope Repositories: Read' : ''}`,
        {
          hint: `adding a workspace's repositories needs a workspace access token (or a project access token, for its project's repositories) with the scope Repositories: Read${missing ? '' : ' of this workspace'}; a repository access token reads only its own repository: add that one with \`repo add ${workspace}/<slug>\``,
          code: 'bitbucket-refused',
          cause: error,
        },
      );
    }
    throw explainBitbucketError(error, workspace, apiUrl);
  }
}
