import type { Context, SQSRecord } from 'aws-lambda';
import { randomUUID } from 'node:crypto';
import { accessTokenSecretName } from '../../../../shared/aws/access-tokens';
import { DynamoDbEventLog } from '../../../../shared/aws/dynamodb-event-log';
import type { SyncRunEvent } from '../../../../shared/domain/logged-event';
import type { SyncRequest } from '../../../../shared/domain/sync-request';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startStandIns, TOKEN_SECRET_PREFIX, type StandIns } from '../../../../local/stand-ins';
import { createWorkerDeps } from '../../../../functions/worker/deps';
import { createWorkerHandler, type WorkerHandler } from '../../../../functions/worker/handler';
import { differences, expectedModels, storedModels, storesFor } from '../../../support/sync-harness';

const context = { getRemainingTimeInMillis: () => 600_000, functionName: 'worker', awsRequestId: 'test' } as unknown as Context;

/**
 * A repository renamed or transferred in Bitbucket with no push since: the stored name is stale, and only a push
 * would have told the worker. The worker addresses it by the uuids of workspace and repository instead.
 */
describe('worker: a repository renamed in Bitbucket with no push since', () => {
  let simulator: BitbucketSimulator;
  let standIns: StandIns;
  let handler: WorkerHandler;
  let stores: ReturnType<typeof storesFor>;

  beforeAll(async () => {
    [simulator, standIns] = await Promise.all([startBitbucketSimulator(), startStandIns()]);
    handler = createWorkerHandler(
      createWorkerDeps(
        { ...standIns.env, BITBUCKET_API_URL: simulator.apiUrl, BITBUCKET_MAX_ATTEMPTS: '1', RETRY_BACKOFF_BASE_SECONDS: '0' },
        { dynamodb: standIns.dynamodb, sqs: standIns.sqs, secretsManager: standIns.secretsManager },
      ),
    );
    stores = storesFor(standIns.dynamodb, standIns.env);
  });
  afterAll(async () => {
    await Promise.all([simulator.close(), standIns.close()]);
  });

  /** Adds a repository as `repo add` stores it (with its workspace uuid), or as older hubs did (without). */
  async function addRepository(name: string, options: { withWorkspaceUuid: boolean }): Promise<SimulatedRepository> {
    const repo = await simulator.createRepository(name);
    await repo.commit({ 'm.hck.json': '{"modelName":"v1"}', 'd/n.hck.json': '{"modelName":"n"}' });
    await stores.repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      ...(options.withWorkspaceUuid ? { workspaceUuid: repo.workspaceUuid } : {}),
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    return repo;
  }

  /** Runs one sync request through the worker handler; resolves with the ids of failed messages. */
  async function run(request: Omit<SyncRequest, 'version' | 'requestUuid' | 'requestedAt'>): Promise<string[]> {
    const id = randomUUID();
    const message = { version: 1, requestUuid: id, requestedAt: new Date().toISOString(), ...request } satisfies SyncRequest;
    const record = {
      messageId: id,
      receiptHandle: `handle-${id}`,
      body: JSON.stringify(message),
      attributes: { ApproximateReceiveCount: '1', MessageGroupId: request.repository.uuid, MessageDeduplicationId: id },
      messageAttributes: {},
    } as unknown as SQSRecord;
    const response = await handler({ Records: [record] }, context);
    return response.batchItemFailures.map((failure) => failure.itemIdentifier);
  }

  /** What the store says of a repository, as the scheduler and the CLI's `sync` put it on the queue. */
  async function stored(repo: SimulatedRepository) {
    const config = await stores.repositories.getRepository(repo.uuid);
    if (!config) throw new Error(`${repo.fullName} is not added`);
    return { uuid: config.uuid, fullName: config.fullName };
  }

  async function expectReplicaOf(repo: SimulatedRepository): Promise<void> {
    expect(differences(await expectedModels(repo, await repo.head()), await storedModels(stores.models, repo.uuid))).toEqual([]);
  }

  async function lastRun(repo: SimulatedRepository): Promise<SyncRunEvent> {
    const events = new DynamoDbEventLog({ tableName: standIns.env.EVENTS_TABLE!, client: standIns.dynamodb });
    return (await events.list({ repositoryUuid: repo.uuid, limit: 1 }))[0] as SyncRunEvent;
  }

  const apiPaths = (): string[] => simulator.requests.filter((request) => request.origin === 'api').map((request) => request.path);
  const byUuids = (repo: SimulatedRepository) =>
    `/2.0/repositories/${encodeURIComponent(repo.workspaceUuid)}/${encodeURIComponent(repo.uuid)}`;

  it('syncs it from a scheduled and from an admin sync (the stale name answers 404), reading the clone link afresh', async () => {
    // Prepare: added and synced under its first name, then renamed twice, with commits and no webhook delivery.
    const repo = await addRepository('acme/first-name', { withWorkspaceUuid: true });
    expect(await run({ trigger: 'reconcile', repository: await stored(repo) })).toEqual([]);
    simulator.renameRepository(repo, 'acme/second-name');
    await repo.commit({ 'm.hck.json': '{"modelName":"v2"}' });
    simulator.resetRequests();

    // Act: the schedule's message names the repository as stored.
    const scheduled = await run({ trigger: 'reconcile', repository: await stored(repo) });

    // Assess
    expect(scheduled).toEqual([]);
    await expectReplicaOf(repo);
    expect(apiPaths().length).toBeGreaterThan(0);
    expect(apiPaths().filter((path) => !path.startsWith(byUuids(repo)))).toEqual([]);
    // The run learnt the new name from Bitbucket's answer: the events log and the store use it from now on.
    expect((await lastRun(repo)).repository).toEqual({ uuid: repo.uuid, fullName: 'acme/second-name' });
    expect(await stored(repo)).toEqual({ uuid: repo.uuid, fullName: 'acme/second-name' });

    // Prepare: renamed again; an admin's full sync reads the whole head over git, from the clone link of now.
    simulator.renameRepository(repo, 'acme/third-name');
    await repo.commit({ 'm.hck.json': '{"modelName":"v3"}', 'd/new.hck.json': '{"modelName":"new"}' });
    simulator.resetRequests();

    // Act
    const admin = await run({ trigger: 'admin', mode: 'full', repository: await stored(repo) });

    // Assess
    expect(admin).toEqual([]);
    await expectReplicaOf(repo);
    const git = simulator.requests.filter((request) => request.origin === 'git');
    expect(git.length).toBeGreaterThan(0);
    expect(git.every((request) => request.path.startsWith('/acme/third-name.git/') && request.status === 200)).toBe(true);
    expect((await lastRun(repo)).transport).toBe('git');
  });

  it('still syncs an older record without its workspace uuid by name, and a push fills the uuid in for later renames', async () => {
    // Prepare
    const repo = await addRepository('acme/legacy', { withWorkspaceUuid: false });
    simulator.resetRequests();

    // Act: a scheduled sync of the old record.
    expect(await run({ trigger: 'reconcile', repository: await stored(repo) })).toEqual([]);

    // Assess: synced, addressed by name.
    await expectReplicaOf(repo);
    expect(apiPaths().length).toBeGreaterThan(0);
    expect(apiPaths().every((path) => path.startsWith('/2.0/repositories/acme/legacy'))).toBe(true);

    // Act: a push, as the verifier queues it, names the workspace's uuid.
    await repo.commit({ 'm.hck.json': '{"modelName":"v2"}' });
    const pushed = await run({
      trigger: 'push',
      repository: { uuid: repo.uuid, fullName: repo.fullName, workspaceUuid: repo.workspaceUuid },
    });

    // Assess: stored with the record, so a later rename with no push syncs as well.
    expect(pushed).toEqual([]);
    expect(await stores.repositories.getRepository(repo.uuid)).toMatchObject({
      fullName: 'acme/legacy',
      workspaceUuid: repo.workspaceUuid,
    });
    simulator.renameRepository(repo, 'acme/legacy-renamed');
    await repo.commit({ 'm.hck.json': '{"modelName":"v3"}' });
    expect(await run({ trigger: 'reconcile', repository: await stored(repo) })).toEqual([]);
    await expectReplicaOf(repo);
  });

  it('records a rename or transfer that a push names, workspace uuid included', async () => {
    // Prepare: transferred to another workspace, which revoked its access token; the admin stored the new one.
    const repo = await addRepository('acme/moving', { withWorkspaceUuid: true });
    simulator.renameRepository(repo, 'beta/moved');
    standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), repo.token);
    await repo.commit({ 'm.hck.json': '{"modelName":"moved"}' });

    // Act
    const pushed = await run({
      trigger: 'push',
      repository: { uuid: repo.uuid, fullName: repo.fullName, workspaceUuid: repo.workspaceUuid },
    });

    // Assess
    expect(pushed).toEqual([]);
    expect(await stores.repositories.getRepository(repo.uuid)).toMatchObject({ fullName: 'beta/moved', workspaceUuid: repo.workspaceUuid });
    await expectReplicaOf(repo);
    expect((await lastRun(repo)).repository).toEqual({ uuid: repo.uuid, fullName: 'beta/moved' });
  });
});
