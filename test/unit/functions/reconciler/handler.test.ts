/**
 * The reconciler's two schedules: the reconciliation rule's scheduled event queues a sync per repository, the
 * verification rule's `{ id, time, verify: true }` queues a verification per repository.
 */
import { createReconcilerHandler } from '../../../../functions/reconciler/handler';
import { createLogger } from '../../../../shared/observability/logger';
import { InMemorySyncQueue } from '../../../support/in-memory/in-memory-sync-queue';

const repositories = [
  { uuid: '{11111111-0000-4000-8000-000000000001}', fullName: 'acme/a' },
  { uuid: '{11111111-0000-4000-8000-000000000002}', fullName: 'acme/b' },
];

function reconciler() {
  const queue = new InMemorySyncQueue();
  const handler = createReconcilerHandler({
    logger: createLogger('model-hub-reconciler', { POWERTOOLS_LOG_LEVEL: 'SILENT' }),
    ports: { listRepositories: async () => repositories, enqueue: (request, options) => queue.enqueue(request, options) },
  });
  return { queue, handler };
}

describe('reconciler handler', () => {
  it('queues a verification per repository for the verification rule, once per event id', async () => {
    const { queue, handler } = reconciler();
    const event = { id: 'evt-verify-1', time: '2026-06-01T03:00:00Z', verify: true };

    expect(await handler(event)).toEqual({ queued: 2 });
    await handler(event); // EventBridge delivered it twice

    expect(queue.requests()).toEqual(
      repositories.map((repository) =>
        expect.objectContaining({
          trigger: 'reconcile',
          verify: true,
          repository,
          requestUuid: 'evt-verify-1',
          requestedAt: '2026-06-01T03:00:00.000Z',
        }),
      ),
    );
    expect(queue.messages.map((message) => message.deduplicationId)).toEqual([
      'verify-11111111-0000-4000-8000-000000000001-evt-verify-1',
      'verify-11111111-0000-4000-8000-000000000002-evt-verify-1',
    ]);
  });

  it('queues plain syncs for the reconciliation schedule', async () => {
    const { queue, handler } = reconciler();
    await handler({ id: 'evt-reconcile-1', time: '2026-06-01T03:00:00Z' });
    expect(queue.requests().map((request) => request.verify)).toEqual([undefined, undefined]);
    expect(queue.messages[0]!.deduplicationId).toMatch(/^reconcile-/);
  });
});
