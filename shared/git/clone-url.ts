// The https clone URL of a repository, from Bitbucket's repository object, without the user name Bitbucket puts
// in it (the git source authenticates with the repository's token instead), and only when it points at the
// configured Bitbucket's own git host: the token goes wherever this URL says.
import { isTokenSafeUrl } from '../util/token-destination';

/**
 * The `links.clone[]` https entry of a Bitbucket repository object, user name and password removed; undefined if
 * absent or if it points anywhere but the git host of the Bitbucket at `apiBaseUrl` (see {@link gitOriginsOf}),
 * over https (plain http only on this machine, for the simulator).
 */
export function cloneUrlFrom(repositoryJson: unknown, apiBaseUrl: string): string | undefined {
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
    if (!isTokenSafeUrl(url) || !gitOriginsOf(apiBaseUrl).includes(url.origin)) return undefined;
    url.username = '';
    url.password = '';
    return url.toString();
  }
  return undefined;
}

/**
 * The origins the Bitbucket at `apiBaseUrl` serves git from: the API's own (the simulator, a self-hosted API under
 * a path) and, for an `api.` host, the host without it (`https://api.bitbucket.org` → `https://bitbucket.org`).
 */
export function gitOriginsOf(apiBaseUrl: string): string[] {
  const api = new URL(apiBaseUrl);
  const origins = [api.origin];
  if (api.hostname.startsWith('api.')) {
    const site = new URL(api.origin);
    site.hostname = api.hostname.slice('api.'.length);
    origins.push(site.origin);
  }
  return origins;
}
