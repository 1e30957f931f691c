// `hub repo …`: adding, listing, syncing and removing repositories, the admin's everyday commands.
import type { Command } from 'commander';
import type { RepositoryConfig } from '../../shared/domain/repository-config';
import { removeRepository } from '../../shared/domain/repository-lifecycle';
import type { SyncRunEvent } from '../../shared/domain/logged-event';
import type { SyncState } from '../../shared/domain/sync/ports';
import { explainBitbucketError } from '../bitbucket-errors';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../hub-context';
import { parseRepositoryName } from '../repository-name';
import { locateRepository, recordCurrentName } from '../locate-repository';
import { formatTable, printJson, shortCommit } from '../output';
import { replaceAccessToken } from '../replace-token';
import { releaseAccessToken } from '../stored-tokens';
import { readAccessToken } from '../token-input';
import { parseTimeout, syncAndMaybeWait, type WaitFlags } from '../wait-for-sync';
import { deleteHubWebhooks, hubIdentity } from '../../shared/bitbucket/webhook-setup';
import { registerRepoAddCommand } from './repo-add';
import { registerRepoShowCommand } from './repo-show';
import { recordAdminAction } from '../admin-trail';

/** One line of `repo list --json`. */
export interface RepositoryListing {
  repository: string;
  uuid: string;
  branch: string | null;
  syncedCommit: string | null;
  /** pending (never synced), syncing, synced, failed, rate-limited, empty (no default branch). */
  status: string;
  lastSyncAt: string | null;
  models: number;
  modelPattern: string;
  /** Why the last run failed, when `status` is failed. */
  reason?: string;
  /** Files done / total of a running sync. */
  progress?: { done: number; total: number };
}

/** Registers `repo add | list | update | remove`. */
export function registerRepoCommands(program: Command, kit: CommandKit): void {
  const repo = program.command('repo').description('add, list, update and remove replicated Bitbucket repositories');

  registerRepoAddCommand(repo, kit);
  registerRepoShowCommand(repo, kit);

  repo
    .command('list')
    .description('list the added repositories: branch, synced commit, status, last sync time, model count')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const listings: RepositoryListing[] = [];
        for (const repository of await context.repositories.listRepositories())
          listings.push(await describeRepository(context, repository, kit.now()));
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          kit.note(`No repositories are added to ${context.target.description}; add one with \`repo add <workspace/slug>\`.`);
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            ['repository', 'branch', 'synced', 'status', 'last sync', 'models'],
            listings.map((l) => [
              l.repository,
              l.branch,
              shortCommit(l.syncedCommit),
              l.progress
                ? `${l.status} ${l.progress.done}/${l.progress.total}`
                : l.reason
                  ? `${l.status}: ${l.reason.slice(0, 80)}`
                  : l.status,
              l.lastSyncAt,
              l.models,
            ]),
          ),
        );
      });
    });

  repo
    .command('update')
    .description('replace the access token (stdin or BITBUCKET_ACCESS_TOKEN) and/or the model pattern')
    .argument('<workspace/slug>', 'an added repository (with a token also its name in Bitbucket now, after a rename or transfer)')
    .option('--pattern <glob>', 'new gitignore-style pattern of model files (re-selects the models with a sync)')
    .option('--no-wait', 'queue the sync a pattern change needs and return')
    .option('--timeout <seconds>', 'how long to wait for the sync', parseTimeout, 1800)
    .action(async (fullName: string, options: { pattern?: string } & WaitFlags, command: Command) => {
      let token: string | undefined;
      await kit.runWithoutContext(command, async () => {
        parseRepositoryName(fullName);
        token = await readAccessToken(kit.deps, { required: options.pattern === undefined, ask: options.pattern === undefined });
      });
      await kit.run(command, async (context) => {
        let repository: RepositoryConfig;
        if (token) {
          const client = context.bitbucket(token);
          const located = await locateRepository(context, client, fullName);
          await replaceAccessToken(kit, context, located.repository, client, token);
          kit.note(`Run \`sync ${located.info.fullName}\` to retry a failed sync now.`);
          repository = await recordCurrentName(kit, context, located);
          await recordAdminAction(kit, context, 'update', { repository, change: 'token replaced' });
        } else repository = await context.findRepository(fullName);
        if (options.pattern !== undefined) {
          // Read again: the token replacement may have pointed the repository at another stored token.
          const current = (await context.repositories.getRepository(repository.uuid)) ?? repository;
          repository = { ...current, modelPattern: options.pattern };
          await context.repositories.updateRepository(repository);
          await recordAdminAction(kit, context, 'update', { repository, change: 'model pattern', modelPattern: options.pattern });
        }
        if (options.pattern !== undefined) {
          kit.note(`Model pattern of ${repository.fullName} is now ${options.pattern}.`);
          await syncAndMaybeWait(kit, context, repository, {}, options, 'A sync with the new pattern');
        }
      });
    });

  repo
    .command('remove')
    .description('stop syncing a repository: delete its webhook, token and models (unless --keep-models)')
    .argument('<workspace/slug>', 'an added repository')
    .option('--keep-models', 'keep the replicated models in the models table')
    .option('--keep-webhook', "leave the repository's webhook in Bitbucket")
    .action(async (fullName: string, options: { keepModels?: boolean; keepWebhook?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const repository = await context.findRepository(fullName);
        if (!options.keepWebhook) {
          const token = await context.secrets.readToken(repository);
          const removed = token
            ? await deleteHubWebhooks(
                context.bitbucket(token),
                repository,
                hubIdentity(context.target.webhookUrl, context.target.webhookSecretId),
              ).catch((error: unknown) => {
                kit.note(
                  `warning: could not delete the webhook (${(explainBitbucketError(error, repository.fullName, context.target.bitbucketApiUrl) as Error).message}); delete it in Bitbucket (Repository settings → Webhooks).`,
                );
                return undefined;
              })
            : undefined;
          if (removed !== undefined)
            kit.note(
              removed > 0
                ? `Deleted ${removed} hub webhook(s) of ${repository.fullName} in Bitbucket.`
                : `${repository.fullName} had no hub webhook.`,
            );
        }
        // The configuration first: from now on the verifier refuses pushes and the worker skips the repository.
        // The configuration first (see removeRepository): in-flight syncs then undo their own later writes.
        const models = await removeRepository(context, repository.uuid, { keepModels: options.keepModels });
        await recordAdminAction(kit, context, 'remove', { repository, keptModels: options.keepModels === true });
        const tokenUsers = await releaseAccessToken(context, repository);
        if (tokenUsers.length > 0) kit.note(`Its token stays stored: ${tokenUsers.map((user) => user.fullName).join(', ')} still use it.`);
        kit.note(
          `Removed ${repository.fullName} ${repository.uuid}: no longer synced, ${tokenUsers.length > 0 ? 'token kept for the others' : 'token deleted'}, ${models === undefined ? 'models kept' : `${models} stored item(s) of its models deleted`}.`,
        );
      });
    });
}

