import { acceptDelivery, MAX_BODY_BYTES, type DeliveryEvent, type DeliveryPorts } from '../../../../shared/domain/accept-delivery';
import { WebhookSecretUnavailableError } from '../../../../shared/domain/errors';
import { signBody } from '../../../../shared/domain/signature';
import type { SyncRequest } from '../../../../shared/domain/sync-request';
import { generateSecret, readWebhookFixture, WEBHOOK_FIXTURES, type WebhookFixture } from '../../../support/fixtures';
import { InMemoryEventLog } from '../../../support/in-memory/in-memory-event-log';
import { InMemorySyncQueue } from '../../../support/in-memory/in-memory-sync-queue';

/** In-memory ports: the domain is tested without AWS; the adapters have their own tests against stand-ins. */
function memoryPorts(secrets: string[], addedUuids: string[]) {
  const log = new InMemoryEventLog();
  const queue = new InMemorySyncQueue();
  const ports: DeliveryPorts = {
    getWebhookSecrets: async () => secrets,
    findRepository: async (uuid) => (addedUuids.includes(uuid) ? { uuid, fullName: 'stored/name' } : undefined),
    claimAccepted: (hash, claim) => log.claimAccepted(hash, claim),
    releaseAccepted: (hash, claimId) => log.releaseAccepted(hash, claimId),
    enqueue: (request, options) => queue.enqueue(request, options),
    recordEvent: (event) => log.record(event),
    countEvent: (event) => log.recordCounted(event),
  };
  // Every line the log shows, oldest first (each line once: a replaced line shows its last version).
  const lines = async () =>
    ([...(await log.list({ limit: 1000 })), ...(await listAdded(log, addedUuids))] as Array<DeliveryEvent & { count?: number }>).sort(
      (a, b) => a.at.localeCompare(b.at),
    );
  return { ports, log, queue, queued: queue.messages, events: log.recorded as DeliveryEvent[], lines };
}

async function listAdded(log: InMemoryEventLog, uuids: string[]) {
  return (await Promise.all(uuids.map((uuid) => log.list({ repositoryUuid: uuid, limit: 1000 })))).flat();
}

const tick = () => new Promise<void>((resolve) => setImmediate(resolve));

const CLOUDBEERS = '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}';
const TEST_REPOS = '{3deb8c29-778a-450c-8f69-3e50a18079df}';

function delivery(body: Buffer, secret: string, headers: Record<string, string> = {}) {
  return {
    rawBody: body,
    headers: {
      'x-event-key': 'repo:push',
      'x-hub-signature': signBody(secret, body),
      'x-request-uuid': 'f1b0c3a2-1111-4222-8333-944455556666',
      'x-attempt-number': '1',
      ...headers,
    },
    receivedAt: new Date('2026-11-28T10:00:00Z'),
  };
}

/** The same delivery received a second later (Bitbucket's retry). */
function secondLater<T extends { receivedAt: Date }>(received: T): T {
  return { ...received, receivedAt: new Date(received.receivedAt.getTime() + 1000) };
}

