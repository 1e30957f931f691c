// SQS adapter for the sync queue's dead-letter queue: look at the failed requests without taking them, and move
// them back to the sync queue. The admin CLI's `dlq` commands run on it, against AWS and local-aws-sqs alike.
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';

/** A message of the dead-letter queue, as SQS knows it. */
export interface DeadLetter {
  readonly messageId: string;
  /** The message body as sent (a sync request's JSON, unless something else was queued). */
  readonly body: string;
  /** The FIFO message group the message was sent with, when SQS reports it. */
  readonly groupId?: string;
  /** Times the message was received before it landed here (and while listing it). */
  readonly receiveCount: number | null;
  readonly sentAt: string | null;
}

/** Options of {@link SqsDeadLetterQueue.redrive}. */
export interface RedriveOptions {
  /** The queue the messages go back to (the sync queue). */
  readonly destinationQueueUrl: string;
  /** Which messages to move; the others stay in the dead-letter queue. @default every message */
  readonly select?: (letter: DeadLetter) => boolean;
  /** Message group of a moved message SQS reports no group for. */
  readonly fallbackGroupId: (letter: DeadLetter) => string;
}

// Long enough to list a full queue; the listed messages are made visible again right after.
const PEEK_VISIBILITY_SECONDS = 30;

/**
 * The dead-letter queue of the FIFO sync queue.
 *
 * Redrive receives and sends rather than starting an SQS message move task (StartMessageMoveTask): a move task
 * takes every message (`dlq redrive --repo` moves one repository's), runs asynchronously and reports counts only
 * (the command lists the requests it moved), so one receive-and-send path serves the deployed and the local
 * target alike.
 */
export class SqsDeadLetterQueue {
  private readonly client: SQSClient;
  private readonly queueUrl: string;

  constructor(options: { client: SQSClient; queueUrl: string }) {
    this.client = options.client;
    this.queueUrl = options.queueUrl;
  }

  /** Every message receivable now; they stay in the queue, receivable again at once. */
  async list(): Promise<DeadLetter[]> {
    const seen = new Map<string, Message>();
    for (;;) {
      const fresh = (await this.receive()).filter((message) => message.MessageId && !seen.has(message.MessageId));
      if (fresh.length === 0) break;
      for (const message of fresh) seen.set(message.MessageId!, message);
    }
    const messages = [...seen.values()];
    // Listing must not hide them: make them receivable again at once.
    for (const message of messages) await this.makeVisible(message.ReceiptHandle!);
    return messages.map(toDeadLetter);
  }

  /** About how many messages the queue holds, in flight ones included. */
  async approximateCount(): Promise<number> {
    const { Attributes } = await this.client.send(
      new GetQueueAttributesCommand({
        QueueUrl: this.queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return Number(Attributes?.ApproximateNumberOfMessages ?? 0) + Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
  }

  /** Moves the selected messages to the destination queue; resolves to the moved ones, in the order moved. */
  async redrive(options: RedriveOptions): Promise<DeadLetter[]> {
    const moved: DeadLetter[] = [];
    const skipped = new Map<string, string>();
    // Move as we receive: on a FIFO queue, deleting a message frees its group, so the next receive returns the
    // group's next message (receiving everything first would stop at the first message of each group).
    for (;;) {
      const fresh = (await this.receive()).filter(
        (message) => !skipped.has(message.MessageId!) && !moved.some((done) => done.messageId === message.MessageId),
      );
      if (fresh.length === 0) break;
      for (const message of fresh) {
        const letter = toDeadLetter(message);
        if (options.select && !options.select(letter)) {
          skipped.set(message.MessageId!, message.ReceiptHandle!);
          continue;
        }
        // Sent before deleted: a crash in between leaves a duplicate, which the level-triggered worker absorbs.
        await this.client.send(
          new SendMessageCommand({
            QueueUrl: options.destinationQueueUrl,
            MessageBody: letter.body,
            MessageGroupId: letter.groupId ?? options.fallbackGroupId(letter),
            MessageDeduplicationId: `redrive-${letter.messageId}`,
          }),
        );
        await this.client.send(new DeleteMessageCommand({ QueueUrl: this.queueUrl, ReceiptHandle: message.ReceiptHandle! }));
        moved.push(letter);
      }
    }
    // The messages left behind stay in the dead-letter queue, receivable again at once.
    for (const receiptHandle of skipped.values()) await this.makeVisible(receiptHandle);
    return moved;
  }

  private async receive(): Promise<Message[]> {
    const { Messages = [] } = await this.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.queueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: PEEK_VISIBILITY_SECONDS,
        WaitTimeSeconds: 0,
        // local-aws-sqs answers only the older AttributeNames parameter; AWS accepts both.
        AttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    return Messages;
  }

  private async makeVisible(receiptHandle: string): Promise<void> {
    await this.client.send(
      new ChangeMessageVisibilityCommand({ QueueUrl: this.queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }),
    );
  }
}

function toDeadLetter(message: Message): DeadLetter {
  const sent = Number(message.Attributes?.SentTimestamp);
  const received = Number(message.Attributes?.ApproximateReceiveCount);
  return {
    messageId: message.MessageId ?? '',
    body: message.Body ?? '',
    ...(message.Attributes?.MessageGroupId ? { groupId: message.Attributes.MessageGroupId } : {}),
    receiveCount: Number.isFinite(received) ? received : null,
    sentAt: Number.isFinite(sent) ? new Date(sent).toISOString() : null,
  };
}