/** The listing of one repository: its sync state, its last failed run, and its model count. */
export async function describeRepository(context: HubContext, repository: RepositoryConfig, now: Date): Promise<RepositoryListing> {
  const [state, models, events] = await Promise.all([
    context.repositories.getSyncState(repository.uuid),
    context.models.listModels(repository.uuid),
    context.events.list({ repositoryUuid: repository.uuid, limit: 20 }),
  ]);
  const lastRun = events.find((event): event is SyncRunEvent => event.kind === 'sync' && event.outcome !== 'partial');
  const { status, reason } = statusOf(state, lastRun, now);
  return {
    repository: repository.fullName,
    uuid: repository.uuid,
    branch: state.branch ?? state.progress?.branch ?? null,
    syncedCommit: state.cursor ?? null,
    status,
    lastSyncAt: lastRun?.at ?? state.lastRun?.at ?? null,
    models: models.length,
    modelPattern: repository.modelPattern,
    ...(reason ? { reason } : {}),
    ...(state.progress?.total !== undefined ? { progress: { done: state.progress.done ?? 0, total: state.progress.total } } : {}),
  };
}

function statusOf(state: SyncState, lastRun: SyncRunEvent | undefined, now: Date): { status: string; reason?: string } {
  if (state.notBefore && Date.parse(state.notBefore) > now.getTime()) return { status: 'rate-limited', reason: `until ${state.notBefore}` };
  if (state.progress) return { status: 'syncing' };
  // Failures are not in the sync state (the run did not finish): the events log has them.
  if (lastRun?.outcome === 'failed' && (!state.lastRun || lastRun.at >= state.lastRun.at))
    return { status: 'failed', reason: lastRun.reason ?? 'unknown' };
  if (state.lastRun?.outcome === 'no-branch') return { status: 'empty' };
  if (state.lastRun?.outcome === 'blocked') return { status: 'blocked', reason: state.lastRun.error ?? 'unknown' };
  if (state.cursor) return { status: 'synced' };
  return { status: 'pending' };
}
