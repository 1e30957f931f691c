import type { Context, ScheduledEvent } from 'aws-lambda';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { readEnv } from '../../shared/config/env';
import { enqueueReconciliation, type ReconciliationPorts } from '../../shared/domain/sync/enqueue-reconciliation';
import { newRequestUuid } from '../../shared/domain/sync/handle-sync-request';
import { createLogger } from '../../shared/observability/logger';

/** Reconciler: an EventBridge schedule; queues a level-triggered sync for every added repository. */
const logger = createLogger('model-hub-reconciler');
let ports: ReconciliationPorts | undefined;

function createReconcilerPorts(env: NodeJS.ProcessEnv = process.env): ReconciliationPorts {
  const read = readEnv(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: read.string('REPOSITORIES_TABLE') });
  const queue = new SqsSyncQueue({ queueUrl: read.string('QUEUE_URL') });
  read.done();
  return { listRepositories: () => repositories.listRepositories(), enqueue: (request, options) => queue.enqueue(request, options) };
}

export const handler = async (event: Partial<ScheduledEvent> = {}, context?: Context): Promise<{ queued: number }> => {
  ports ??= createReconcilerPorts();
  if (context) logger.addContext(context);
  const requestUuid = event.id ?? newRequestUuid();
  logger.setCorrelationId(requestUuid);
  const queued = await enqueueReconciliation(event.time ? new Date(event.time) : new Date(), requestUuid, ports);
  logger.info('reconciliation queued', { repositories: queued });
  return { queued };
};

/** Forgets the adapters built from the environment (the local runtime calls it when its endpoints change). */
export function resetReconcilerPorts(): void {
  ports = undefined;
}
