// Changing an added repository: a new access token (checked against it, shared tokens replaced where the new one
// reads), a new model pattern, or its removal (webhook, configuration, models, then the token once unused).
import { deleteHubWebhooks, hubIdentity } from '../bitbucket/webhook-setup';
import type { RepositoryConfig } from '../domain/repository-config';
import { removeRepository } from '../domain/repository-lifecycle';
import type { AdminRun } from './admin-run';
import { recordAdminAction } from './admin-trail';
import { explainBitbucketError } from './bitbucket-errors';
import type { HubContext } from './hub-context';
import { locateRepository, recordCurrentName } from './locate-repository';
import { replaceAccessToken, type TokenReplacement } from './replace-token';
import { releaseAccessToken } from './stored-tokens';

/**
 * Replaces the access token of the repository `fullName` names (its name in the hub, or in Bitbucket now after a
 * rename or transfer) and records its current name. Returns the repository as stored and who uses the new token.
 */
export async function changeAccessToken(
  run: AdminRun,
  context: HubContext,
  fullName: string,
  token: string,
): Promise<{ repository: RepositoryConfig; replacement: TokenReplacement }> {
  const client = context.bitbucket(token);
  const located = await locateRepository(context, client, fullName);
  const replacement = await replaceAccessToken(run, context, located.repository, client, token);
  run.note(`Run \`sync ${located.info.fullName}\` to retry a failed sync now.`);
  const repository = await recordCurrentName(run, context, located);
  await recordAdminAction(run, context, 'update', { repository, change: 'token replaced' });
  return { repository, replacement };
}

/** Stores a new model pattern (a sync then re-selects the models); returns the repository as stored. */
export async function changeModelPattern(
  run: AdminRun,
  context: HubContext,
  repository: RepositoryConfig,
  pattern: string,
): Promise<RepositoryConfig> {
  // Read again: a token replacement may have pointed the repository at another stored token.
  const current = (await context.repositories.getRepository(repository.uuid)) ?? repository;
  const changed = { ...current, modelPattern: pattern };
  await context.repositories.updateRepository(changed);
  await recordAdminAction(run, context, 'update', { repository: changed, change: 'model pattern', modelPattern: pattern });
  run.note(`Model pattern of ${changed.fullName} is now ${pattern}.`);
  return changed;
}

/** What removing a repository did. */
export interface Removal {
  /** Hub webhooks deleted in Bitbucket; undefined when kept, or when they could not be deleted (a note says why). */
  readonly webhooksDeleted?: number;
  /** Stored items of its models deleted; undefined when kept. */
  readonly modelItemsDeleted?: number;
  /** The repositories still using its token (empty: the token was deleted). */
  readonly tokenUsers: readonly RepositoryConfig[];
}

/** Stops syncing a repository: its hub webhook, its configuration, its models (unless kept), its token once unused. */
export async function removeAddedRepository(
  run: AdminRun,
  context: HubContext,
  repository: RepositoryConfig,
  options: { keepModels?: boolean; keepWebhook?: boolean },
): Promise<Removal> {
  const webhooksDeleted = options.keepWebhook ? undefined : await deleteWebhooks(run, context, repository);
  // The configuration first (see removeRepository): from now on the verifier refuses pushes, the worker skips the
  // repository, and in-flight syncs undo their own later writes.
  const modelItemsDeleted = await removeRepository(context, repository.uuid, { keepModels: options.keepModels });
  await recordAdminAction(run, context, 'remove', { repository, keptModels: options.keepModels === true });
  const tokenUsers = await releaseAccessToken(context, repository);
  if (tokenUsers.length > 0) run.note(`Its token stays stored: ${tokenUsers.map((user) => user.fullName).join(', ')} still use it.`);
  run.note(
    `Removed ${repository.fullName} ${repository.uuid}: no longer synced, ${tokenUsers.length > 0 ? 'token kept for the others' : 'token deleted'}, ${modelItemsDeleted === undefined ? 'models kept' : `${modelItemsDeleted} stored item(s) of its models deleted`}.`,
  );
  return {
    ...(webhooksDeleted === undefined ? {} : { webhooksDeleted }),
    ...(modelItemsDeleted === undefined ? {} : { modelItemsDeleted }),
    tokenUsers,
  };
}

/** Deletes the hub's webhooks of the repository with its stored token; a failure is a warning (the admin can do it by hand). */
async function deleteWebhooks(run: AdminRun, context: HubContext, repository: RepositoryConfig): Promise<number | undefined> {
  const token = await context.secrets.readToken(repository);
  const removed = token
    ? await deleteHubWebhooks(
        context.bitbucket(token),
        repository,
        hubIdentity(context.target.webhookUrl, context.target.webhookSecretId),
      ).catch((error: unknown) => {
        run.note(
          `warning: could not delete the webhook (${(explainBitbucketError(error, repository.fullName, context.target.bitbucketApiUrl) as Error).message}); delete it in Bitbucket (Repository settings → Webhooks).`,
        );
        return undefined;
      })
    : undefined;
  if (removed !== undefined)
    run.note(
      removed > 0
        ? `Deleted ${removed} hub webhook(s) of ${repository.fullName} in Bitbucket.`
        : `${repository.fullName} had no hub webhook.`,
    );
  return removed;
}
