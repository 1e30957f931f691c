// The Bitbucket Cloud provider's use cases: what the hub's webhook setup looks like, and the webhook secret's
// rotation (rotate, put the new secret on every hub webhook once the verifiers know it, finish).
import type { WebhookSecretState } from '../aws/hub-secrets';
import type { RepositoryConfig } from '../domain/repository-config';
import { hubIdentity, updateHubWebhookSecret } from '../bitbucket/webhook-setup';
import type { StoredTokenJson, WebhookUpdateJson } from './api-types';
import type { AdminRun } from './admin-run';
import { recordAdminAction } from './admin-trail';
import { explainBitbucketError } from './bitbucket-errors';
import { AdminError } from './errors';
import type { HubContext } from './hub-context';

/** What `provider show --json` prints. */
export interface ProviderInfo {
  provider: 'bitbucket-cloud';
  hub: string;
  webhookUrl: string;
  webhookEvents: string[];
  webhookSecretId: string;
  secretSet: boolean;
  rotation: { inProgress: boolean; since: string | null };
  bitbucketApiUrl: string;
  repositories: number;
  tokens: StoredTokenJson[];
}

/** The provider's setup and the webhook secret's state (never the secret), with the secret's state itself. */
export async function providerInfo(context: HubContext): Promise<{ info: ProviderInfo; state: WebhookSecretState | undefined }> {
  const state = await context.secrets.readWebhookSecret();
  const repositories = await context.repositories.listRepositories();
  const info: ProviderInfo = {
    provider: 'bitbucket-cloud',
    hub: context.target.description,
    webhookUrl: context.target.webhookUrl,
    webhookEvents: ['repo:push'],
    webhookSecretId: context.target.webhookSecretId,
    secretSet: Boolean(state?.current),
    rotation: state?.previous ? { inProgress: true, since: state.rotatedAt ?? null } : { inProgress: false, since: null },
    bitbucketApiUrl: context.target.bitbucketApiUrl,
    repositories: repositories.length,
    tokens: storedTokens(context, repositories),
  };
  return { info, state };
}

/** The stored access tokens and the repositories using each (a workspace token serves several). */
export function storedTokens(context: HubContext, repositories: readonly RepositoryConfig[]): StoredTokenJson[] {
  const tokens = new Map<string, { tokenId: string | null; secretName: string; repositories: string[] }>();
  for (const repository of repositories) {
    const secretName = context.secrets.tokenSecretName(repository);
    const token = tokens.get(secretName) ?? { tokenId: repository.tokenId ?? null, secretName, repositories: [] };
    token.repositories.push(repository.fullName);
    tokens.set(secretName, token);
  }
  return [...tokens.values()];
}

/** The stored webhook secret, or an error saying how to create one. */
export async function readSecretOrFail(context: HubContext): Promise<WebhookSecretState> {
  const state = await context.secrets.readWebhookSecret();
  if (!state?.current) {
    throw new AdminError(`the webhook secret ${context.target.webhookSecretId} is missing or has no "current" value`, {
      hint: 'create one with `provider rotate-secret`',
      code: 'conflict',
    });
  }
  return state;
}

/** Milliseconds until every verifier has re-read the secret written at `rotatedAt` (0 when already). */
export function cacheWaitMs(run: AdminRun, state: WebhookSecretState): number {
  if (!state.previous || !state.rotatedAt) return 0;
  return Math.max(0, run.secretCacheSeconds * 1000 - (run.now().getTime() - Date.parse(state.rotatedAt)));
}

/** A new webhook secret, stored next to the previous one (both accepted until the rotation is finished). */
export async function rotateWebhookSecret(run: AdminRun, context: HubContext): Promise<WebhookSecretState & { rotatedAt: string }> {
  const state = await context.secrets.readWebhookSecret();
  if (state?.previous) {
    throw new AdminError(`a rotation is already in progress (since ${state.rotatedAt ?? 'an unknown time'})`, {
      hint: 'finish it with `provider finish-rotation` once every webhook has the current secret, then rotate again',
      code: 'conflict',
    });
  }
  const rotatedAt = run.now().toISOString();
  // Loaded here: it brings the Secrets Manager SDK, which the CLI's start-up (`--help`) does without.
  const { generateWebhookSecret } = await import('../aws/hub-secrets.ts');
  const next = { current: generateWebhookSecret(), previous: state?.current ?? '', rotatedAt };
  await context.secrets.writeWebhookSecret(next);
  await recordAdminAction(run, context, 'rotate-secret', { secretId: context.target.webhookSecretId });
  return next;
}

