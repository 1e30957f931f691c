// Which repositories of a workspace `repo add <workspace>` offers and picks: the listing marked with what is
// added already, and the `--match <glob>` / `--all` selections. Pure, so it is tested without a terminal.
import type { WorkspaceRepository } from '../bitbucket/bitbucket-workspace';
import type { RepositoryConfig } from '../domain/repository-config';

/** One repository of the listing, and whether it is added to the hub already (matched by uuid). */
export interface Candidate {
  readonly repository: WorkspaceRepository;
  readonly added: boolean;
}

/** The listing sorted by slug, each marked added or not; repositories of other workspaces never appear. */
export function candidatesOf(listing: readonly WorkspaceRepository[], added: readonly RepositoryConfig[], workspace: string): Candidate[] {
  const addedUuids = new Set(added.map((repository) => repository.uuid));
  const wanted = workspace.toLowerCase();
  return listing
    .filter((repository) => repository.fullName.split('/')[0]?.toLowerCase() === wanted)
    .map((repository) => ({ repository, added: addedUuids.has(repository.uuid) }))
    .sort((a, b) => a.repository.slug.localeCompare(b.repository.slug));
}

/**
 * The candidates whose slug matches `glob` (`*` any run of characters, `?` one character, `[abc]` / `[a-z]` one
 * of a set; case-insensitive, like Bitbucket's slugs), added ones included: the caller skips those.
 */
export function matchCandidates(candidates: readonly Candidate[], glob: string): Candidate[] {
  const pattern = globToRegExp(glob);
  return candidates.filter((candidate) => pattern.test(candidate.repository.slug));
}

/** A whole-string, case-insensitive RegExp for a glob of `*`, `?` and `[…]`; a usage error for an unclosed `[`. */
export function globToRegExp(glob: string): RegExp {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') source += '.*';
    else if (char === '?') source += '.';
    else if (char === '[') {
      const end = glob.indexOf(']', i + 2);
      if (end < 0) throw new SyntaxError(`unclosed [ in ${JSON.stringify(glob)}`);
      const body = glob.slice(i + 1, end);
      source += `[${body.startsWith('!') ? `^${escapeClass(body.slice(1))}` : escapeClass(body)}]`;
      i = end;
    } else source += char.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, 'i');
}

function escapeClass(body: string): string {
  return body.replace(/[\\\]^]/g, '\\$&');
}
