// `sync <workspace/slug>`: an admin-requested sync of recent changes, the entire repository, or from a commit; with
// `--verify`, followed by a comparison of every stored model with the head's tree (and a repair of what differs).
import { Option, type Command } from 'commander';
import type { CommandKit } from '../command-kit';
import { usageError } from '../../shared/admin/errors';
import { parseRepositoryName } from '../../shared/admin/repository-name';
import { printJson } from '../output';
import type { SyncAction } from '../../shared/admin/sync-progress';
import { parseTimeout, syncAndMaybeWait, type WaitFlags } from '../wait-for-sync';

/** Registers `sync <workspace/slug> [--full | --from <commit>]`. */
export function registerSyncCommand(program: Command, kit: CommandKit): void {
  program
    .command('sync')
    .description(
      'synchronize a repository now: recent changes (default), the entire repository (--full), or from a commit (--from); --verify then checks every stored model against the head',
    )
    .argument('<workspace/slug>', 'an added repository')
    .addOption(new Option('--full', 're-read every model of the default branch (ignores the synced commit)').conflicts('from'))
    .addOption(new Option('--from <commit>', 'apply every change from this commit to the head of the default branch').conflicts('full'))
    .option('--verify', "then compare every stored model with the head's tree (over git) and repair any difference")
    .option('--no-wait', 'queue the sync and return')
    .option('--timeout <seconds>', 'how long to wait for the sync', parseTimeout, 1800)
    .option('--json', 'print the result as one JSON document')
    .action(async (fullName: string, options: { full?: boolean; from?: string; verify?: boolean } & WaitFlags, command: Command) => {
      await kit.runWithoutContext(command, async () => {
        parseRepositoryName(fullName);
        if (options.from !== undefined && !/^[0-9a-f]{7,40}$/i.test(options.from)) {
          throw usageError(
            `--from needs a commit hash (7 to 40 hexadecimal characters), got ${JSON.stringify(options.from)}`,
            "copy it from Bitbucket's commit list or `git log`",
          );
        }
      });
      await kit.run(command, async (context) => {
        const repository = await context.findRepository(fullName);
        const base: SyncAction = options.full ? { mode: 'full' } : options.from ? { fromCommit: options.from.toLowerCase() } : {};
        const action: SyncAction = options.verify ? { ...base, verify: true } : base;
        const synced = options.full ? 'A full sync' : options.from ? `A sync from ${options.from.slice(0, 7)}` : 'A sync of recent changes';
        const label = options.verify ? `${synced} and verification` : synced;
        const { requestUuid, result } = await syncAndMaybeWait(kit, context, repository, action, options, label);
        if (options.json)
          printJson(kit.deps.stdout, { repository: repository.fullName, requestUuid, ...(result ?? { outcome: 'queued' }) });
      });
    });
}
