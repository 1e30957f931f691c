// The admin command line's entry point: one commander program with the global options and every command group.
import { Option, type Command } from 'commander';
import { version } from '../package.json';
import { CommandKit, HubCommand } from './command-kit';
import { registerChangesCommand } from './commands/changes';
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
    .description(
      'Administer a Model Hub sync: Bitbucket Cloud repositories replicated into DynamoDB.\n' +
        'Targets the local hub of MODEL_HUB_DATA_DIR (default .model-hub) while `npm start` runs, or a deployed stack with --stack.',
    )
    .version(version, '--version', 'print the version of model-hub-sync')
    // Commander fills these from process.env; resolveTarget still falls back to deps.env, which is process.env in
    // bin/hub.ts and the test's own environment in tests.
    .addOption(
      new Option(
        '--stack <name>',
        'a deployed stack (CloudFormation outputs; AWS credentials and region from --profile/--region or the environment)',
      ).env('MODEL_HUB_STACK'),
    )
    .addOption(new Option('--region <region>', "AWS region of the deployed stack (as the AWS CLI's --region)").env('AWS_REGION'))
    .addOption(new Option('--profile <name>', "named AWS profile for the deployed stack (as the AWS CLI's --profile)").env('AWS_PROFILE'))
    .addOption(new Option('--data-dir <dir>', 'data dir of the local hub (default: .model-hub)').env('MODEL_HUB_DATA_DIR'))
    .addOption(
      new Option('--bitbucket-api-url <url>', 'Bitbucket API root (default: https://api.bitbucket.org/2.0)').env('BITBUCKET_API_URL'),
    )
    .showSuggestionAfterError()
    .configureOutput({ writeOut: (text) => deps.stdout.write(text), writeErr: (text) => kit.deps.stderr.write(text) });
  registerProviderCommands(program, kit);
  registerRepoCommands(program, kit);
  registerSyncCommand(program, kit);
  registerEventsCommand(program, kit);
  registerChangesCommand(program, kit);
  registerModelsCommands(program, kit);
  registerDlqCommands(program, kit);
  return program;
}