describe('acceptDelivery', () => {
  const secret = generateSecret();

  it.each<[WebhookFixture, string, string]>([
    ['updatePayload__normal-push', 'queued', 'queued'],
    ['multipleChangesPayload', 'queued', 'queued'],
    ['signed_payload__branch-created', 'queued', 'queued'],
    ['commit_created__forced-truncated', 'queued', 'queued'],
    ['branch_deleted', 'ignored', 'branch deletion only'],
    ['annotated_tag_created', 'ignored', 'tag push only'],
  ])('decides %s → %s (%s)', async (fixture, outcome, reason) => {
    // Prepare
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS, TEST_REPOS]);
    // Act
    const result = await acceptDelivery(delivery(readWebhookFixture(fixture), secret), ports);
    // Assess
    expect(result).toMatchObject({ outcome, reason });
    expect(queued).toHaveLength(outcome === 'queued' ? 1 : 0);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      outcome,
      reason,
      eventKey: 'repo:push',
      attempt: 1,
      requestUuid: 'f1b0c3a2-1111-4222-8333-944455556666',
    });
  });

  it('covers all six real deliveries', () => {
    expect(WEBHOOK_FIXTURES).toHaveLength(6);
  });

  it('queues one small message per push, grouped by repository uuid and deduplicated by body hash', async () => {
    const { ports, queued } = memoryPorts([secret], [CLOUDBEERS]);
    await acceptDelivery(delivery(readWebhookFixture('multipleChangesPayload'), secret, { 'x-attempt-number': '2' }), ports);
    const [{ body, groupId, deduplicationId }] = queued as [(typeof queued)[number]];
    const request = JSON.parse(body) as SyncRequest;
    expect(groupId).toBe(CLOUDBEERS);
    expect(deduplicationId).toMatch(/^[0-9a-f]{64}$/);
    expect(request).toMatchObject({
      version: 1,
      trigger: 'push',
      repository: { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' },
      attempt: 2,
    });
    expect(request.changes?.map((change) => change.name)).toEqual(['main', 'manchu']);
    expect(JSON.stringify(request).length).toBeLessThan(2_000);
  });

  it("passes a delivery's workspace uuid on to the worker, so that it can address the repository by uuids", async () => {
    const { ports, queued, events } = memoryPorts([secret], [TEST_REPOS, CLOUDBEERS]);
    await acceptDelivery(delivery(readWebhookFixture('signed_payload__branch-created'), secret), ports);
    await acceptDelivery(delivery(readWebhookFixture('multipleChangesPayload'), secret), ports);
    const [current, older] = queued.map((message) => (JSON.parse(message.body) as SyncRequest).repository);
    expect(current).toEqual({ uuid: TEST_REPOS, fullName: 'nfalco79/test-repos', workspaceUuid: '{7d3a178a-a087-4756-b2da-2f9eadf50ba8}' });
    // Older deliveries carry no workspace object.
    expect(older).toEqual({ uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' });
    // The events log names repositories as before.
    expect(events[0]!.repository).toEqual({ uuid: TEST_REPOS, fullName: 'nfalco79/test-repos' });
  });

  it('answers a repeated body "duplicate" without queueing again, even with a fresh request uuid', async () => {
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    await acceptDelivery(delivery(body, secret), ports);
    const again = await acceptDelivery(delivery(body, secret, { 'x-request-uuid': '00000000-1111-4222-8333-944455556666' }), ports);
    expect(again.outcome).toBe('duplicate');
    expect(queued).toHaveLength(1);
    expect(events.map((event) => event.outcome)).toEqual(['queued', 'duplicate']);
  });

  it('answers "duplicate" to all but one of concurrent deliveries of one body', async () => {
    const { ports, queued } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    const outcomes = await Promise.all(
      [1, 2, 3].map((attempt) => acceptDelivery(delivery(body, secret, { 'x-attempt-number': `${attempt}` }), ports)),
    );
    expect(outcomes.map((outcome) => outcome.outcome).sort()).toEqual(['duplicate', 'duplicate', 'queued']);
    expect(queued).toHaveLength(1);
  });

  it("records a queued delivery's line while it queues, and only after it claimed the body", async () => {
    const { ports, log, lines } = memoryPorts([secret], [CLOUDBEERS]);
    const order: string[] = [];
    const traced: DeliveryPorts = {
      ...ports,
      claimAccepted: async (hash, claim) => (order.push('claim'), ports.claimAccepted(hash, claim)),
      // Neither of the two waits for the other: each finishes only once both have started.
      enqueue: async (request, options) => (order.push('enqueue'), await tick(), order.push('enqueued'), ports.enqueue(request, options)),
      recordEvent: async (event) => (order.push('record'), await tick(), order.push('recorded'), ports.recordEvent(event)),
    };
    await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), secret), traced);
    expect(order.slice(0, 3)).toEqual(['claim', 'enqueue', 'record']);
    expect(await lines()).toEqual([
      expect.objectContaining({ kind: 'delivery', outcome: 'queued', repository: { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' } }),
    ]);
    expect(log.recorded).toHaveLength(1);
  });

  it("releases the body's claim when the enqueue fails, so that Bitbucket's retry is queued", async () => {
    const { ports, queue, queued, lines } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    queue.failNext();

    await expect(acceptDelivery(delivery(body, secret), ports)).rejects.toThrow('the queue is unavailable');
    expect(queued).toHaveLength(0);
    // The delivery's line, written while it was being queued, now says it failed (the name of the error only).
    expect((await lines()).map((line) => [line.outcome, line.reason])).toEqual([
      ['failed', 'not queued (QueueUnavailable); Bitbucket retries'],
    ]);

    const retry = await acceptDelivery(secondLater(delivery(body, secret, { 'x-attempt-number': '2' })), ports);
    expect(retry.outcome).toBe('queued');
    expect(queued).toHaveLength(1);
    expect((await lines()).map((line) => [line.outcome, line.attempt])).toEqual([
      ['failed', 1],
      ['queued', 2],
    ]);
  });

  it("keeps the claim of a delivery it queued but could not log, and logs Bitbucket's retry as a duplicate", async () => {
    const { ports, log, queued, lines } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    log.failNext('record');

    await expect(acceptDelivery(delivery(body, secret), ports)).rejects.toThrow('record failed');
    expect(queued).toHaveLength(1);
    const retry = await acceptDelivery(secondLater(delivery(body, secret, { 'x-attempt-number': '2' })), ports);
    expect(retry.outcome).toBe('duplicate');
    expect(queued).toHaveLength(1);
    expect((await lines()).map((line) => [line.outcome, line.attempt])).toEqual([['duplicate', 2]]);
  });

  it('answers 500 without queueing when the claim cannot be written', async () => {
    const { ports, log, queued } = memoryPorts([secret], [CLOUDBEERS]);
    log.failNext('claimAccepted');
    await expect(acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), secret), ports)).rejects.toThrow(
      'claimAccepted failed',
    );
    expect(queued).toHaveLength(0);
  });

  it('counts forged deliveries on one line a minute, with the first request uuid, instead of one line each', async () => {
    const { ports, lines } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    for (const [index, second] of [1, 2, 3, 59, 61].entries()) {
      await acceptDelivery(
        {
          ...delivery(body, generateSecret(), { 'x-request-uuid': `f0f0f0f0-0000-4000-8000-00000000000${index}` }),
          receivedAt: new Date(Date.parse('2026-11-28T10:00:00Z') + second * 1000),
        },
        ports,
      );
    }
    await acceptDelivery(delivery(body, secret), ports);

    expect((await lines()).map((line) => [line.at, line.outcome, line.reason, line.count, line.requestUuid])).toEqual([
      ['2026-11-28T10:00:00.000Z', 'queued', 'queued', undefined, 'f1b0c3a2-1111-4222-8333-944455556666'],
      ['2026-11-28T10:00:01.000Z', 'rejected', 'invalid signature', 4, 'f0f0f0f0-0000-4000-8000-000000000000'],
      ['2026-11-28T10:01:01.000Z', 'rejected', 'invalid signature', 1, 'f0f0f0f0-0000-4000-8000-000000000004'],
    ]);
  });

  it('still answers a forged delivery "invalid signature" when its count cannot be written (counting is best effort)', async () => {
    const { ports, log, queued } = memoryPorts([secret], [CLOUDBEERS]);
    log.failNext('recordCounted');
    const result = await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), generateSecret()), ports);
    expect(result).toEqual({ outcome: 'rejected', reason: 'invalid signature', notCounted: 'Error' });
    expect(queued).toHaveLength(0);
  });

  it('throws WebhookSecretUnavailableError, naming no secret, when the webhook secret cannot be read', async () => {
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS]);
    const unreadable: DeliveryPorts = { ...ports, getWebhookSecrets: () => Promise.reject(new Error('ThrottlingException')) };
    const failure = await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), secret), unreadable).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(WebhookSecretUnavailableError);
    expect((failure as Error).message).toBe('the webhook secret cannot be read; the delivery was neither verified nor queued');
    expect(((failure as Error).cause as Error).message).toBe('ThrottlingException');
    expect(queued).toHaveLength(0);
    expect(events).toHaveLength(0);
  });

  it('rejects a wrong signature before reading anything, and logs no body hash for it', async () => {
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS]);
    const result = await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), generateSecret()), ports);
    expect(result).toEqual({ outcome: 'rejected', reason: 'invalid signature' });
    expect(queued).toHaveLength(0);
    expect(events[0]).toMatchObject({ outcome: 'rejected', reason: 'invalid signature' });
    expect(events[0]).not.toHaveProperty('repository');
    expect(events[0]).not.toHaveProperty('bodySha256');
  });

  it('rejects a repository that is not added, naming it', async () => {
    const { ports, queued } = memoryPorts([secret], []);
    const result = await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), secret), ports);
    expect(result).toMatchObject({
      outcome: 'rejected',
      reason: 'repository not added',
      repository: { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' },
    });
    expect(queued).toHaveLength(0);
  });

  it('ignores other event keys', async () => {
    const { ports, queued } = memoryPorts([secret], [CLOUDBEERS]);
    const result = await acceptDelivery(
      delivery(readWebhookFixture('updatePayload__normal-push'), secret, { 'x-event-key': 'pullrequest:created' }),
      ports,
    );
    expect(result).toEqual({ outcome: 'ignored', reason: 'event pullrequest:created is not repo:push' });
    expect(queued).toHaveLength(0);
  });

  it.each<[string, Buffer, string]>([
    ['malformed JSON', Buffer.from('{"push":'), 'malformed JSON'],
    ['a body above the cap', Buffer.from(`{"pad":"${'x'.repeat(MAX_BODY_BYTES)}"}`), 'payload too large'],
    ['a JSON array', Buffer.from('[]'), 'malformed payload'],
    ['deeply nested JSON', Buffer.from(`${'['.repeat(5000)}${']'.repeat(5000)}`), 'malformed payload'],
  ])('rejects a signed %s and queues nothing', async (_case, body, reason) => {
    const { ports, queued } = memoryPorts([secret], [CLOUDBEERS]);
    const result = await acceptDelivery(delivery(body, secret), ports);
    expect(result).toMatchObject({ outcome: 'rejected', reason });
    expect(queued).toHaveLength(0);
  });

  it('does not let a hostile request uuid header into the events log raw', async () => {
    const { ports, events } = memoryPorts([secret], [CLOUDBEERS]);
    await acceptDelivery(delivery(Buffer.from('x'), secret, { 'x-request-uuid': `\u0000\n${'a'.repeat(10_000)}` }), ports);
    expect(events[0]!.requestUuid).toMatch(/^\?\?a+$/);
    expect(events[0]!.requestUuid.length).toBe(128);
  });
});
