import { ReceiveMessageCommand, SendMessageCommand } from '@aws-sdk/client-sqs';
import type { Context } from 'aws-lambda';
import { accessTokenSecretName } from '../../../../shared/aws/access-tokens';
import type { SyncRequest } from '../../../../shared/domain/sync-request';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startStandIns, TOKEN_SECRET_PREFIX, type StandIns } from '../../../../local/stand-ins';
import { createWorkerDeps } from '../../../../functions/worker/deps';
import { createWorkerHandler, type WorkerHandler } from '../../../../functions/worker/handler';
import { retryBackoffSeconds } from '../../../../shared/domain/sync/process-sync-batch';
import { receiveAll } from '../../../support/queue';
import { sqsRecord } from '../../../support/sqs-record';
import { storesFor } from '../../../support/sync-harness';

const context = { getRemainingTimeInMillis: () => 600_000, functionName: 'worker', awsRequestId: 'test' } as unknown as Context;

describe('worker handler', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let handler: WorkerHandler;
  /** A worker container on the stand-ins, with `settings` added to its environment. */
  const workerWith = (settings: Record<string, string> = {}) =>
    createWorkerHandler(
      createWorkerDeps(
        { ...standIns.env, BITBUCKET_API_URL: simulator.apiUrl, BITBUCKET_MAX_ATTEMPTS: '1', RETRY_BACKOFF_BASE_SECONDS: '0', ...settings },
        { dynamodb: standIns.dynamodb, sqs: standIns.sqs, secretsManager: standIns.secretsManager },
      ),
    );

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    handler = workerWith();
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  async function addRepository(name: string, withToken: boolean): Promise<SimulatedRepository> {
    const repo = await simulator.createRepository(name);
    await repo.commit({ 'm.hck.json': `{"modelName":"${name}"}` });
    await storesFor(standIns.dynamodb, standIns.env).repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    if (withToken) standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    return repo;
  }

  const push = (repo: SimulatedRepository, id: string): SyncRequest => ({
    version: 1,
    trigger: 'push',
    repository: { uuid: repo.uuid, fullName: repo.fullName },
    requestUuid: id,
    requestedAt: new Date().toISOString(),
  });

  it('syncs a burst of pushes once, and fails only the group of a repository whose sync fails', async () => {
    // Prepare
    const healthy = await addRepository('acme/healthy', true);
    const broken = await addRepository('acme/no-token', false);
    simulator.resetRequests();
    // Act
    const response = await handler(
      {
        Records: [
          sqsRecord(push(healthy, 'h1'), 'h1'),
          sqsRecord(push(broken, 'b1'), 'b1'),
          sqsRecord(push(healthy, 'h2'), 'h2'),
          sqsRecord(push(broken, 'b2'), 'b2'),
          sqsRecord(push(healthy, 'h3'), 'h3'),
        ],
      },
      context,
    );
    // Assess: both messages of the broken repository fail (FIFO order within its group); the healthy ones succeed.
    expect(response.batchItemFailures.map((failure) => failure.itemIdentifier).sort()).toEqual(['b1', 'b2']);
    const repositoryReads = simulator.requests.filter((request) => request.path === `/2.0/repositories/${healthy.fullName}`);
    expect(repositoryReads).toHaveLength(1);
    const stored = await storesFor(standIns.dynamodb, standIns.env).models.getModel(healthy.uuid, 'm.hck.json');
    expect(stored!.body.toString()).toBe('{"modelName":"acme/healthy"}');
  });

  it('fails a message that is not a sync request, without touching others', async () => {
    const healthy = await addRepository('acme/other', true);
    const bad = {
      ...sqsRecord(push(healthy, 'x'), 'bad'),
      body: '{"not":"a request"}',
      attributes: { ...sqsRecord(push(healthy, 'x'), 'bad').attributes, MessageGroupId: 'other-group' },
    };
    const response = await handler({ Records: [bad, sqsRecord(push(healthy, 'ok'), 'ok')] }, context);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'bad' }]);
  });

  it("brings a failed message back after a backoff, not after the queue's hour-long visibility timeout", async () => {
    // Prepare: a real message, received with a 1-second visibility timeout.
    expect([1, 2, 3, 6, 9].map((count) => retryBackoffSeconds(count))).toEqual([30, 60, 120, 900, 900]);
    const broken = await addRepository('acme/backoff', false);
    await standIns.sqs.send(
      new SendMessageCommand({
        QueueUrl: standIns.queueUrl,
        MessageBody: JSON.stringify(push(broken, 'r1')),
        MessageGroupId: broken.uuid,
        MessageDeduplicationId: 'r1',
      }),
    );
    const { Messages = [] } = await standIns.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: standIns.queueUrl, VisibilityTimeout: 1, AttributeNames: ['All'] }),
    );
    const [message] = Messages;
    const withBackoff = workerWith({ RETRY_BACKOFF_BASE_SECONDS: '30' });
    // Act
    const response = await withBackoff(
      { Records: [{ ...sqsRecord(push(broken, 'r1'), message!.MessageId!), receiptHandle: message!.ReceiptHandle! }] },
      context,
    );
    // Assess: still invisible after the original second.
    expect(response.batchItemFailures).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const again = await standIns.sqs.send(new ReceiveMessageCommand({ QueueUrl: standIns.queueUrl, VisibilityTimeout: 1 }));
    expect(again.Messages ?? []).toHaveLength(0);
  });

  it('postpones a sync it has no time to start, queueing it again instead of planning and stopping', async () => {
    const repo = await addRepository('acme/late', true);
    simulator.resetRequests();
    const almostOut = { ...context, getRemainingTimeInMillis: () => 1_000 } as Context;
    const response = await workerWith({ SAFETY_MARGIN_SECONDS: '60' })(
      { Records: [sqsRecord(push(repo, 'l1'), 'l1'), sqsRecord(push(repo, 'l2'), 'l2')] },
      almostOut,
    );
    expect(response.batchItemFailures).toEqual([]);
    expect(simulator.requests).toHaveLength(0);
    const queued = (await receiveAll(standIns.sqs, standIns.queueUrl)).map((message) => JSON.parse(message.Body!).requestUuid as string);
    expect(queued.filter((id) => id.startsWith('l'))).toEqual(['l1']);
  });

  it('cuts Bitbucket requests at the deadline, so an outage cannot hold the invocation past its timeout', async () => {
    // Prepare: Bitbucket does not answer for one repository (a minute of latency, beyond the invocation).
    const down = await addRepository('acme/outage', true);
    const next = await addRepository('acme/after-outage', true);
    simulator.addFault({ pathPattern: /acme\/outage/, kind: 'latency', delayMs: 60_000 });
    const endsAt = Date.now() + 8_000;
    const timed = { ...context, getRemainingTimeInMillis: () => Math.max(0, endsAt - Date.now()) } as Context;
    // Act
    const response = await workerWith({ SAFETY_MARGIN_SECONDS: '4' })(
      { Records: [sqsRecord(push(down, 'o1'), 'o1'), sqsRecord(push(next, 'o2'), 'o2')] },
      timed,
    );
    const remainingAtReturn = timed.getRemainingTimeInMillis();
    simulator.clearFaults();
    // Assess: the handler returned before its timeout; the stuck sync failed (to be retried), the next one waits.
    expect(remainingAtReturn).toBeGreaterThan(0);
    expect(response.batchItemFailures).toEqual([{ itemIdentifier: 'o1' }]);
    const queued = (await receiveAll(standIns.sqs, standIns.queueUrl)).map((message) => JSON.parse(message.Body!).requestUuid as string);
    expect(queued.filter((id) => id.startsWith('o'))).toEqual(['o2']);
  }, 90_000);
});
