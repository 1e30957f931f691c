/**
 * Where the Bitbucket client may send its token and take answers from: the API origin (https, or plain http on this
 * machine for the simulator), redirects that stay on it, and file downloads that leave it for a media host over
 * https. JSON (repository objects with their clone links, `next` links, listings) is only taken from the API origin.
 */
import { isTokenSafeUrl } from '../util/token-destination';
import { BitbucketError } from './errors';

/** What a request is about, for messages. */
interface RequestAbout {
  readonly repository: string;
  readonly what: string;
  /** Set for file downloads, the only requests that may be redirected off the API origin. */
  readonly filePath?: string;
}

/** The origin of an API URL that may carry the token; a URL that would send it in clear is a TypeError. */
export function apiOrigin(baseUrl: string): string {
  if (!isTokenSafeUrl(baseUrl))
    throw new TypeError(
      `The Bitbucket API URL ${baseUrl} would send the access token in clear: use https (plain http only to this machine).`,
    );
  return new URL(baseUrl).origin;
}

/** Throws unless `url` (a JSON request, e.g. a `next` link) is on the API origin. */
export function assertJsonOrigin(url: URL, origin: string, about: RequestAbout): void {
  if (url.origin !== origin)
    throw new BitbucketError(
      `Bitbucket linked ${about.what} in repository ${about.repository} to another origin (${url.origin}); its JSON is only read from ${origin}.`,
      { repository: about.repository },
    );
}

/**
 * Where a redirect may lead: JSON answers stay on the API origin; a file download (Git LFS content on a media
 * host) may leave it, but never for plain http off this machine. The token never follows off the origin either way.
 */
export function redirectTarget(target: URL, origin: string, about: RequestAbout): URL {
  const where = `${about.what} in repository ${about.repository}`;
  if (about.filePath === undefined && target.origin !== origin)
    throw new BitbucketError(
      `Bitbucket redirected ${where} to another origin (${target.origin}); only file downloads may leave ${origin}.`,
      {
        repository: about.repository,
      },
    );
  if (!isTokenSafeUrl(target))
    throw new BitbucketError(`Bitbucket redirected ${where} to ${target.origin}, which is not https; refused.`, {
      repository: about.repository,
    });
  return target;
}
