/** SqsSyncQueue on local-aws-sqs: the sync queue contract the in-memory fake is held to, and retry visibility. */
import { ReceiveMessageCommand } from '@aws-sdk/client-sqs';
import { SqsSyncQueue } from '../../../../shared/aws/sqs-sync-queue';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { syncQueueContract } from '../../../support/contracts/sync-queue.contract';
import { receiveAll } from '../../../support/queue';

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandIns({ visibilityTimeoutSeconds: 60 });
});
afterAll(async () => {
  await standIns.close();
});

const queue = () => new SqsSyncQueue({ queueUrl: standIns.queueUrl, client: standIns.sqs });

describe('SqsSyncQueue contract', () => {
  syncQueueContract(() => ({
    queue: queue(),
    drain: async () =>
      (await receiveAll(standIns.sqs, standIns.queueUrl)).map((message) => ({
        body: message.Body!,
        groupId: message.Attributes!.MessageGroupId!,
        deduplicationId: message.Attributes!.MessageDeduplicationId!,
      })),
  }));
});

describe('SqsSyncQueue', () => {
  it('makes a received message visible again after the given seconds', async () => {
    // Prepare: a message received and hidden for an hour.
    const uuid = '{00000000-0000-4000-8000-0000000000a1}';
    await queue().enqueue(
      {
        version: 1,
        trigger: 'push',
        repository: { uuid, fullName: 'acme/retry' },
        requestUuid: 'r1',
        requestedAt: new Date().toISOString(),
      },
      { groupId: uuid, deduplicationId: 'retry-r1' },
    );
    const { Messages = [] } = await standIns.sqs.send(new ReceiveMessageCommand({ QueueUrl: standIns.queueUrl, VisibilityTimeout: 3600 }));
    expect(Messages).toHaveLength(1);
    // Act
    await queue().retryAfter(Messages[0]!.ReceiptHandle!, 0);
    // Assess
    const again = await receiveAll(standIns.sqs, standIns.queueUrl);
    expect(again.map((message) => JSON.parse(message.Body!).requestUuid)).toEqual(['r1']);
  });
});
