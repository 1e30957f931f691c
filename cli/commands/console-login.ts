// `console-login`: a new one-time login URL for the running local hub's admin console, so signing in again (another
// browser, a lost cookie) needs no restart of `npm start`.
import type { Command } from 'commander';
import { resolve } from 'node:path';
import { AdminError, usageError } from '../../shared/admin/errors';
import { writeNewLoginToken } from '../../shared/config/console-login-file';
import { readLocalRuntime } from '../../shared/config/local-runtime-file';
import type { CommandKit } from '../command-kit';

/** Registers `console-login`. */
export function registerConsoleLoginCommand(program: Command, kit: CommandKit): void {
  program
    .command('console-login')
    .description("print a new one-time login URL of the local hub's admin console (the previous unused one stops working)")
    .action(async (_options: unknown, command: Command) => {
      await kit.runWithoutContext(command, async () => {
        const globals = command.optsWithGlobals<{ stack?: string; dataDir?: string }>();
        if (globals.stack)
          throw usageError(
            "a deployed hub's console signs in through its identity provider, not a login URL",
            "open the console's URL (a stack output) and sign in there",
          );
        const dataDir = resolve(globals.dataDir ?? kit.deps.env.MODEL_HUB_DATA_DIR ?? '.model-hub');
        const runtime = readLocalRuntime(dataDir);
        if (!runtime)
          throw new AdminError(`no local hub is running with data dir ${dataDir}`, {
            hint: 'start one with `npm start` (same MODEL_HUB_DATA_DIR); it prints a login URL too',
          });
        kit.out(`${new URL(runtime.webhookUrl).origin}/console/login?token=${writeNewLoginToken(dataDir)}`);
        kit.note('Open it once in the browser: it signs you in and stops working.');
      });
    });
}
