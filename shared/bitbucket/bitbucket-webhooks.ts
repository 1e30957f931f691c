/**
 * Webhook CRUD on one repository (`/hooks`), used only by the admin CLI to manage the hub's own `repo:push`
 * hook; every call needs the token's `webhook` scope.
 */
import { BitbucketError } from './errors';
import { endpointUrl, repositoryName, repositoryParams, type RepositoryAddress, WEBHOOK_SCOPE } from './bitbucket-endpoints';
import type { BitbucketApi } from './bitbucket-resources';
import { asArray, MAX_JSON_BYTES } from './bitbucket-transport';

/** A repository webhook as Bitbucket describes it (`webhook_subscription`); the secret itself is never returned. */
export interface BitbucketWebhook {
  /** Id with braces, e.g. `{9b2e…}`; the `{uid}` of the hook's URL. */
  uuid: string;
  url: string;
  description: string;
  active: boolean;
  events: string[];
  /** Whether the hook has a secret (Bitbucket never returns the secret itself). */
  secretSet: boolean;
}

/** What can be written to a webhook. `secret` is write-only; leaving it out of an update keeps the stored one. */
export interface BitbucketWebhookInput {
  url: string;
  description: string;
  active: boolean;
  events: string[];
  /** At most 128 characters. */
  secret?: string;
}

/** Lists the repository's webhooks (`GET .../hooks`, every page). */
export async function listWebhooks(api: BitbucketApi, repository: RepositoryAddress): Promise<BitbucketWebhook[]> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'listHooks', { ...repositoryParams(repository) }, { pagelen: '100' });
  const hooks: BitbucketWebhook[] = [];
  for await (const value of api.transport.pagedValues(url, { repository: fullName, what: 'the webhooks', scope: WEBHOOK_SCOPE }))
    hooks.push(toWebhook(value, fullName));
  return hooks;
}

/** Creates a webhook (`POST .../hooks`, answered 201); the transport never repeats a POST that may have arrived. */
export async function createWebhook(
  api: BitbucketApi,
  repository: RepositoryAddress,
  input: BitbucketWebhookInput,
): Promise<BitbucketWebhook> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'createHook', { ...repositoryParams(repository) });
  const json = await api.transport.getJson(url, {
    repository: fullName,
    what: 'the new webhook',
    method: 'POST',
    body: webhookBody(input),
    scope: WEBHOOK_SCOPE,
  });
  return toWebhook(json, fullName);
}

/** Replaces a webhook's settings (`PUT .../hooks/{uid}`); without `secret` the stored secret is kept. */
export async function updateWebhook(
  api: BitbucketApi,
  repository: RepositoryAddress,
  uid: string,
  input: BitbucketWebhookInput,
): Promise<BitbucketWebhook> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'updateHook', { ...repositoryParams(repository), uid: encodeURIComponent(uid) });
  const json = await api.transport.getJson(url, {
    repository: fullName,
    what: `webhook ${uid}`,
    method: 'PUT',
    body: webhookBody(input),
    scope: WEBHOOK_SCOPE,
  });
  return toWebhook(json, fullName);
}

/** Deletes a webhook (`DELETE .../hooks/{uid}`, answered 204). Throws BitbucketNotFoundError when it is gone already. */
export async function deleteWebhook(api: BitbucketApi, repository: RepositoryAddress, uid: string): Promise<void> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'deleteHook', { ...repositoryParams(repository), uid: encodeURIComponent(uid) });
  await api.transport.fetch(url, {
    repository: fullName,
    what: `webhook ${uid}`,
    method: 'DELETE',
    scope: WEBHOOK_SCOPE,
    maxBytes: MAX_JSON_BYTES,
  });
}

function webhookBody(input: BitbucketWebhookInput): Record<string, unknown> {
  return {
    url: input.url,
    description: input.description,
    active: input.active,
    events: input.events,
    ...(input.secret === undefined ? {} : { secret: input.secret }),
  };
}

function toWebhook(value: unknown, fullName: string): BitbucketWebhook {
  const json = (value ?? {}) as {
    uuid?: unknown;
    url?: unknown;
    description?: unknown;
    active?: unknown;
    events?: unknown;
    secret_set?: unknown;
  };
  if (typeof json.uuid !== 'string' || typeof json.url !== 'string') {
    throw new BitbucketError(`Unexpected webhook answer for ${fullName}: uuid or url missing.`, { repository: fullName });
  }
  return {
    uuid: json.uuid,
    url: json.url,
    description: typeof json.description === 'string' ? json.description : '',
    active: json.active === true,
    events: asArray(json.events).filter((event): event is string => typeof event === 'string'),
    secretSet: json.secret_set === true,
  };
}
