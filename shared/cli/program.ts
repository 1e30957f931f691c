import type { Command } from 'commander';
import { CommandKit, HubCommand } from './command-kit';
import { registerDlqCommands } from './commands/dlq';
import { registerEventsCommand } from './commands/events';
import { registerModelsCommands } from './commands/models';
import { registerProviderCommands } from './commands/provider';
import { registerRepoCommands } from './commands/repo';
import { registerSyncCommand } from './commands/sync';
import type { CliDeps } from './deps';

/**
 * The admin command line (`npm run hub -- <command>`): a new commander program wired to `deps`. Never the global
 * program, so tests build as many as they like. Exit codes: 0 success, 1 failure, 2 usage error.
 *
 * @example
 * await buildProgram(deps).parseAsync(['repo', 'list', '--json'], { from: 'user' });
 */
export function buildProgram(deps: CliDeps): Command {
  const kit = new CommandKit(deps);
  const program = new HubCommand('model-hub')
    .description('Administer a Model Hub sync: Bitbucket Cloud repositories replicated into DynamoDB.\n'
      + 'Targets the local hub of MODEL_HUB_DATA_DIR (default .model-hub) while `npm start` runs, or a deployed stack with --stack.')
    .option('--stack <name>', 'a deployed stack (CloudFormation outputs; AWS credentials and region from the environment)')
    .option('--data-dir <dir>', 'data dir of the local hub (default: MODEL_HUB_DATA_DIR or .model-hub)')
    .option('--bitbucket-api-url <url>', 'Bitbucket API root (default: BITBUCKET_API_URL or https://api.bitbucket.org/2.0)')
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (text) => deps.stdout.write(text), writeErr: (text) => deps.stderr.write(text) });
  registerProviderCommands(program, kit);
  registerRepoCommands(program, kit);
  registerSyncCommand(program, kit);
  registerEventsCommand(program, kit);
  registerModelsCommands(program, kit);
  registerDlqCommands(program, kit);
  return program;
}
