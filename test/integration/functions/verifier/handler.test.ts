import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { DynamoDbEventLog } from '../../../../shared/aws/dynamodb-event-log';
import { DynamoDbRepositoryStore } from '../../../../shared/aws/dynamodb-repository-store';
import { signBody } from '../../../../shared/domain/signature';
import { startStandIns, WEBHOOK_SECRET_NAME, type StandIns } from '../../../../local/stand-ins';
import { createVerifierDeps, createVerifierPorts } from '../../../../functions/verifier/deps';
import { createVerifierHandler, type VerifierHandler } from '../../../../functions/verifier/handler';
import { generateSecret, readWebhookFixture } from '../../../support/fixtures';
import { receiveAll } from '../../../support/queue';

const CLOUDBEERS = '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}';

function event(body: string | undefined, headers: Record<string, string>, isBase64Encoded = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: 'POST /gateway/public/sync',
    rawPath: '/gateway/public/sync',
    rawQueryString: '',
    headers,
    body,
    isBase64Encoded,
    requestContext: {} as APIGatewayProxyEventV2['requestContext'],
  };
}

describe('verifier handler', () => {
  let standIns: StandIns;
  let handler: VerifierHandler;
  const secret = generateSecret();
  /** A verifier container on the stand-ins, its environment changed by `change`. */
  const verifierWith = (change: (env: Record<string, string | undefined>) => void = () => undefined) => {
    const env: Record<string, string | undefined> = { ...standIns.env };
    change(env);
    return createVerifierHandler(
      createVerifierDeps(env, { dynamodb: standIns.dynamodb, sqs: standIns.sqs, secretsManager: standIns.secretsManager }),
    );
  };

  const eventLog = () => new DynamoDbEventLog({ tableName: standIns.env.EVENTS_TABLE!, client: standIns.dynamodb });

  beforeAll(async () => {
    standIns = await startStandIns();
    standIns.secrets.putSecret(WEBHOOK_SECRET_NAME, JSON.stringify({ current: secret, previous: '' }));
    await new DynamoDbRepositoryStore({ tableName: standIns.env.REPOSITORIES_TABLE!, client: standIns.dynamodb }).addRepository({
      uuid: CLOUDBEERS,
      fullName: 'cloudbeers/temp',
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    handler = verifierWith();
  });
  afterAll(async () => {
    await standIns.close();
  });

  it('decodes a base64 body before verifying the signature over the raw bytes', async () => {
    const body = readWebhookFixture('updatePayload__normal-push');
    const headers = {
      'X-Event-Key': 'repo:push',
      'X-Hub-Signature': signBody(secret, body),
      'X-Request-UUID': '11111111-2222-4333-8444-555555555555',
    };
    const response = await handler(event(body.toString('base64'), headers, true));
    expect(response).toMatchObject({ statusCode: 202, body: 'queued' });
    expect(await receiveAll(standIns.sqs, standIns.queueUrl)).toHaveLength(1);
  });

  it('answers 401 for invalid base64 (it decodes to other bytes) and queues nothing', async () => {
    const response = await handler(
      event('%%% not base64 %%%', { 'x-hub-signature': signBody(secret, Buffer.from('%%% not base64 %%%')) }, true),
    );
    expect(response).toMatchObject({ statusCode: 401, body: 'invalid signature' });
    expect(await receiveAll(standIns.sqs, standIns.queueUrl)).toHaveLength(0);
  });

  it("releases the body's claim when SQS refuses the message, so that Bitbucket's retry is queued, then takes replays for duplicates", async () => {
    // A body no other test sends (trailing whitespace keeps the JSON), so its hash is claimed here first.
    const body = Buffer.concat([readWebhookFixture('updatePayload__normal-push'), Buffer.from('\n\n')]);
    const requestUuid = '22222222-3333-4444-8555-666666666666';
    const delivery = (attempt: number) =>
      event(body.toString('utf8'), {
        'x-event-key': 'repo:push',
        'x-hub-signature': signBody(secret, body),
        'x-request-uuid': requestUuid,
        'x-attempt-number': String(attempt),
      });
    const withoutQueue = verifierWith((env) => {
      env.QUEUE_URL = `${standIns.queueUrl.replace(/[^/]+$/, '')}no-such-queue.fifo`;
    });

    const failed = await withoutQueue(delivery(1));
    const retried = await handler(delivery(2));
    const replayed = await handler(delivery(3));

    expect(failed.statusCode).toBe(500);
    expect(retried).toMatchObject({ statusCode: 202, body: 'queued' });
    expect(replayed).toMatchObject({ statusCode: 202, body: 'duplicate' });
    expect(await receiveAll(standIns.sqs, standIns.queueUrl)).toHaveLength(1);
    const lines = (await eventLog().list({ repositoryUuid: CLOUDBEERS, limit: 1000 })).filter((line) => line.requestUuid === requestUuid);
    expect(lines.map((line) => [line.outcome, (line as { attempt?: number }).attempt]).sort()).toEqual([
      ['duplicate', 3],
      ['failed', 1],
      ['queued', 2],
    ]);
    expect(lines.find((line) => line.outcome === 'failed')?.reason).toMatch(/^not queued \(\w+\); Bitbucket retries$/);
  });

  it('counts forged deliveries on one events line a minute instead of one line each', async () => {
    const forgedLines = async () => (await eventLog().list({ limit: 1000 })).filter((line) => line.reason === 'invalid signature');
    const before = await forgedLines();
    const body = readWebhookFixture('updatePayload__normal-push');
    const answers = await Promise.all(
      Array.from({ length: 12 }, (_, index) =>
        handler(event(body.toString('utf8'), { 'x-hub-signature': signBody(generateSecret(), body), 'x-request-uuid': `forged-${index}` })),
      ),
    );
    const after = await forgedLines();

    expect(answers.map((answer) => answer.statusCode)).toEqual(Array(12).fill(401));
    const total = (lines: typeof after) => lines.reduce((sum, line) => sum + (line.count ?? 1), 0);
    expect(total(after) - total(before)).toBe(12);
    // One line for the minute, or two if the minute turned meanwhile (or one, if it counts on an earlier line).
    expect(after.length - before.length).toBeLessThanOrEqual(2);
  });

  it('answers 500 with a fixed text, and no internals, when its own infrastructure fails', async () => {
    const withoutEventsTable = verifierWith((env) => {
      env.EVENTS_TABLE = 'no-such-table';
    });
    const body = readWebhookFixture('annotated_tag_created');
    const response = await withoutEventsTable(
      event(body.toString('utf8'), { 'x-event-key': 'repo:push', 'x-hub-signature': signBody(secret, body) }),
    );
    expect(response).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'internal error; see the verifier logs',
    });
  });

  it('answers a forged delivery 401, not 500, when its count cannot be written (counting is best effort)', async () => {
    const withoutEventsTable = verifierWith((env) => {
      env.EVENTS_TABLE = 'no-such-table';
    });
    const body = readWebhookFixture('updatePayload__normal-push');
    const response = await withoutEventsTable(
      event(body.toString('utf8'), { 'x-event-key': 'repo:push', 'x-hub-signature': signBody(generateSecret(), body) }),
    );
    expect(response).toMatchObject({ statusCode: 401, body: 'invalid signature' });
  });

  it('answers 503 with a fixed text when the webhook secret cannot be read, so that Bitbucket retries', async () => {
    const withoutSecret = verifierWith((env) => {
      env.WEBHOOK_SECRET_ID = 'no-such-secret';
    });
    const body = readWebhookFixture('updatePayload__normal-push');
    const response = await withoutSecret(
      event(body.toString('utf8'), { 'x-event-key': 'repo:push', 'x-hub-signature': signBody(secret, body) }),
    );
    expect(response).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'webhook secret unavailable; Bitbucket retries',
    });
    expect(await receiveAll(standIns.sqs, standIns.queueUrl)).toHaveLength(0);
  });

  it('refuses to start with a clear list of missing settings', async () => {
    const withoutQueue = verifierWith((env) => {
      delete env.QUEUE_URL;
    });
    const response = await withoutQueue(event('{}', {}));
    expect(response.statusCode).toBe(500);
    expect(() => createVerifierPorts({ ...standIns.env, QUEUE_URL: undefined, WEBHOOK_SECRET_ID: '' })).toThrow(
      'Invalid configuration: QUEUE_URL environment variable is not set; WEBHOOK_SECRET_ID environment variable is not set',
    );
  });
});
