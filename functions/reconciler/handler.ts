// Lambda entry of the scheduled reconciler, which heals missed webhooks by queueing a sync per repository, and
// (from the verification schedule, whose event says `verify: true`) queues a verification per repository.
import type { Context, ScheduledEvent } from 'aws-lambda';
import { enqueueReconciliation } from '../../shared/domain/sync/enqueue-reconciliation';
import { newRequestUuid } from '../../shared/domain/sync/handle-sync-request';
import { createReconcilerDeps, type ReconcilerDeps } from './deps';

/** The schedules' events: EventBridge's scheduled event, or the verification rule's `{ id, time, verify: true }`. */
export type ReconcilerEvent = Partial<ScheduledEvent> & { readonly verify?: boolean };

/** Reconciler: an EventBridge schedule; queues a level-triggered sync (or verification) for every added repository. */
export type ReconcilerHandler = (event?: ReconcilerEvent, context?: Context) => Promise<{ queued: number }>;

export function createReconcilerHandler({ ports, logger }: ReconcilerDeps): ReconcilerHandler {
  return async (event = {}, context) => {
    if (context) logger.addContext(context);
    const requestUuid = event.id ?? newRequestUuid();
    logger.setCorrelationId(requestUuid);
    const verify = event.verify === true;
    const queued = await enqueueReconciliation(event.time ? new Date(event.time) : new Date(), requestUuid, ports, { verify });
    logger.info(verify ? 'verification queued' : 'reconciliation queued', { repositories: queued });
    return { queued };
  };
}

let fromEnvironment: ReconcilerHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first invocation of a container. */
export const handler: ReconcilerHandler = (event, context) =>
  (fromEnvironment ??= createReconcilerHandler(createReconcilerDeps(process.env)))(event, context);
