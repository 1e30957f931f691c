// `dlq list | redrive`: the sync requests that failed 5 times, shown and moved back once the cause is fixed.
import type { Command } from 'commander';
import { deadLettersInFlight, listDeadLetters, redriveDeadLetters } from '../../shared/admin/dead-letters';
import type { CommandKit } from '../command-kit';
import { formatTable, printJson } from '../output';

/** Registers `dlq list | redrive`. */
export function registerDlqCommands(program: Command, kit: CommandKit): void {
  const dlq = program.command('dlq').description('sync requests that failed 5 times (dead-letter queue)');

  dlq
    .command('list')
    .description('list the messages in the dead-letter queue')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const listings = await listDeadLetters(context);
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          const hidden = await deadLettersInFlight(context);
          kit.note(
            hidden > 0
              ? `No message is receivable now, though about ${hidden} are in flight; try again in a minute.`
              : 'The dead-letter queue is empty.',
          );
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            ['sent', 'repository', 'trigger', 'request', 'attempts', 'last reason'],
            listings.map((l) => [l.sentAt, l.repository, l.trigger, l.requestUuid, l.attempts, l.lastReason]),
          ),
        );
        kit.note('Look for the reason with `events --failed`, fix it, then `dlq redrive`.');
      });
    });

  dlq
    .command('redrive')
    .description('move the dead-letter messages back to the sync queue (fix the cause first)')
    .option('--repo <workspace/slug>', "only this repository's messages")
    .option('--json', 'print the result as one JSON document')
    .action(async (options: { repo?: string; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const moved = await redriveDeadLetters(kit, context, options.repo ? await context.findRepository(options.repo) : undefined);
        if (options.json) return printJson(kit.deps.stdout, { moved: moved.length, messages: moved });
        kit.note(
          moved.length === 0
            ? 'Nothing to redrive.'
            : `Moved ${moved.length} message(s) back to the sync queue; follow them with \`events\` and \`repo list\`.`,
        );
      });
    });
}
