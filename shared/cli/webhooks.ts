import type { BitbucketClient, BitbucketWebhook, BitbucketWebhookInput } from '../bitbucket/bitbucket-client';

/**
 * Description of the hooks the CLI creates. Together with the URL it identifies "our" hook, so a second
 * `--create-webhook` updates it instead of adding another, also after the hub's URL changed.
 */
export const WEBHOOK_DESCRIPTION = 'Model Hub sync (managed by model-hub-sync)';
const WEBHOOK_MARKER = 'model-hub-sync';

/** Whether a repository hook is the hub's: it posts to the hub's URL or carries the CLI's description. */
export function isHubWebhook(hook: BitbucketWebhook, webhookUrl: string): boolean {
  return hook.url === webhookUrl || hook.description.includes(WEBHOOK_MARKER);
}

/** The settings of the hub's hook: active, `repo:push` only, signed with `secret`. */
export function hubWebhookInput(webhookUrl: string, secret: string): BitbucketWebhookInput {
  return { url: webhookUrl, description: WEBHOOK_DESCRIPTION, active: true, events: ['repo:push'], secret };
}

/** Result of {@link ensureHubWebhook}. */
export interface EnsuredWebhook {
  readonly action: 'created' | 'updated';
  readonly hook: BitbucketWebhook;
  /** Further hooks that also look like the hub's (made by hand, or another hub URL): left alone. */
  readonly others: readonly BitbucketWebhook[];
}

/** Creates the hub's `repo:push` hook, or updates it (URL, events, secret) when the repository has one already. */
export async function ensureHubWebhook(client: BitbucketClient, fullName: string, webhookUrl: string, secret: string): Promise<EnsuredWebhook> {
  const ours = (await client.listWebhooks(fullName)).filter((hook) => isHubWebhook(hook, webhookUrl));
  // Prefer the hook that already posts to this hub; the others are reported, never deleted behind the admin's back.
  ours.sort((a, b) => Number(b.url === webhookUrl) - Number(a.url === webhookUrl));
  const [existing, ...others] = ours;
  if (existing) return { action: 'updated', hook: await client.updateWebhook(fullName, existing.uuid, hubWebhookInput(webhookUrl, secret)), others };
  return { action: 'created', hook: await client.createWebhook(fullName, hubWebhookInput(webhookUrl, secret)), others: [] };
}

/** Sets a new secret on every hub hook of the repository; returns how many were updated (0: it has none). */
export async function updateHubWebhookSecret(client: BitbucketClient, fullName: string, webhookUrl: string, secret: string): Promise<number> {
  const ours = (await client.listWebhooks(fullName)).filter((hook) => isHubWebhook(hook, webhookUrl));
  for (const hook of ours) {
    await client.updateWebhook(fullName, hook.uuid, { url: hook.url, description: hook.description, active: hook.active, events: hook.events, secret });
  }
  return ours.length;
}

/** Deletes the hub's hooks of the repository; returns how many. */
export async function deleteHubWebhooks(client: BitbucketClient, fullName: string, webhookUrl: string): Promise<number> {
  const ours = (await client.listWebhooks(fullName)).filter((hook) => isHubWebhook(hook, webhookUrl));
  for (const hook of ours) await client.deleteWebhook(fullName, hook.uuid);
  return ours.length;
}
