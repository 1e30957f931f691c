import { GetQueueAttributesCommand } from '@aws-sdk/client-sqs';
import { accessTokenSecretName } from '../../../shared/aws/access-tokens';
import { DynamoDbEventLog } from '../../../shared/aws/dynamodb-event-log';
import type { SyncRunEvent } from '../../../shared/domain/logged-event';
import { startBitbucketSimulator, type BitbucketSimulator, type SimulatedRepository } from '../../../local/bitbucket-simulator';
import { startLocalHub, type LocalHub } from '../../../local/runtime';
import { TOKEN_SECRET_PREFIX } from '../../../local/stand-ins';
import { receiveAll } from '../../support/queue';
import { findSecretLeaks, generateRegisteredSecret, muteOutput, registerSecret, registeredSecrets } from '../../support/secret-hygiene';
import { differences, expectedModels, storedModels, storesFor } from '../../support/sync-harness';

/**
 * Poison messages through the whole local pipeline (signed webhook → verifier → queue → worker): a repository
 * whose access token was revoked, and one with a model that Bitbucket always answers 5xx for. Their messages must
 * end in the dead-letter queue after the configured number of receives, the events log must say why, and a
 * healthy repository must keep syncing meanwhile.
 */

const MAX_RECEIVES = 3;
const MODEL = (name: string) => JSON.stringify({ modelName: name, dbVendor: 'MongoDB', collections: [] }, null, 4);

