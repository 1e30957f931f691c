// The use case of setting up a hub's `repo:push` webhook in a repository (create, find again, re-sign, delete),
// over the Bitbucket client; the admin CLI's `repo` and `provider` commands run it.
import { createHash } from 'node:crypto';
import type { BitbucketClient } from './bitbucket-client';
import type { RepositoryAddress } from './bitbucket-endpoints';

// Taken from the client's methods, so this module depends only on the client's public surface.
type BitbucketWebhook = Awaited<ReturnType<BitbucketClient['listWebhooks']>>[number];
type BitbucketWebhookInput = Parameters<BitbucketClient['createWebhook']>[1];

/**
 * Which hub a CLI talks to: its webhook URL, and an id that stays the same when the URL changes (a short hash of
 * the hub's webhook secret id, so several hubs, e.g. staging and production, can share a repository).
 */
export interface HubIdentity {
  readonly webhookUrl: string;
  readonly id: string;
}

/** The identity of the hub whose webhook secret is `webhookSecretId` (a stack's secret ARN, or the local name). */
export function hubIdentity(webhookUrl: string, webhookSecretId: string): HubIdentity {
  return { webhookUrl, id: createHash('sha256').update(webhookSecretId).digest('hex').slice(0, 12) };
}

/** Description of the hooks the CLI creates; the hub id in it lets `--create-webhook` find its own hook again. */
export function webhookDescription(hub: HubIdentity): string {
  return `Model Hub sync (managed by model-hub-sync, hub ${hub.id})`;
}

/** Whether a repository hook is this hub's: it posts to the hub's URL or carries this hub's id. */
export function isHubWebhook(hook: BitbucketWebhook, hub: HubIdentity): boolean {
  return hook.url === hub.webhookUrl || hook.description.includes(`hub ${hub.id})`);
}

/** The settings of the hub's hook: active, `repo:push` only, signed with `secret`. */
function hubWebhookInput(hub: HubIdentity, secret: string): BitbucketWebhookInput {
  return { url: hub.webhookUrl, description: webhookDescription(hub), active: true, events: ['repo:push'], secret };
}

/** This hub's hooks of a repository, the one posting to its current URL first. */
async function findHubWebhooks(client: BitbucketClient, repository: RepositoryAddress, hub: HubIdentity): Promise<BitbucketWebhook[]> {
  const ours = (await client.listWebhooks(repository)).filter((hook) => isHubWebhook(hook, hub));
  return ours.sort((a, b) => Number(b.url === hub.webhookUrl) - Number(a.url === hub.webhookUrl));
}

/** Result of {@link ensureHubWebhook}. */
export interface EnsuredWebhook {
  readonly action: 'created' | 'updated';
  readonly hook: BitbucketWebhook;
  /** Further hooks that also look like the hub's (made by hand, or another hub URL): left alone. */
  readonly others: readonly BitbucketWebhook[];
}

/** Creates the hub's `repo:push` hook, or updates it (URL, events, secret) when the repository has one already. */
export async function ensureHubWebhook(
  client: BitbucketClient,
  repository: RepositoryAddress,
  hub: HubIdentity,
  secret: string,
): Promise<EnsuredWebhook> {
  // Prefer the hook that already posts to this hub; the others are reported, never deleted behind the admin's back.
  const [existing, ...others] = await findHubWebhooks(client, repository, hub);
  if (existing)
    return { action: 'updated', hook: await client.updateWebhook(repository, existing.uuid, hubWebhookInput(hub, secret)), others };
  return { action: 'created', hook: await client.createWebhook(repository, hubWebhookInput(hub, secret)), others: [] };
}

/** Sets a new secret on every hub hook of the repository; returns how many were updated (0: it has none). */
export async function updateHubWebhookSecret(
  client: BitbucketClient,
  repository: RepositoryAddress,
  hub: HubIdentity,
  secret: string,
): Promise<number> {
  const ours = await findHubWebhooks(client, repository, hub);
  for (const hook of ours) {
    await client.updateWebhook(repository, hook.uuid, {
      url: hook.url,
      description: hook.description,
      active: hook.active,
      events: hook.events,
      secret,
    });
  }
  return ours.length;
}

/** Deletes the hub's hooks of the repository; returns how many. */
export async function deleteHubWebhooks(client: BitbucketClient, repository: RepositoryAddress, hub: HubIdentity): Promise<number> {
  const ours = await findHubWebhooks(client, repository, hub);
  for (const hook of ours) await client.deleteWebhook(repository, hook.uuid);
  return ours.length;
}
