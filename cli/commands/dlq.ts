// `dlq list | redrive`: the sync requests that failed 5 times, shown and moved back once the cause is fixed.
import type { Command } from 'commander';
import type { DeadLetter, SqsDeadLetterQueue } from '../../shared/aws/sqs-dead-letter-queue';
import type { LoggedEvent } from '../../shared/domain/logged-event';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../hub-context';
import { formatTable, printJson } from '../output';
import { recordAdminAction } from '../admin-trail';

/** One line of `dlq list --json`. */
export interface DeadLetterListing {
  messageId: string;
  repository: string | null;
  repositoryUuid: string | null;
  trigger: string | null;
  requestUuid: string | null;
  requestedAt: string | null;
  /**
   * SQS's ApproximateReceiveCount: the worker's receives, plus one for every listing (SQS cannot look at a message
   * without receiving it). `attempts` is the count that listing does not change.
   */
  receiveCount: number | null;
  sentAt: string | null;
}

/** One line of `dlq list --json`: a message with the worker's attempts at it, from the events log. */
export interface DeadLetterWithAttempts extends DeadLetterListing {
  /** Failed sync runs recorded for this request (its original attempts). */
  attempts: number;
  /** The reason of the newest of them. */
  lastReason: string | null;
}

/** Adds to each listing the failed runs the worker recorded for its request: reading the log changes nothing. */
async function withAttempts(context: HubContext, listings: readonly DeadLetterListing[]): Promise<DeadLetterWithAttempts[]> {
  const runsOf = new Map<string, Promise<LoggedEvent[]>>();
  return Promise.all(
    listings.map(async (listing) => {
      const uuid = listing.repositoryUuid;
      if (!uuid || !listing.requestUuid) return { ...listing, attempts: 0, lastReason: null };
      if (!runsOf.has(uuid)) runsOf.set(uuid, context.events.list({ repositoryUuid: uuid, limit: 500 }));
      const failed = (await runsOf.get(uuid)!).filter(
        (event) => event.kind === 'sync' && event.requestUuid === listing.requestUuid && event.outcome === 'failed',
      );
      return { ...listing, attempts: failed.length, lastReason: failed[0]?.reason ?? null };
    }),
  );
}

/** What `dlq list` shows of a message: the sync request's fields where the body is one, and what SQS knows. */
function toListing(letter: DeadLetter): DeadLetterListing {
  let body: { repository?: { uuid?: string; fullName?: string }; trigger?: string; requestUuid?: string; requestedAt?: string } = {};
  try {
    body = JSON.parse(letter.body) as typeof body;
  } catch {
    // A body that is not a sync request is listed with what SQS knows about it.
  }
  return {
    messageId: letter.messageId,
    repository: body.repository?.fullName ?? null,
    repositoryUuid: body.repository?.uuid ?? null,
    trigger: body.trigger ?? null,
    requestUuid: body.requestUuid ?? null,
    requestedAt: body.requestedAt ?? null,
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt,
  };
}

async function deadLetterQueue(context: HubContext): Promise<SqsDeadLetterQueue> {
  const { SqsDeadLetterQueue } = await import('../../shared/aws/sqs-dead-letter-queue.ts');
  return new SqsDeadLetterQueue({ client: context.target.sqs, queueUrl: context.target.deadLetterQueueUrl });
}

/** Registers `dlq list | redrive`. */
export function registerDlqCommands(program: Command, kit: CommandKit): void {
  const dlq = program.command('dlq').description('sync requests that failed 5 times (dead-letter queue)');

  dlq
    .command('list')
    .description('list the messages in the dead-letter queue')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const dlq = await deadLetterQueue(context);
        const listings = await withAttempts(context, (await dlq.list()).map(toListing));
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          const hidden = await dlq.approximateCount();
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
        const onlyUuid = options.repo ? (await context.findRepository(options.repo)).uuid : undefined;
        const moved = (
          await (
            await deadLetterQueue(context)
          ).redrive({
            destinationQueueUrl: context.target.queueUrl,
            // Other repositories' messages stay in the dead-letter queue.
            ...(onlyUuid ? { select: (letter: DeadLetter) => toListing(letter).repositoryUuid === onlyUuid } : {}),
            fallbackGroupId: (letter) => toListing(letter).repositoryUuid ?? 'redrive',
          })
        ).map(toListing);
        if (moved.length > 0)
          await recordAdminAction(kit, context, 'redrive', {
            ...(options.repo ? { repository: await context.findRepository(options.repo) } : {}),
            moved: moved.length,
            requests: moved.map((letter) => letter.requestUuid),
          });
        if (options.json) return printJson(kit.deps.stdout, { moved: moved.length, messages: moved });
        kit.note(
          moved.length === 0
            ? 'Nothing to redrive.'
            : `Moved ${moved.length} message(s) back to the sync queue; follow them with \`events\` and \`repo list\`.`,
        );
      });
    });
}
