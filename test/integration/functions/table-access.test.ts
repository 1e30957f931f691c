// The DynamoDB calls the functions really make, recorded against dynalite over their common paths, are within the
// calls their roles are granted (infra/constructs/table-access.ts; the infra test checks the template grants those).
import { randomBytes } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { TABLE_ACCESS, type TableAccess } from '../../../infra/constructs/table-access';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../local/bitbucket-simulator';
import { startStandIns, TOKEN_SECRET_PREFIX, WEBHOOK_SECRET_NAME, type StandIns } from '../../../local/stand-ins';
import { createReconcilerDeps } from '../../../functions/reconciler/deps';
import { createReconcilerHandler } from '../../../functions/reconciler/handler';
import { createReaderDeps } from '../../../functions/reader/deps';
import { createReaderHandler } from '../../../functions/reader/handler';
import { createVerifierDeps } from '../../../functions/verifier/deps';
import { createVerifierHandler } from '../../../functions/verifier/handler';
import { createWorkerDeps } from '../../../functions/worker/deps';
import { createWorkerHandler } from '../../../functions/worker/handler';
import { accessTokenSecretName } from '../../../shared/aws/access-tokens';
import { signBody } from '../../../shared/domain/signature';
import type { SyncRequest } from '../../../shared/domain/sync-request';
import { generateSecret, readWebhookFixture } from '../../support/fixtures';
import { sqsRecord } from '../../support/sqs-record';
import { storesFor } from '../../support/sync-harness';

const CLOUDBEERS = '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}';
const context = { getRemainingTimeInMillis: () => 600_000, functionName: 'worker', awsRequestId: 'test' } as unknown as Context;

/** The calls a DynamoDB client makes, by table (`models`, `repositories`, `events`, `changes`), as IAM names them. */
function recordingClient(standIns: StandIns) {
  const tables = new Map(
    (['models', 'repositories', 'events', 'changes'] as const).map((name) => [standIns.env[`${name.toUpperCase()}_TABLE`]!, name] as const),
  );
  const calls: Record<string, Set<string>> = {};
  const client = new DynamoDBClient({
    endpoint: standIns.env.AWS_ENDPOINT_URL_DYNAMODB!,
    region: standIns.env.AWS_REGION!,
    credentials: { accessKeyId: standIns.env.AWS_ACCESS_KEY_ID!, secretAccessKey: standIns.env.AWS_SECRET_ACCESS_KEY! },
  });
  client.middlewareStack.add(
    (next, { commandName }) =>
      async (args) => {
        const input = args.input as { TableName?: string; RequestItems?: Record<string, unknown> };
        for (const table of input.TableName ? [input.TableName] : Object.keys(input.RequestItems ?? {}))
          (calls[tables.get(table) ?? table] ??= new Set()).add(String(commandName).replace(/Command$/, ''));
        return next(args);
      },
    { step: 'initialize', name: 'recordTableCalls' },
  );
  const made = (): TableAccess => Object.fromEntries(Object.entries(calls).map(([table, names]) => [table, [...names].sort()]));
  return { client, made };
}

/** `access` with each table's calls sorted, to compare with what was recorded. */
const sorted = (access: TableAccess): TableAccess =>
  Object.fromEntries(Object.entries(access).map(([table, calls]) => [table, [...calls].sort()]));

/** Whether every call made is one granted on its table. */
function ungranted(made: TableAccess, granted: TableAccess): string[] {
  return Object.entries(made).flatMap(([table, calls]) =>
    (calls ?? []).filter((call) => !(granted[table as keyof TableAccess] ?? []).includes(call)).map((call) => `${table}: ${call}`),
  );
}

