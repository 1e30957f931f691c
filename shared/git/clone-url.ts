// The https clone URL of a repository, from Bitbucket's repository object, without the user name Bitbucket puts
// in it (the git source authenticates with the repository's token instead).

/** The `links.clone[]` https entry of a Bitbucket repository object, user name and password removed; undefined if absent. */
export function cloneUrlFrom(repositoryJson: unknown): string | undefined {
  const clone = (repositoryJson as { links?: { clone?: unknown } } | null | undefined)?.links?.clone;
  if (!Array.isArray(clone)) return undefined;
  for (const entry of clone as Array<{ name?: unknown; href?: unknown } | null>) {
    if (entry?.name !== 'https' || typeof entry.href !== 'string') continue;
    let url: URL;
    try {
      url = new URL(entry.href);
    } catch {
      return undefined;
    }
    // Only https (or http, which the local simulator serves) may carry a token.
    if (url.protocol !== 'https:' && url.protocol !== 'http:') return undefined;
    url.username = '';
    url.password = '';
    return url.toString();
  }
  return undefined;
}
