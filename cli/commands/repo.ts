// `hub repo …`: adding, listing, syncing and removing repositories, the admin's everyday commands.
import type { Command } from 'commander';
import { describeRepository, type RepositoryListing } from '../../shared/admin/repository-listing';
import { changeAccessToken, changeModelPattern, removeAddedRepository } from '../../shared/admin/repository-changes';
import type { CommandKit } from '../command-kit';
import { parseRepositoryName } from '../../shared/admin/repository-name';
import { formatTable, printJson } from '../output';
import { shortCommit } from '../../shared/admin/sync-progress';
import { readAccessToken } from '../token-input';
import { parseTimeout, syncAndMaybeWait, type WaitFlags } from '../wait-for-sync';
import { registerRepoAddCommand } from './repo-add';
import { registerRepoShowCommand } from './repo-show';

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
        let repository = token
          ? (await changeAccessToken(kit, context, fullName, token)).repository
          : await context.findRepository(fullName);
        if (options.pattern !== undefined) {
          repository = await changeModelPattern(kit, context, repository, options.pattern);
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
        await removeAddedRepository(kit, context, await context.findRepository(fullName), options);
      });
    });
}
