// Lambda entry of the public webhook endpoint: maps API Gateway's event onto acceptDelivery and back to HTTP.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { acceptDelivery, requestUuidOf } from '../../shared/domain/accept-delivery';
import { createVerifierDeps, type VerifierDeps } from './deps';
import { WebhookSecretUnavailableError } from '../../shared/domain/errors';
import { internalErrorResponse, secretUnavailableResponse, toHttpResponse } from './http-response';

/**
 * Verifier: API Gateway HTTP API (payload 2.0) route `POST /gateway/public/sync`. Verifies Bitbucket's signature
 * over the raw body, filters, and queues one sync request per genuine push to an added repository.
 */
export type VerifierHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function createVerifierHandler({ logger, ports }: VerifierDeps): VerifierHandler {
  return async (event, context) => {
    const headers = lowerCaseHeaders(event.headers);
    const rawBody = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
    const delivery = { rawBody, headers, receivedAt: new Date() };
    logger.resetKeys();
    if (context) logger.addContext(context);
    logger.setCorrelationId(requestUuidOf(delivery));
    try {
      const outcome = await acceptDelivery(delivery, ports());
      logger.appendKeys({
        repository: outcome.repository?.fullName,
        repositoryUuid: outcome.repository?.uuid,
        eventKey: headers['x-event-key']?.slice(0, 64),
      });
      logger.info('delivery handled', {
        outcome: outcome.outcome,
        reason: outcome.reason,
        attempt: headers['x-attempt-number']?.slice(0, 8),
      });
      if (outcome.outcome === 'rejected' && outcome.notCounted)
        logger.warn('forged delivery not counted in the events log (counting is best effort)', { error: outcome.notCounted });
      return toHttpResponse(outcome);
    } catch (error) {
      if (error instanceof WebhookSecretUnavailableError) {
        logger.error('webhook secret unreadable; answered 503, Bitbucket will retry', error);
        return secretUnavailableResponse();
      }
      logger.error('delivery failed; Bitbucket will retry', error as Error);
      return internalErrorResponse();
    }
  };
}

/** API Gateway already lower-cases header names; other callers (the local server, tests) may not. */
function lowerCaseHeaders(headers: APIGatewayProxyEventV2['headers'] | undefined): Record<string, string | undefined> {
  const result: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(headers ?? {})) result[name.toLowerCase()] = value;
  return result;
}

let fromEnvironment: VerifierHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first delivery of a container. */
export const handler: VerifierHandler = (event, context) =>
  (fromEnvironment ??= createVerifierHandler(createVerifierDeps(process.env)))(event, context);
