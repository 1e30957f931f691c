/**
 * The behaviour the hub relies on from the sync queue, as one suite run against SqsSyncQueue on local-aws-sqs
 * and against the in-memory queue: one message per request, in its repository's group, deduplicated by id.
 */
import { randomUUID } from 'node:crypto';
import type { SyncRequest } from '../../../shared/domain/sync-request';

export interface SyncQueueUnderTest {
  enqueue(request: SyncRequest, options: { groupId: string; deduplicationId: string }): Promise<void>;
}

export interface SyncQueueHarness {
  readonly queue: SyncQueueUnderTest;
  /** Every message queued and not yet drained, with its group and deduplication id. */
  drain(): Promise<Array<{ body: string; groupId: string; deduplicationId: string }>>;
}

const request = (uuid: string, requestUuid: string): SyncRequest => ({
  version: 1,
  trigger: 'push',
  repository: { uuid, fullName: 'acme/models' },
  requestUuid,
  requestedAt: '2026-01-01T00:00:00.000Z',
  changes: [{ refType: 'branch', name: 'main', oldHash: 'a'.repeat(40), newHash: 'b'.repeat(40), forced: false }],
});

export function syncQueueContract(harness: () => SyncQueueHarness): void {
  it("queues each request as its JSON in the repository's group, in order", async () => {
    const { queue, drain } = harness();
    const uuid = `{${randomUUID()}}`;
    const first = request(uuid, randomUUID());
    const second = request(uuid, randomUUID());
    await queue.enqueue(first, { groupId: uuid, deduplicationId: `push-${first.requestUuid}` });
    await queue.enqueue(second, { groupId: uuid, deduplicationId: `push-${second.requestUuid}` });
    const messages = await drain();
    expect(messages.map((message) => JSON.parse(message.body))).toEqual([first, second]);
    expect(messages.map((message) => message.groupId)).toEqual([uuid, uuid]);
    expect(messages.map((message) => message.deduplicationId)).toEqual([`push-${first.requestUuid}`, `push-${second.requestUuid}`]);
  });

  it('drops a request sent again with the same deduplication id', async () => {
    const { queue, drain } = harness();
    const uuid = `{${randomUUID()}}`;
    const once = request(uuid, randomUUID());
    await queue.enqueue(once, { groupId: uuid, deduplicationId: 'reconcile-once' });
    await queue.enqueue({ ...once, requestedAt: '2026-01-02T00:00:00.000Z' }, { groupId: uuid, deduplicationId: 'reconcile-once' });
    expect((await drain()).map((message) => JSON.parse(message.body))).toEqual([once]);
  });
}
