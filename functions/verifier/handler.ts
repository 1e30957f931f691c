import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { DynamoDbEventLog } from '../../shared/aws/dynamodb-event-log';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { SqsSyncQueue } from '../../shared/aws/sqs-sync-queue';
import { createWebhookSecretReader } from '../../shared/aws/webhook-secrets';
import { loadVerifierConfig } from '../../shared/config/verifier-config';
import { acceptDelivery, requestUuidOf, type DeliveryOutcome, type DeliveryPorts } from '../../shared/domain/accept-delivery';
import { createLogger } from '../../shared/observability/logger';
import { cacheFor } from '../../shared/util/ttl-cache';

/**
 * Verifier: API Gateway HTTP API (payload 2.0) route `POST /gateway/public/sync`. Verifies Bitbucket's signature
 * over the raw body, filters, and queues one sync request per genuine push to an added repository.
 */
const logger = createLogger('model-hub-verifier');
let ports: DeliveryPorts | undefined;

/** Builds the adapters once per container from the environment. */
export function createVerifierPorts(env: NodeJS.ProcessEnv = process.env): DeliveryPorts {
  const config = loadVerifierConfig(env);
  const repositories = new DynamoDbRepositoryStore({ tableName: config.repositoriesTable });
  const events = new DynamoDbEventLog({ tableName: config.eventsTable, eventTtlDays: config.eventsTtlDays, acceptedTtlDays: config.dedupeTtlDays });
  const queue = new SqsSyncQueue({ queueUrl: config.queueUrl });
  const findRepository = cacheFor(config.repositoryCacheSeconds * 1000, (uuid) => repositories.getRepository(uuid), { keep: (repository) => repository !== undefined });
  return {
    getWebhookSecrets: createWebhookSecretReader(config.webhookSecretId),
    findRepository,
    wasAccepted: (hash) => events.wasAccepted(hash),
    rememberAccepted: (hash, at) => events.rememberAccepted(hash, at),
    enqueue: (request, options) => queue.enqueue(request, options),
    recordEvent: (event) => events.record(event),
  };
}

export const handler = async (event: APIGatewayProxyEventV2, context?: Context): Promise<APIGatewayProxyStructuredResultV2> => {
  const headers = lowerCaseHeaders(event.headers);
  const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const delivery = { rawBody, headers, receivedAt: new Date() };
  logger.resetKeys();
  if (context) logger.addContext(context);
  logger.setCorrelationId(requestUuidOf(delivery));
  try {
    ports ??= createVerifierPorts();
    const outcome = await acceptDelivery(delivery, ports);
    logger.appendKeys({ repository: outcome.repository?.fullName, repositoryUuid: outcome.repository?.uuid, eventKey: headers['x-event-key']?.slice(0, 64) });
    logger.info('delivery handled', { outcome: outcome.outcome, reason: outcome.reason, attempt: headers['x-attempt-number']?.slice(0, 8) });
    return toHttpResponse(outcome);
  } catch (error) {
    logger.error('delivery failed; Bitbucket will retry', error as Error);
    return text(500, 'internal error; see the verifier logs');
  }
};

/** Maps a decision to the status Bitbucket shows in "Recent events". Only 5xx makes Bitbucket retry. */
export function toHttpResponse(outcome: DeliveryOutcome): APIGatewayProxyStructuredResultV2 {
  switch (outcome.outcome) {
    case 'queued':
      return text(202, 'queued');
    case 'duplicate':
      return text(202, 'duplicate');
    case 'ignored':
      return text(202, `ignored: ${outcome.reason}`);
    case 'rejected':
      switch (outcome.reason) {
        case 'invalid signature':
          return text(401, 'invalid signature');
        case 'payload too large':
          return text(413, 'payload too large');
        case 'repository not added':
          return text(403, `repository ${outcome.repository?.fullName} ${outcome.repository?.uuid} is not added to this Model Hub`);
        default:
          return text(400, outcome.detail ? `${outcome.reason}: ${outcome.detail}` : outcome.reason);
      }
  }
}

function text(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}

/** API Gateway already lower-cases header names; other callers (the local server, tests) may not. */
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

/** Forgets the adapters built from the environment (the local runtime calls it when its endpoints change). */
export function resetVerifierPorts(): void {
  ports = undefined;
}
