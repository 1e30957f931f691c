/**
 * The repositories of a workspace that a token can read (`GET /repositories/{workspace}`), so an admin can pick
 * repositories instead of typing each `workspace/slug`. A repository access token sees only its own repository.
 */
import { BitbucketError } from './errors';
import { endpointUrl, REPOSITORY_SCOPE } from './bitbucket-endpoints';
import type { BitbucketApi, BitbucketRepositoryInfo } from './bitbucket-resources';

/** Largest page the listing accepts (Bitbucket's global maximum): a workspace of 250 repositories costs 3 requests. */
export const WORKSPACE_PAGELEN = 100;

/** One repository of a workspace listing. */
export interface WorkspaceRepository extends BitbucketRepositoryInfo {
  /** The repository's slug, as in `bitbucket.org/<workspace>/<slug>`. */
  slug: string;
  /** Display name; may differ from the slug. */
  name: string;
}

/** Every repository of `workspace` the token can read, following `next` pages, sorted by slug. */
export async function listWorkspaceRepositories(api: BitbucketApi, workspace: string): Promise<WorkspaceRepository[]> {
  if (!workspace || workspace.includes('/')) throw new TypeError(`workspace must be a single name, got ${JSON.stringify(workspace)}`);
  const url = endpointUrl(
    api.baseUrl,
    'workspaceRepositories',
    { workspace: encodeURIComponent(workspace) },
    { pagelen: String(WORKSPACE_PAGELEN) },
  );
  const repositories: WorkspaceRepository[] = [];
  const context = { repository: workspace, what: `the repositories of workspace ${workspace}`, scope: REPOSITORY_SCOPE };
  for await (const value of api.transport.pagedValues(url, context)) repositories.push(toWorkspaceRepository(value, workspace));
  return repositories.sort((a, b) => a.slug.localeCompare(b.slug));
}

function toWorkspaceRepository(value: unknown, workspace: string): WorkspaceRepository {
  const json = value as { uuid?: unknown; full_name?: unknown; slug?: unknown; name?: unknown; mainbranch?: { name?: unknown } | null };
  if (typeof json.uuid !== 'string' || typeof json.full_name !== 'string')
    throw new BitbucketError(`Unexpected repository in the listing of ${workspace}: uuid or full_name missing.`, { repository: workspace });
  const slug = typeof json.slug === 'string' ? json.slug : (json.full_name.split('/')[1] ?? json.full_name);
  return {
    uuid: json.uuid,
    fullName: json.full_name,
    slug,
    name: typeof json.name === 'string' ? json.name : slug,
    mainBranch: typeof json.mainbranch?.name === 'string' ? json.mainbranch.name : undefined,
  };
}