/**
 * Sets the current secret on the hub's webhook of every added repository. Webhooks may only sign with the new
 * secret once every verifier knows it: `waitOut` is given the time left of the verifiers' secret cache after a
 * rotation (the CLI sleeps it away, the API answers "try again then").
 */
export async function updateAllWebhooks(
  run: AdminRun,
  context: HubContext,
  state: WebhookSecretState,
  options: { skipCacheWait: boolean; waitOut(ms: number): Promise<void> },
): Promise<WebhookUpdateJson[]> {
  const wait = options.skipCacheWait ? 0 : cacheWaitMs(run, state);
  if (wait > 0) await options.waitOut(wait);
  const updates: WebhookUpdateJson[] = [];
  for (const repository of await context.repositories.listRepositories()) {
    try {
      const token = await context.secrets.readToken(repository);
      if (!token) throw new AdminError('no access token is stored for it (use `repo update` to store one)');
      const count = await updateHubWebhookSecret(
        context.bitbucket(token),
        repository,
        hubIdentity(context.target.webhookUrl, context.target.webhookSecretId),
        state.current,
      ).catch((error: unknown) => {
        throw explainBitbucketError(error, repository.fullName, context.target.bitbucketApiUrl);
      });
      updates.push({ repository: repository.fullName, result: count > 0 ? 'updated' : 'missing' });
      run.note(
        count > 0
          ? `  ${repository.fullName}: webhook secret updated`
          : `  ${repository.fullName}: no hub webhook (create it with \`repo add ${repository.fullName} --create-webhook\`, or update a hand-made one)`,
      );
    } catch (error) {
      updates.push({ repository: repository.fullName, result: 'failed', error: (error as Error).message });
      run.note(`  ${repository.fullName}: FAILED: ${(error as Error).message}`);
    }
  }
  return updates;
}

/** The error to report when some webhook could not be updated, else undefined. */
export function webhookUpdateProblem(updates: readonly WebhookUpdateJson[]): AdminError | undefined {
  const failed = updates.filter((update) => update.result === 'failed');
  if (failed.length === 0) return undefined;
  return new AdminError(`the webhook secret could not be updated for ${failed.map((update) => update.repository).join(', ')}`, {
    hint: 'fix the cause shown above, then run `provider update-webhooks`; do not finish the rotation before every webhook has the new secret',
  });
}

/** Stops accepting the previous secret; refused before the verifiers know the new one, unless `force`. */
export async function finishRotation(run: AdminRun, context: HubContext, options: { force?: boolean }): Promise<void> {
  const state = await readSecretOrFail(context);
  if (!state.previous)
    throw new AdminError('no rotation is in progress: only the current secret is accepted', {
      hint: 'start one with `provider rotate-secret`',
      code: 'conflict',
    });
  const wait = cacheWaitMs(run, state);
  if (wait > 0 && !options.force) {
    throw new AdminError(`the rotation started less than ${run.secretCacheSeconds} s ago: some verifiers may not know the new secret yet`, {
      hint: `wait ${Math.ceil(wait / 1000)} s (and until every webhook has the new secret), then run this again`,
      code: 'conflict',
      retryAfterSeconds: Math.ceil(wait / 1000),
    });
  }
  await context.secrets.writeWebhookSecret({
    current: state.current,
    previous: '',
    ...(state.rotatedAt ? { rotatedAt: state.rotatedAt } : {}),
  });
  await recordAdminAction(run, context, 'finish-rotation', {
    secretId: context.target.webhookSecretId,
    ...(options.force ? { forced: true } : {}),
  });
  run.note(
    `Rotation finished: only the new secret is accepted (verifiers drop the previous one within ${run.secretCacheSeconds} s). Deliveries signed with the old secret are refused from then on: see \`events --failed\`.`,
  );
}
