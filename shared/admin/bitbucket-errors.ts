// Turns Bitbucket's errors about a repository or its token into messages an admin can act on.
import { BitbucketAuthError, BitbucketError, BitbucketNotFoundError } from '../bitbucket/errors';
import { AdminError } from './errors';

const TOKEN_HELP =
  'create a repository access token in Bitbucket (Repository settings → Security → Access tokens) with the scopes Repositories: Read and Webhooks: Read and write, then pass it on standard input or in BITBUCKET_ACCESS_TOKEN';

/** Explains a Bitbucket error met while checking or using a repository access token. */
export function explainBitbucketError(error: unknown, fullName: string, apiUrl: string): unknown {
  if (error instanceof BitbucketAuthError) {
    if (error.status === 401) {
      return new AdminError(
        `Bitbucket rejected the access token for ${fullName} (HTTP 401): it is invalid, expired, revoked, or belongs to another repository`,
        { hint: TOKEN_HELP, code: 'bitbucket-refused', cause: error },
      );
    }
    const scope = error.missingScopes?.[0] ?? error.scope;
    const label = scope === 'webhook' ? 'Webhooks: Read and write' : scope === 'repository' ? 'Repositories: Read' : scope;
    return new AdminError(`the access token for ${fullName} lacks the "${scope}" scope (${label}) (HTTP 403)`, {
      hint: `access tokens cannot gain scopes: create a new one with ${label}${scope === 'webhook' ? ' (or leave out --create-webhook and add the webhook by hand)' : ''}`,
      code: 'bitbucket-refused',
      cause: error,
    });
  }
  if (error instanceof BitbucketNotFoundError) {
    return new AdminError(`Bitbucket has no repository ${fullName} at ${apiUrl} (HTTP 404)`, {
      hint: 'check the workspace and slug (as in bitbucket.org/<workspace>/<slug>) and that the token belongs to this repository',
      code: 'bitbucket-refused',
      cause: error,
    });
  }
  if (error instanceof BitbucketError) {
    return new AdminError(error.message, {
      hint: `check the network and the Bitbucket API URL (${apiUrl}; --bitbucket-api-url or BITBUCKET_API_URL), then try again`,
      code: 'upstream-unavailable',
      cause: error,
    });
  }
  return error;
}
