import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { SqsDeadLetterQueue, type DeadLetter } from '../../../../shared/aws/sqs-dead-letter-queue';

const body = (repository: string, n: number) =>
  JSON.stringify({ repository: { uuid: `{${repository}}`, fullName: `acme/${repository}` }, requestUuid: `request-${repository}-${n}` });
const repositoryOf = (letter: DeadLetter) => (JSON.parse(letter.body) as { repository: { uuid: string } }).repository.uuid;

describe('SqsDeadLetterQueue against local-aws-sqs (FIFO)', () => {
  let standIns: StandIns;
  let dlq: SqsDeadLetterQueue;

  /** Everything the sync queue holds now, received once (the test's queue hides them for its visibility timeout). */
  async function drainSyncQueue(): Promise<Array<{ body: string; groupId: string | undefined }>> {
    const all: Array<{ body: string; groupId: string | undefined }> = [];
    for (;;) {
      const { Messages = [] } = await standIns.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: standIns.queueUrl, MaxNumberOfMessages: 10, AttributeNames: ['All'] }),
      );
      if (Messages.length === 0) return all;
      all.push(...Messages.map((message) => ({ body: message.Body!, groupId: message.Attributes?.MessageGroupId })));
    }
  }

  beforeEach(async () => {
    standIns = await startStandIns();
    dlq = new SqsDeadLetterQueue({ client: standIns.sqs, queueUrl: standIns.deadLetterQueueUrl });
    // Two messages in one group and one in another: FIFO hands out a group's second message only after the first is gone.
    const letters: Array<[string, number]> = [
      ['repo-a', 1],
      ['repo-a', 2],
      ['repo-b', 1],
    ];
    for (const [repository, n] of letters) {
      await standIns.sqs.send(
        new SendMessageCommand({
          QueueUrl: standIns.deadLetterQueueUrl,
          MessageBody: body(repository, n),
          MessageGroupId: `{${repository}}`,
          MessageDeduplicationId: `${repository}-${n}`,
        }),
      );
    }
  });
  afterEach(async () => {
    await standIns.close();
  });

  it('lists the receivable messages and leaves them in the queue', async () => {
    const first = await dlq.list();
    const second = await dlq.list();

    // One receive may hand out several messages of a group, in order (as SQS does).
    expect(first.map((letter) => letter.body)).toEqual([body('repo-a', 1), body('repo-a', 2), body('repo-b', 1)]);
    expect(first[0]).toMatchObject({
      messageId: expect.any(String),
      groupId: '{repo-a}',
      receiveCount: 1,
      sentAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(second.map((letter) => letter.messageId)).toEqual(first.map((letter) => letter.messageId));
    expect(await dlq.approximateCount()).toBe(3);
  });

  it('moves only the selected messages back, every one of a group, with their group', async () => {
    const moved = await dlq.redrive({
      destinationQueueUrl: standIns.queueUrl,
      select: (letter) => repositoryOf(letter) === '{repo-a}',
      fallbackGroupId: () => 'unused',
    });

    expect(moved.map((letter) => letter.body)).toEqual([body('repo-a', 1), body('repo-a', 2)]);
    expect(await drainSyncQueue()).toEqual([
      { body: body('repo-a', 1), groupId: '{repo-a}' },
      { body: body('repo-a', 2), groupId: '{repo-a}' },
    ]);
    expect((await dlq.list()).map((letter) => letter.body)).toEqual([body('repo-b', 1)]);
  });

  it('moves everything when nothing is selected, and finds nothing left to move afterwards', async () => {
    const moved = await dlq.redrive({ destinationQueueUrl: standIns.queueUrl, fallbackGroupId: () => 'unused' });
    const again = await dlq.redrive({ destinationQueueUrl: standIns.queueUrl, fallbackGroupId: () => 'unused' });

    expect(moved).toHaveLength(3);
    expect((await drainSyncQueue()).map((message) => message.body).sort()).toEqual(
      [body('repo-a', 1), body('repo-a', 2), body('repo-b', 1)].sort(),
    );
    expect(again).toEqual([]);
    expect(await dlq.list()).toEqual([]);
  });
});
