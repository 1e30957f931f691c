// The plumbing every command shares: usage errors with exit code 2, output streams, and running against the hub.
import { Command, type OutputConfiguration } from 'commander';
import type { CliDeps } from './deps';
import { explainError } from '../shared/admin/errors';
import { printable, printableOutput } from './output';
import type { HubContext } from '../shared/admin/hub-context';
import { resolveTarget, type TargetOptions } from './target';
import { WEBHOOK_SECRET_MAX_AGE_SECONDS } from '../shared/aws/webhook-secret-cache';

/**
 * A commander Command whose usage errors exit with 2, and whose `exitOverride` / `configureOutput` reach the
 * subcommands that already exist (commander copies those settings only when a subcommand is created, and tests
 * apply them to the finished program).
 */
export class HubCommand extends Command {
  override createCommand(name?: string): Command {
    return new HubCommand(name);
  }

  override exitOverride(callback?: Parameters<Command['exitOverride']>[0]): this {
    super.exitOverride(callback);
    for (const command of this.commands) command.exitOverride(callback);
    return this;
  }

  override configureOutput(configuration: OutputConfiguration): this;
  override configureOutput(): OutputConfiguration;
  override configureOutput(configuration?: OutputConfiguration): this | OutputConfiguration {
    if (configuration === undefined) return super.configureOutput();
    super.configureOutput(configuration);
    for (const command of this.commands) command.configureOutput(configuration);
    return this;
  }

  override error(message: string, errorOptions?: { code?: string; exitCode?: number }): never {
    // Commander's own errors (unknown option, missing argument, an option value its parser refused…) are usage
    // errors; commander gives the last ones exit code 1.
    const usage = errorOptions?.code === undefined || errorOptions.code.startsWith('commander.');
    return super.error(message, { ...errorOptions, exitCode: usage ? 2 : (errorOptions.exitCode ?? 1) });
  }
}

/** What every command needs: the deps with defaults filled in, and a way to run against the hub. */
export class CommandKit {
  readonly now: () => Date;
  readonly sleep: (ms: number) => Promise<void>;
  readonly pollIntervalMs: number;
  readonly secretCacheSeconds: number;

  readonly deps: CliDeps;

  constructor(deps: CliDeps) {
    // Standard error is for people: whatever a message quotes (a path, a Bitbucket error) cannot drive the terminal.
    this.deps = { ...deps, stderr: printableOutput(deps.stderr) };
    this.now = deps.now ?? (() => new Date());
    this.sleep = deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
    this.pollIntervalMs = deps.pollIntervalMs ?? 1000;
    this.secretCacheSeconds = deps.secretCacheSeconds ?? WEBHOOK_SECRET_MAX_AGE_SECONDS;
  }

  /** Writes a line of results to standard output. */
  out(text = ''): void {
    this.deps.stdout.write(`${printable(text, { keepLines: true })}\n`);
  }

  /** Writes a line of progress or a warning to standard error (standard output stays parseable). */
  note(text: string): void {
    this.deps.stderr.write(`${text}\n`);
  }

  /**
   * Runs an action against the hub chosen by the global options. Any error ends the command through
   * `command.error`: the message and the next step on standard error, exit code 1 (2 for usage errors).
   */
  async run(command: Command, action: (context: HubContext) => Promise<void>): Promise<void> {
    let context: HubContext | undefined;
    try {
      await this.runWithoutContext(command, async () => {
        const globals = command.optsWithGlobals<{
          stack?: string;
          dataDir?: string;
          bitbucketApiUrl?: string;
          region?: string;
          profile?: string;
        }>();
        const options: TargetOptions = {
          ...(globals.stack ? { stack: globals.stack } : {}),
          ...(globals.region ? { region: globals.region } : {}),
          ...(globals.profile ? { profile: globals.profile } : {}),
          ...(globals.dataDir ? { dataDir: globals.dataDir } : {}),
          ...(globals.bitbucketApiUrl ? { bitbucketApiUrl: globals.bitbucketApiUrl } : {}),
        };
        // Loaded here, not at start-up: the adapters bring the AWS SDK and undici, which `--help` never needs.
        const { createHubContext } = await import('../shared/admin/hub-context.ts');
        const opened = createHubContext(await (this.deps.resolveTarget ?? resolveTarget)(options, this.deps.env));
        context = opened;
        await action(opened);
      });
    } finally {
      await context?.close();
    }
  }

  /** Like {@link run}, for steps that need no hub (argument checks before connecting). */
  async runWithoutContext(command: Command, action: () => Promise<void>): Promise<void> {
    try {
      await action();
    } catch (error) {
      const explained = explainError(error);
      const message = `error: ${explained.message}${explained.hint ? `\nnext: ${explained.hint}` : ''}`;
      command.error(printable(message, { keepLines: true }), {
        exitCode: explained.exitCode,
        code: 'model-hub.error',
      });
    }
  }
}