describe('the DynamoDB calls each function makes are the ones its role is granted', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  const secret = generateSecret();

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    standIns.secrets.putSecret(WEBHOOK_SECRET_NAME, JSON.stringify({ current: secret, previous: '' }));
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  it('verifier: queued, duplicate, forged and unqueueable deliveries', async () => {
    await storesFor(standIns.dynamodb, standIns.env).repositories.addRepository({
      uuid: CLOUDBEERS,
      fullName: 'cloudbeers/temp',
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    const { client, made } = recordingClient(standIns);
    const verifier = (env: Record<string, string> = {}) =>
      createVerifierHandler(
        createVerifierDeps({ ...standIns.env, ...env }, { dynamodb: client, sqs: standIns.sqs, secretsManager: standIns.secretsManager }),
      );
    const delivery = (body: Buffer, signedWith: string): APIGatewayProxyEventV2 =>
      ({
        headers: { 'x-event-key': 'repo:push', 'x-hub-signature': signBody(signedWith, body) },
        body: body.toString('utf8'),
        isBase64Encoded: false,
      }) as unknown as APIGatewayProxyEventV2;
    const body = readWebhookFixture('updatePayload__normal-push');
    const other = Buffer.concat([body, Buffer.from('\n')]);

    const statuses = [
      (await verifier()(delivery(body, secret))).statusCode,
      (await verifier()(delivery(body, secret))).statusCode,
      (await verifier()(delivery(body, generateSecret()))).statusCode,
      (await verifier({ QUEUE_URL: `${standIns.queueUrl.replace(/[^/]+$/, '')}no-such-queue.fifo` })(delivery(other, secret))).statusCode,
      (await verifier()(delivery(readWebhookFixture('annotated_tag_created'), secret))).statusCode,
    ];

    expect(statuses).toEqual([202, 202, 401, 500, 202]);
    expect(ungranted(made(), TABLE_ACCESS.verifier)).toEqual([]);
    expect(made()).toEqual(sorted(TABLE_ACCESS.verifier));
  });

  it('worker: full and incremental syncs with a chunked model, a rename and a deletion, and a verification', async () => {
    const repo = await simulator.createRepository('acme/access');
    await repo.commit({
      'a.hck.json': '{"modelName":"a"}',
      'big.hck.json': JSON.stringify({ blob: randomBytes(600_000).toString('base64') }),
    });
    await storesFor(standIns.dynamodb, standIns.env).repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    const { client, made } = recordingClient(standIns);
    const worker = createWorkerHandler(
      createWorkerDeps(
        { ...standIns.env, BITBUCKET_API_URL: simulator.apiUrl, BITBUCKET_MAX_ATTEMPTS: '1' },
        { dynamodb: client, sqs: standIns.sqs, secretsManager: standIns.secretsManager },
      ),
    );
    const request = (id: string, extra: Partial<SyncRequest> = {}): SyncRequest => ({
      version: 1,
      trigger: 'push',
      repository: { uuid: repo.uuid, fullName: repo.fullName },
      requestUuid: id,
      requestedAt: new Date().toISOString(),
      ...extra,
    });

    const first = await worker({ Records: [sqsRecord(request('r1'), 'r1')] }, context);
    await repo.commit({ 'big.hck.json': '{"modelName":"small now"}' }, { renames: [['a.hck.json', 'renamed.hck.json']] });
    const second = await worker({ Records: [sqsRecord(request('r2'), 'r2')] }, context);
    await repo.commit({ 'renamed.hck.json': null });
    const third = await worker({ Records: [sqsRecord(request('r3', { trigger: 'admin', verify: true }), 'r3')] }, context);

    expect([first, second, third]).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }, { batchItemFailures: [] }]);
    // Granted beyond these paths, by reading the code: models UpdateItem (moveModel, a rename of unchanged content)
    // and repositories DeleteItem (deleteSyncState, when a repository was removed and added again meanwhile).
    expect(ungranted(made(), TABLE_ACCESS.worker)).toEqual([]);
    expect(Object.keys(made()).sort()).toEqual(['changes', 'events', 'models', 'repositories']);
  });

  it('reconciler: a scheduled run and a verification run', async () => {
    const { client, made } = recordingClient(standIns);
    const reconciler = createReconcilerHandler(createReconcilerDeps(standIns.env, { dynamodb: client, sqs: standIns.sqs }));

    await reconciler({ id: 'run-1', time: new Date().toISOString() });
    await reconciler({ id: 'run-2', time: new Date().toISOString(), verify: true });

    expect(made()).toEqual(sorted(TABLE_ACCESS.reconciler));
  });

  it('reader: repositories, models, metadata, the bytes of a stored and a chunked model, search and changes', async () => {
    const repo = await simulator.createRepository('acme/reads');
    await repo.commit({
      'a.hck.json': '{"modelName":"a"}',
      'big.hck.json': JSON.stringify({ blob: randomBytes(600_000).toString('base64') }),
    });
    await storesFor(standIns.dynamodb, standIns.env).repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    const worker = createWorkerHandler(
      createWorkerDeps(
        { ...standIns.env, BITBUCKET_API_URL: simulator.apiUrl, BITBUCKET_MAX_ATTEMPTS: '1' },
        { dynamodb: standIns.dynamodb, sqs: standIns.sqs, secretsManager: standIns.secretsManager },
      ),
    );
    const syncRequest: SyncRequest = {
      version: 1,
      trigger: 'push',
      repository: { uuid: repo.uuid, fullName: repo.fullName },
      requestUuid: 'reads-1',
      requestedAt: new Date().toISOString(),
    };
    expect(await worker({ Records: [sqsRecord(syncRequest, 'reads-1')] }, context)).toEqual({ batchItemFailures: [] });
    const { client, made } = recordingClient(standIns);
    const reader = createReaderHandler(createReaderDeps(standIns.env, { dynamodb: client }));
    const get = async (path: string, query = '', method = 'GET') =>
      (
        await reader({
          rawPath: `/gateway/api/v1/${path}`,
          rawQueryString: query,
          queryStringParameters: Object.fromEntries(new URLSearchParams(query)),
          headers: {},
          requestContext: { http: { method, path: `/gateway/api/v1/${path}` } },
          isBase64Encoded: false,
        } as unknown as APIGatewayProxyEventV2)
      ).statusCode;
    const uuid = encodeURIComponent(repo.uuid);

    const statuses = [
      await get('repositories'),
      await get(`repositories/${uuid}`),
      await get(`repositories/${uuid}/models`, 'limit=1'),
      await get(`repositories/${uuid}/model`, 'path=a.hck.json'),
      await get(`repositories/${uuid}/content`, 'path=a.hck.json'),
      await get(`repositories/${uuid}/content`, 'path=big.hck.json', 'HEAD'),
      await get('search', 'q=a'),
      await get('changes'),
    ];

    expect(statuses).toEqual([200, 200, 200, 200, 200, 200, 200, 200]);
    expect(ungranted(made(), TABLE_ACCESS.reader)).toEqual([]);
  });
});
