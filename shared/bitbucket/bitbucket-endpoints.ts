/**
 * The Bitbucket Cloud REST endpoints the client calls and how their URLs are built, in one place so the
 * contract test can check every URL the client can produce against Atlassian's OpenAPI document.
 */

/**
 * Every Bitbucket Cloud REST endpoint the client calls: method, path template (relative to `/2.0`, spelled as
 * in Atlassian's OpenAPI document) and the query parameters the client adds itself. The client builds its
 * URLs from these entries, so the contract test checks the real list. `next` links are followed as given.
 */
export const BITBUCKET_ENDPOINTS = {
  repository: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}', query: [] },
  // The admin CLI lists a workspace to pick repositories from (`repo add <workspace>`).
  workspaceRepositories: { method: 'GET', template: '/repositories/{workspace}', query: ['pagelen'] },
  branch: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/refs/branches/{name}', query: [] },
  diffstat: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/diffstat/{spec}', query: ['topic', 'pagelen'] },
  src: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/src/{commit}/{path}', query: ['max_depth', 'pagelen', 'format'] },
  // Webhooks (the admin CLI manages the hub's own `repo:push` hook; they need the token's `webhook` scope).
  listHooks: { method: 'GET', template: '/repositories/{workspace}/{repo_slug}/hooks', query: ['pagelen'] },
  createHook: { method: 'POST', template: '/repositories/{workspace}/{repo_slug}/hooks', query: [] },
  updateHook: { method: 'PUT', template: '/repositories/{workspace}/{repo_slug}/hooks/{uid}', query: [] },
  deleteHook: { method: 'DELETE', template: '/repositories/{workspace}/{repo_slug}/hooks/{uid}', query: [] },
} as const satisfies Record<string, { method: 'GET' | 'POST' | 'PUT' | 'DELETE'; template: string; query: readonly string[] }>;

export type BitbucketEndpointName = keyof typeof BITBUCKET_ENDPOINTS;

/** Bitbucket Cloud's REST API root, unless configured otherwise. */
export const DEFAULT_BITBUCKET_API_URL = 'https://api.bitbucket.org/2.0';

/** Scope a repository access token needs to read repositories and their source. */
export const REPOSITORY_SCOPE = 'repository';
/** Scope a repository access token needs to read and write webhooks. */
export const WEBHOOK_SCOPE = 'webhook';

/**
 * The URL of endpoint `name` under `baseUrl` (no trailing slash): `params` fill the template's `{…}` as given
 * (already encoded), `query` may only hold the parameters the endpoint declares.
 */
export function endpointUrl(
  baseUrl: string,
  name: BitbucketEndpointName,
  params: Record<string, string>,
  query: Record<string, string> = {},
): string {
  const endpoint = BITBUCKET_ENDPOINTS[name];
  const path = endpoint.template.replace(/\{(\w+)\}/g, (_, key: string) => {
    const value = params[key];
    if (value === undefined) throw new TypeError(`missing URL parameter ${key}`);
    return value;
  });
  const allowed: readonly string[] = endpoint.query;
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    // Keeps BITBUCKET_ENDPOINTS honest: the contract test checks only what is listed there.
    if (!allowed.includes(key)) throw new TypeError(`query parameter ${key} is not declared for ${endpoint.template}`);
    search.set(key, value);
  }
  const qs = search.toString();
  return `${baseUrl}${path}${qs ? `?${qs}` : ''}`;
}

/**
 * How a call names a stored repository: its full name (what messages show, and the address of last resort) and,
 * when known, the uuids of the repository and of its workspace, which survive renames and transfers.
 */
export interface RepositoryRef {
  /** `workspace/repo_slug`, as last known. */
  readonly fullName: string;
  /** With braces, e.g. `{3deb8c29-778a-450c-8f69-3e50a18079df}`. */
  readonly uuid?: string;
  /** The workspace's uuid, with braces. */
  readonly workspaceUuid?: string;
}

/** A repository as the client's calls take it: a name typed by an admin (`workspace/repo_slug`), or a reference. */
export type RepositoryAddress = string | RepositoryRef;

const BRACED_UUID = /^\{[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}$/i;

/**
 * The `{workspace}` and `{repo_slug}` of a repository's URLs: `{workspace-uuid}/{repo-uuid}` (braces
 * percent-encoded, as Atlassian's spec allows for both parameters) when both uuids are known, so a repository
 * renamed or transferred since its name was stored is still found; else its full name.
 */
export function repositoryParams(repository: RepositoryAddress): { workspace: string; repo_slug: string } {
  if (typeof repository !== 'string' && isBracedUuid(repository.uuid) && isBracedUuid(repository.workspaceUuid))
    return { workspace: encodeURIComponent(repository.workspaceUuid), repo_slug: encodeURIComponent(repository.uuid) };
  return splitFullName(repositoryName(repository));
}

/** The human name of a repository, for messages and logs (never its uuids). */
export function repositoryName(repository: RepositoryAddress): string {
  return typeof repository === 'string' ? repository : repository.fullName;
}

function isBracedUuid(value: string | undefined): value is string {
  return value !== undefined && BRACED_UUID.test(value);
}

/** Splits and percent-encodes `workspace/repo_slug`. */
export function splitFullName(fullName: string): { workspace: string; repo_slug: string } {
  const parts = fullName.split('/');
  if (parts.length !== 2 || !parts[0] || !parts[1])
    throw new TypeError(`repository name must be "workspace/repo_slug", got ${JSON.stringify(fullName)}`);
  return { workspace: encodeURIComponent(parts[0]), repo_slug: encodeURIComponent(parts[1]) };
}

/** Percent-encodes each segment but keeps `/` literal: Bitbucket 404s on `%2F` in `/src` paths. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
