// What `repo add` does for one repository, whether named (`ws/slug`) or picked from a workspace listing: check the
// token against it, store the repository with a reference to the (shared) token, and create its webhook.
import type { BitbucketClient } from '../bitbucket/bitbucket-client';
import type { BitbucketRepositoryInfo } from '../bitbucket/bitbucket-resources';
import { ensureHubWebhook, hubIdentity, type EnsuredWebhook } from '../bitbucket/webhook-setup';
import type { RepositoryConfig } from '../domain/repository-config';
import { DEFAULT_MODEL_PATTERN } from '../models/model-selection';
import { addRepository } from '../domain/repository-lifecycle';
import { recordAdminAction } from './admin-trail';
import { explainBitbucketError } from './bitbucket-errors';
import type { AdminRun } from './admin-run';
import { AdminError } from './errors';
import type { HubContext } from './hub-context';
import { releaseAccessToken, type StoredToken } from './stored-tokens';

/** The `repo add` options that shape how a repository is added. */
export interface AddOptions {
  pattern: string;
  createWebhook?: boolean;
  webhookUrl?: string;
}

/** A repository just added (or re-added): its Bitbucket facts, its stored configuration and its webhook. */
export interface AddedRepository {
  readonly info: BitbucketRepositoryInfo;
  readonly config: RepositoryConfig;
  /** True when it was added before (its token and pattern are replaced). */
  readonly existing: boolean;
  readonly webhook?: EnsuredWebhook;
}

/**
 * Checks that the token reads the repository and, with `--create-webhook`, may manage its webhooks; before
 * anything is stored, so a token lacking a scope changes nothing.
 */
export async function checkRepositoryAccess(
  run: AdminRun,
  context: HubContext,
  client: BitbucketClient,
  fullName: string,
  options: AddOptions,
): Promise<BitbucketRepositoryInfo> {
  const apiUrl = context.target.bitbucketApiUrl;
  const info = await client.getRepository(fullName).catch((error: unknown) => {
    throw explainBitbucketError(error, fullName, apiUrl);
  });
  run.note(
    `Bitbucket: ${info.fullName} ${info.uuid}, default branch ${info.mainBranch ?? '(none yet: the repository is empty)'}; the token can read it.`,
  );
  if (options.createWebhook) {
    await client.listWebhooks(info).catch((error: unknown) => {
      throw explainBitbucketError(error, info.fullName, apiUrl);
    });
    const webhookUrl = options.webhookUrl ?? context.target.webhookUrl;
    if (isLoopback(webhookUrl) && !isLoopback(apiUrl)) {
      run.note(
        `warning: Bitbucket Cloud cannot reach ${webhookUrl}; expose the local hub through a tunnel and pass its public URL with --webhook-url.`,
      );
    }
  }
  return info;
}

/**
 * Stores a checked repository: the token first (a push may arrive as soon as the repository is added, and the
 * worker needs it then), then the configuration referencing it, then the webhook. `storeToken` is called once
 * per command, so repositories added together share one stored token.
 */
export async function addCheckedRepository(
  run: AdminRun,
  context: HubContext,
  client: BitbucketClient,
  info: BitbucketRepositoryInfo,
  storeToken: () => Promise<StoredToken>,
  options: AddOptions,
): Promise<AddedRepository> {
  const existing = await context.repositories.getRepository(info.uuid);
  const token = await storeToken();
  const config: RepositoryConfig = {
    uuid: info.uuid,
    fullName: info.fullName,
    ...(info.workspaceUuid ? { workspaceUuid: info.workspaceUuid } : {}),
    modelPattern: existing && options.pattern === DEFAULT_MODEL_PATTERN ? existing.modelPattern : options.pattern,
    addedAt: existing?.addedAt ?? run.now().toISOString(),
    tokenId: token.tokenId,
  };
  // Re-adding keeps the generation; a new repository gets one (and anything an earlier, removed one left is swept).
  if (existing)
    await context.repositories.updateRepository({ ...config, ...(existing.generation ? { generation: existing.generation } : {}) });
  else await addRepository(context, config, run.now());
  await recordAdminAction(run, context, existing ? 'update' : 'add', {
    repository: config,
    modelPattern: config.modelPattern,
    tokenId: config.tokenId,
    ...(existing ? { change: 'token replaced by repo add' } : {}),
  });
  const secretName = context.secrets.tokenSecretName({ tokenId: token.tokenId });
  const sharedWith = token.users.filter((user) => user.uuid !== info.uuid).map((user) => user.fullName);
  const stored = token.reused
    ? `it uses the token already stored as secret ${secretName}${sharedWith.length > 0 ? ` (shared with ${sharedWith.join(', ')})` : ''}`
    : `its token is stored as secret ${secretName}`;
  run.note(
    existing
      ? `${info.fullName} was already added (since ${existing.addedAt}): its token is replaced (${stored}), pattern ${config.modelPattern}.`
      : `Added ${info.fullName} (pattern ${config.modelPattern}); ${stored}.`,
  );
  if (existing && existing.tokenId !== config.tokenId) {
    const stillUsing = await releaseAccessToken(context, existing);
    if (stillUsing.length > 0) run.note(`Its previous token stays stored for ${stillUsing.map((user) => user.fullName).join(', ')}.`);
  }

  const webhookUrl = options.webhookUrl ?? context.target.webhookUrl;
  let webhook: EnsuredWebhook | undefined;
  if (options.createWebhook) {
    const secret = await context.secrets.readWebhookSecret();
    if (!secret?.current)
      throw new AdminError(`the hub's webhook secret ${context.target.webhookSecretId} is missing or empty`, {
        hint: 'create one with `provider rotate-secret`, then run this command again',
      });
    webhook = await ensureHubWebhook(client, info, hubIdentity(webhookUrl, context.target.webhookSecretId), secret.current).catch(
      (error: unknown) => {
        throw explainBitbucketError(error, info.fullName, context.target.bitbucketApiUrl);
      },
    );
    run.note(
      `Webhook ${webhook.action}: ${webhook.hook.url} (repo:push, signed with the hub's secret)${webhook.action === 'updated' ? ' — the existing hub webhook was reused' : ''}.`,
    );
    for (const other of webhook.others)
      run.note(
        `warning: ${info.fullName} has another webhook that looks like the hub's: ${other.url} ${other.uuid}; delete it in Bitbucket if it is stale.`,
      );
    const rotation =
      secret.previous && secret.rotatedAt ? run.secretCacheSeconds * 1000 - (run.now().getTime() - Date.parse(secret.rotatedAt)) : 0;
    if (rotation > 0)
      run.note(
        `warning: the webhook secret was rotated less than ${run.secretCacheSeconds} s ago; deliveries may be refused for up to ${Math.ceil(rotation / 1000)} s more (the reconciler catches up).`,
      );
  } else if (!existing) {
    run.note(
      `No webhook created: pass --create-webhook, or add one in Bitbucket to ${webhookUrl} (repo:push, with the secret from \`provider show\`'s instructions).`,
    );
  }
  return { info, config, existing: existing !== undefined, ...(webhook ? { webhook } : {}) };
}

/** Runs `store` at most once, however often the returned function is called (one stored token per command). */
export function once<T>(store: () => Promise<T>): () => Promise<T> {
  let stored: Promise<T> | undefined;
  return () => (stored ??= store());
}

/** Whether a URL points at this machine (Bitbucket Cloud cannot deliver there). */
function isLoopback(url: string): boolean {
  try {
    return ['localhost', '127.0.0.1', '[::1]'].includes(new URL(url).hostname);
  } catch {
    return false;
  }
}
