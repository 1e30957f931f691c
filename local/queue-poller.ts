// A stand-in for Lambda's SQS event source mapping, so the real worker handler consumes the local queue with
// batches, partial failures and visibility timeouts as on AWS.
import { createHash } from 'node:crypto';
import {
  ChangeMessageVisibilityCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';

export type SqsHandler = (event: SQSEvent, context: Context) => Promise<SQSBatchResponse | void>;

export interface QueuePollerOptions {
  readonly sqs: SQSClient;
  readonly queueUrl: string;
  readonly handler: SqsHandler;
  /** @default 10, as the stack's event source mapping */
  readonly batchSize?: number;
  /** Long-poll wait per receive. @default 1 */
  readonly waitTimeSeconds?: number;
  /** Pause after an empty receive when not long-polling. @default 50 */
  readonly idleDelayMs?: number;
  /** The function timeout the handler sees through `context.getRemainingTimeInMillis()`. @default 900000 */
  readonly functionTimeoutMs?: number;
  readonly onError?: (error: unknown) => void;
}

export interface QueuePoller {
  /** Resolves once the queue had no visible message and no batch was in flight. */
  idle(): Promise<void>;
  stop(): Promise<void>;
  readonly invocations: number;
}

/**
 * Feeds queue messages to an SQS handler the way Lambda's event source mapping does: batches, partial batch
 * failures (only successful records are deleted), retries after the visibility timeout, and the queue's own
 * redrive policy moving a message to the DLQ after maxReceiveCount receives. Batches run one at a time, so a
 * message group (a repository) is never processed concurrently, which local-aws-sqs does not enforce itself.
 */
export function startQueuePoller(options: QueuePollerOptions): QueuePoller {
  const { sqs, queueUrl, handler } = options;
  let running = true;
  let invocations = 0;
  let idleWaiters: Array<() => void> = [];
  // Failed messages wait out their visibility timeout; on stop they are released so a snapshot can keep them.
  const waitingRetry = new Map<string, string>();
  const abort = new AbortController();

  const loop = (async () => {
    while (running) {
      let messages: Message[];
      try {
        const response = await sqs.send(
          new ReceiveMessageCommand({
            QueueUrl: queueUrl,
            MaxNumberOfMessages: options.batchSize ?? 10,
            WaitTimeSeconds: options.waitTimeSeconds ?? 1,
            // local-aws-sqs answers only the older AttributeNames parameter; AWS accepts both.
            AttributeNames: ['All'],
            MessageSystemAttributeNames: ['All'],
          }),
          { abortSignal: abort.signal },
        );
        messages = response.Messages ?? [];
      } catch (error) {
        if (!running) break;
        options.onError?.(error);
        await delay(500);
        continue;
      }
      if (messages.length === 0) {
        const waiters = idleWaiters;
        idleWaiters = [];
        waiters.forEach((resolve) => resolve());
        // Without long polling (tests), pause briefly instead of spinning.
        if ((options.waitTimeSeconds ?? 1) === 0) await delay(options.idleDelayMs ?? 50);
        continue;
      }
      invocations += 1;
      const failed = await invoke(messages);
      const done = messages.filter((message) => !failed.has(message.MessageId!));
      for (const message of messages) {
        if (failed.has(message.MessageId!)) waitingRetry.set(message.MessageId!, message.ReceiptHandle!);
        else waitingRetry.delete(message.MessageId!);
      }
      if (done.length > 0) {
        await sqs
          .send(
            new DeleteMessageBatchCommand({
              QueueUrl: queueUrl,
              Entries: done.map((message, index) => ({ Id: String(index), ReceiptHandle: message.ReceiptHandle! })),
            }),
          )
          .catch((error: unknown) => options.onError?.(error));
      }
    }
  })();

  async function invoke(messages: Message[]): Promise<Set<string>> {
    const event: SQSEvent = { Records: messages.map((message) => toRecord(message, queueUrl)) };
    const deadline = Date.now() + (options.functionTimeoutMs ?? 900_000);
    try {
      const result = await handler(event, localContext(deadline));
      return new Set((result?.batchItemFailures ?? []).map((failure) => failure.itemIdentifier));
    } catch (error) {
      // A thrown handler fails the whole batch, as on Lambda.
      options.onError?.(error);
      return new Set(messages.map((message) => message.MessageId!));
    }
  }

  return {
    get invocations() {
      return invocations;
    },
    idle: () =>
      new Promise<void>((resolve) => {
        idleWaiters.push(resolve);
      }),
    async stop() {
      running = false;
      abort.abort();
      await loop;
      for (const receiptHandle of waitingRetry.values()) {
        await sqs
          .send(new ChangeMessageVisibilityCommand({ QueueUrl: queueUrl, ReceiptHandle: receiptHandle, VisibilityTimeout: 0 }))
          .catch(() => undefined);
      }
      idleWaiters.forEach((resolve) => resolve());
    },
  };
}

function toRecord(message: Message, queueUrl: string): SQSRecord {
  const attributes = message.Attributes ?? {};
  // Queue URLs end in /<account>/<name>, as on AWS.
  const [, accountId = '000000000000', queueName = 'queue'] = new URL(queueUrl).pathname.split('/');
  return {
    messageId: message.MessageId!,
    receiptHandle: message.ReceiptHandle!,
    body: message.Body ?? '',
    attributes: {
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
      MessageGroupId: attributes.MessageGroupId,
      MessageDeduplicationId: attributes.MessageDeduplicationId,
      SequenceNumber: attributes.SequenceNumber,
    },
    messageAttributes: {},
    md5OfBody:
      message.MD5OfBody ??
      createHash('md5')
        .update(message.Body ?? '')
        .digest('hex'),
    eventSource: 'aws:sqs',
    eventSourceARN: `arn:aws:sqs:us-east-1:${accountId}:${queueName}`,
    awsRegion: 'us-east-1',
  };
}

function localContext(deadline: number): Context {
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'model-hub-worker-local',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:model-hub-worker-local',
    memoryLimitInMB: '1024',
    awsRequestId: `local-${Date.now()}-${Math.random().toString(16).slice(2)}`,
    logGroupName: '/aws/lambda/model-hub-worker-local',
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