async function until(condition: () => Promise<boolean>, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe('reliability: poison messages end in the dead-letter queue while other repositories keep syncing', () => {
  const webhookSecret = generateRegisteredSecret();
  let simulator: BitbucketSimulator;
  let hub: LocalHub;

  beforeAll(async () => {
    muteOutput();
    simulator = await startBitbucketSimulator();
    // Short polls: local-aws-sqs holds the messages a long poll received until the wait ends, while their
    // visibility timeout already runs, so a 1 s wait would eat most of a short timeout.
    hub = await startLocalHub({
      webhookSecret,
      bitbucketApiUrl: simulator.apiUrl,
      reconcileEverySeconds: 0,
      pollWaitSeconds: 0,
      visibilityTimeoutSeconds: 2,
      maxReceiveCount: MAX_RECEIVES,
      // Real logs at every level for the secrets scan; few, fast Bitbucket retries; the queue's own redelivery.
      environment: {
        POWERTOOLS_LOG_LEVEL: 'DEBUG',
        BITBUCKET_MAX_ATTEMPTS: '2',
        BITBUCKET_RETRY_BASE_MS: '5',
        RETRY_BACKOFF_BASE_SECONDS: '0',
      },
    });
  });

  afterAll(async () => {
    await hub?.close();
    await simulator?.close();
  });

  async function addRepository(name: string, storedToken?: string): Promise<SimulatedRepository> {
    const repo = await simulator.createRepository(name);
    registerSecret(repo.token);
    if (storedToken) registerSecret(storedToken);
    const { repositories } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    await repositories.addRepository({
      uuid: repo.uuid,
      fullName: repo.fullName,
      modelPattern: '*.hck.json',
      addedAt: new Date().toISOString(),
    });
    hub.standIns.secrets.putSecret(accessTokenSecretName(TOKEN_SECRET_PREFIX, repo.uuid), storedToken ?? repo.token);
    return repo;
  }

  async function push(repo: SimulatedRepository, changes: Record<string, string>): Promise<string> {
    const before = await repo.head().catch(() => null);
    const head = await repo.commit(changes);
    const delivery = await repo.deliverPush(hub.webhookUrl, webhookSecret, { branch: repo.mainBranch, oldHash: before, newHash: head });
    expect(delivery).toEqual({ status: 202, body: 'queued' });
    return head;
  }

  async function syncEvents(repo: SimulatedRepository): Promise<SyncRunEvent[]> {
    const events = new DynamoDbEventLog({ tableName: hub.standIns.env.EVENTS_TABLE!, client: hub.standIns.dynamodb });
    return (await events.list({ repositoryUuid: repo.uuid, limit: 100 })).filter((event): event is SyncRunEvent => event.kind === 'sync');
  }

  it('dead-letters a revoked token and an always-failing path after the configured receives, and says why', async () => {
    // Prepare: the revoked repository's stored token is one Bitbucket no longer accepts (401).
    const revoked = await addRepository('acme/revoked', generateRegisteredSecret());
    const broken = await addRepository('acme/broken');
    const healthy = await addRepository('acme/healthy');
    // By name or by uuids (the worker addresses it by uuids once a push named its workspace's).
    const brokenPaths = `(?:acme/broken|${encodeURIComponent(broken.workspaceUuid)}/${encodeURIComponent(broken.uuid)})`;
    simulator.addFault({
      pathPattern: new RegExp(`/${brokenPaths}/src/[0-9a-f]{40}/models/cursed\\.hck\\.json`),
      kind: 'status',
      status: 502,
    });
    // Its git reads fail too, so the sync falls back to REST, where that one file always fails.
    simulator.addFault({ pathPattern: /\/acme\/broken\.git\//, kind: 'status', status: 502 });
    const { models, repositories } = storesFor(hub.standIns.dynamodb, hub.standIns.env);
    const atHead = async (repo: SimulatedRepository, head: string) => (await repositories.getSyncState(repo.uuid)).cursor === head;
    const deadLettered = async () => {
      const { Attributes } = await hub.standIns.sqs.send(
        new GetQueueAttributesCommand({ QueueUrl: hub.standIns.deadLetterQueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    };

    // Act: pushes to all three; the healthy repository keeps receiving pushes while the others fail.
    await push(revoked, { 'models/a.hck.json': MODEL('revoked a') });
    await push(broken, { 'models/fine.hck.json': MODEL('fine'), 'models/cursed.hck.json': MODEL('cursed') });
    const healthyHeads = [await push(healthy, { 'models/h.hck.json': MODEL('healthy 1') })];
    await until(() => atHead(healthy, healthyHeads[0]!), 'the first healthy sync');
    healthyHeads.push(await push(healthy, { 'models/h.hck.json': MODEL('healthy 2'), 'models/i.hck.json': MODEL('healthy 2b') }));
    await until(() => atHead(healthy, healthyHeads[1]!), 'the second healthy sync');
    await until(async () => (await deadLettered()) === 2, 'both poison messages in the dead-letter queue');
    healthyHeads.push(await push(healthy, { 'models/h.hck.json': MODEL('healthy 3') }));
    await until(() => atHead(healthy, healthyHeads[2]!), 'the healthy sync after the dead-lettering');

    // Assess: the dead-letter queue holds exactly the two poison messages, each received the configured times.
    const dead = await receiveAll(hub.standIns.sqs, hub.standIns.deadLetterQueueUrl);
    expect(dead.map((message) => message.Attributes?.MessageGroupId).sort()).toEqual([revoked.uuid, broken.uuid].sort());
    const revokedRuns = await syncEvents(revoked);
    const brokenRuns = await syncEvents(broken);
    expect(revokedRuns).toHaveLength(MAX_RECEIVES);
    expect(brokenRuns).toHaveLength(MAX_RECEIVES);
    for (const run of revokedRuns) {
      expect(run).toMatchObject({ outcome: 'failed' });
      expect(run.reason).toMatch(/^BitbucketAuthError: Bitbucket rejected the access token for repository acme\/revoked \(HTTP 401\)/);
    }
    for (const run of brokenRuns) {
      expect(run).toMatchObject({ outcome: 'failed' });
      expect(run.reason).toMatch(
        /^BitbucketUnavailableError: Bitbucket failed 2 times fetching .*models\/cursed\.hck\.json.* in repository acme\/broken/,
      );
    }
    // What could be synced of the broken repository was, and its cursor did not move past the failure.
    expect((await models.listModels(broken.uuid)).map((record) => record.path)).toEqual(['models/fine.hck.json']);
    expect((await repositories.getSyncState(broken.uuid)).cursor).toBeUndefined();
    expect(await models.listModels(revoked.uuid)).toEqual([]);
    // The healthy repository synced every push, byte for byte.
    expect(differences(await expectedModels(healthy, healthyHeads[2]!), await storedModels(models, healthy.uuid))).toEqual([]);
    expect((await syncEvents(healthy)).filter((run) => run.outcome === 'synced')).toHaveLength(3);
    // No token or secret in the events log either (it is what an admin reads).
    const allEvents = JSON.stringify([...revokedRuns, ...brokenRuns, ...(await syncEvents(healthy))]);
    expect(findSecretLeaks(allEvents, registeredSecrets())).toEqual([]);
  }, 120_000);
});
