/**
 * Finding a simulated repository the way Bitbucket's URLs name it: `{workspace}` and `{repo_slug}` may each be a
 * name or a uuid in braces (percent-encoded in the URL, decoded by the caller), so a client that stored the uuids
 * still finds a repository renamed or transferred since, while its old name answers 404.
 */
import type { RepositoryState } from './repository-state';

/** The repository `workspace`/`slug` names (names or braced uuids, decoded); undefined when none does. */
export function findRepository(
  repositories: ReadonlyMap<string, RepositoryState>,
  workspace: string | undefined,
  slug: string | undefined,
): RepositoryState | undefined {
  if (!workspace || !slug) return undefined;
  const byName = repositories.get(`${workspace}/${slug}`);
  if (byName) return byName;
  if (!isBraced(workspace) && !isBraced(slug)) return undefined;
  for (const repo of repositories.values())
    if (inWorkspace(repo, workspace) && (repo.fullName.split('/')[1] === slug || sameUuid(repo.uuid, slug))) return repo;
  return undefined;
}

/** Whether `repo` is in the workspace named by `workspace` (its slug, or its uuid in braces). */
export function inWorkspace(repo: RepositoryState, workspace: string): boolean {
  return repo.fullName.split('/')[0] === workspace || sameUuid(repo.workspaceUuid, workspace);
}

function isBraced(value: string): boolean {
  return value.startsWith('{') && value.endsWith('}');
}

// Bitbucket prints uuids in lower case; a client may send them in either.
function sameUuid(uuid: string, value: string): boolean {
  return isBraced(value) && uuid.toLowerCase() === value.toLowerCase();
}
