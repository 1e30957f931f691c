import {
  ChangeMessageVisibilityCommand, DeleteMessageCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand,
  type Message, type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Command } from 'commander';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../hub-context';
import { formatTable, printJson } from '../output';

/** One line of `dlq list --json`. */
export interface DeadLetterListing {
  messageId: string;
  repository: string | null;
  repositoryUuid: string | null;
  trigger: string | null;
  requestUuid: string | null;
  requestedAt: string | null;
  /** Times the message was received before it landed here (and while listing it). */
  receiveCount: number | null;
  sentAt: string | null;
}

// Long enough to list a full queue; the listed messages are made visible again right after.
const PEEK_VISIBILITY_SECONDS = 30;

/** Receives every message currently receivable (each at most once), hidden for a while. */
async function receiveAll(sqs: SQSClient, queueUrl: string, visibilityTimeout: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
      QueueUrl: queueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: visibilityTimeout, WaitTimeSeconds: 0,
      // local-aws-sqs answers only the older AttributeNames parameter; AWS accepts both.
      AttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
    }));
    const fresh = Messages.filter((message) => message.MessageId && !seen.has(message.MessageId));
    if (fresh.length === 0) break;
    for (const message of fresh) seen.set(message.MessageId!, message);
  }
  return [...seen.values()];
}

function toListing(message: Message): DeadLetterListing {
  let body: { repository?: { uuid?: string; fullName?: string }; trigger?: string; requestUuid?: string; requestedAt?: string } = {};
  try {
    body = JSON.parse(message.Body ?? '') as typeof body;
  } catch {
    // A body that is not a sync request is listed with what SQS knows about it.
  }
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId ?? '',
    repository: body.repository?.fullName ?? null,
    repositoryUuid: body.repository?.uuid ?? null,
    trigger: body.trigger ?? null,
    requestUuid: body.requestUuid ?? null,
    requestedAt: body.requestedAt ?? null,
    receiveCount: Number.isFinite(received) ? received : null,
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : null,
  };
}

async function approximateCount(context: HubContext): Promise<number> {
  const { Attributes } = await context.target.sqs.send(new GetQueueAttributesCommand({
    QueueUrl: context.target.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
  }));
  return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
}

/** Registers `dlq list | redrive`. */
export function registerDlqCommands(program: Command, kit: CommandKit): void {
  const dlq = program.command('dlq').description('sync requests that failed 5 times (dead-letter queue)');

  dlq.command('list')
    .description('list the messages in the dead-letter queue')
    .option('--json', 'print one JSON array')
    .action(async (options: { json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const { sqs, deadLetterQueueUrl } = context.target;
        const messages = await receiveAll(sqs, deadLetterQueueUrl, PEEK_VISIBILITY_SECONDS);
        // Listing must not hide them: make them receivable again at once.
        for (const message of messages) {
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle!, VisibilityTimeout: 0 }));
        }
        const listings = messages.map(toListing);
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          const hidden = await approximateCount(context);
          kit.note(hidden > 0 ? `No message is receivable now, though about ${hidden} are in flight; try again in a minute.` : 'The dead-letter queue is empty.');
          return;
        }
        kit.deps.stdout.write(formatTable(['sent', 'repository', 'trigger', 'request', 'receives'], listings.map((l) => [l.sentAt, l.repository, l.trigger, l.requestUuid, l.receiveCount])));
        kit.note('Look for the reason with `events --failed`, fix it, then `dlq redrive`.');
      });
    });

  dlq.command('redrive')
    .description('move the dead-letter messages back to the sync queue (fix the cause first)')
    .option('--repo <workspace/slug>', "only this repository's messages")
    .option('--json', 'print the result as one JSON document')
    .action(async (options: { repo?: string; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const onlyUuid = options.repo ? (await context.findRepository(options.repo)).uuid : undefined;
        const { sqs, deadLetterQueueUrl, queueUrl } = context.target;
        const moved: DeadLetterListing[] = [];
        const skipped = new Map<string, string>();
        // Move as we receive: on a FIFO queue, deleting a message frees its group, so the next receive returns the
        // group's next message (receiving everything first would stop at the first message of each group).
        for (;;) {
          const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({
            QueueUrl: deadLetterQueueUrl, MaxNumberOfMessages: 10, VisibilityTimeout: PEEK_VISIBILITY_SECONDS, WaitTimeSeconds: 0,
            // local-aws-sqs answers only the older AttributeNames parameter; AWS accepts both.
            AttributeNames: ['All'], MessageSystemAttributeNames: ['All'],
          }));
          const fresh = Messages.filter((message) => !skipped.has(message.MessageId!) && !moved.some((done) => done.messageId === message.MessageId));
          if (fresh.length === 0) break;
          for (const message of fresh) {
            const listing = toListing(message);
            if (onlyUuid && listing.repositoryUuid !== onlyUuid) {
              skipped.set(message.MessageId!, message.ReceiptHandle!);
              continue;
            }
            // Sent before deleted: a crash in between leaves a duplicate, which the level-triggered worker absorbs.
            await sqs.send(new SendMessageCommand({
              QueueUrl: queueUrl, MessageBody: message.Body ?? '',
              MessageGroupId: message.Attributes?.MessageGroupId ?? listing.repositoryUuid ?? 'redrive',
              MessageDeduplicationId: `redrive-${message.MessageId}`,
            }));
            await sqs.send(new DeleteMessageCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: message.ReceiptHandle! }));
            moved.push(listing);
          }
        }
        // Other repositories' messages stay in the dead-letter queue, receivable again at once.
        for (const receiptHandle of skipped.values()) {
          await sqs.send(new ChangeMessageVisibilityCommand({ QueueUrl: deadLetterQueueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }));
        }
        if (options.json) return printJson(kit.deps.stdout, { moved: moved.length, messages: moved });
        kit.note(moved.length === 0 ? 'Nothing to redrive.' : `Moved ${moved.length} message(s) back to the sync queue; follow them with \`events\` and \`repo list\`.`);
      });
    });
}
