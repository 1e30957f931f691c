import { acceptDelivery, MAX_BODY_BYTES, type DeliveryEvent, type DeliveryPorts } from '../../../../shared/domain/accept-delivery';
import { signBody } from '../../../../shared/domain/signature';
import type { SyncRequest } from '../../../../shared/domain/sync-request';
import { generateSecret, readWebhookFixture, WEBHOOK_FIXTURES, type WebhookFixture } from '../../../support/fixtures';

/** In-memory ports: the domain is tested without AWS; the adapters have their own tests against stand-ins. */
function memoryPorts(secrets: string[], addedUuids: string[]) {
  const accepted = new Set<string>();
  const queued: Array<{ request: SyncRequest; groupId: string; deduplicationId: string }> = [];
  const events: DeliveryEvent[] = [];
  const ports: DeliveryPorts = {
    getWebhookSecrets: async () => secrets,
    findRepository: async (uuid) => (addedUuids.includes(uuid) ? { uuid, fullName: 'stored/name' } : undefined),
    wasAccepted: async (hash) => accepted.has(hash),
    rememberAccepted: async (hash) => void accepted.add(hash),
    enqueue: async (request, options) => void queued.push({ request, ...options }),
    recordEvent: async (event) => void events.push(event),
  };
  return { ports, queued, events };
}

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
    const [{ request, groupId, deduplicationId }] = queued as [(typeof queued)[number]];
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

  it('answers a repeated body "duplicate" without queueing again, even with a fresh request uuid', async () => {
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS]);
    const body = readWebhookFixture('updatePayload__normal-push');
    await acceptDelivery(delivery(body, secret), ports);
    const again = await acceptDelivery(delivery(body, secret, { 'x-request-uuid': '00000000-1111-4222-8333-944455556666' }), ports);
    expect(again.outcome).toBe('duplicate');
    expect(queued).toHaveLength(1);
    expect(events.map((event) => event.outcome)).toEqual(['queued', 'duplicate']);
  });

  it('rejects a wrong signature before reading anything, and logs no body hash for it', async () => {
    const { ports, queued, events } = memoryPorts([secret], [CLOUDBEERS]);
    const result = await acceptDelivery(delivery(readWebhookFixture('updatePayload__normal-push'), generateSecret()), ports);
    expect(result).toEqual({ outcome: 'rejected', reason: 'invalid signature' });
    expect(queued).toHaveLength(0);
    expect(events[0]).toMatchObject({ outcome: 'rejected', reason: 'invalid signature', repository: undefined, bodySha256: undefined });
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
