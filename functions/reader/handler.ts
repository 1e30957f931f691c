// Lambda entry of the read API: maps API Gateway's request onto the read use cases and their answers back to HTTP.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { ReadError } from '../../shared/domain/read/errors';
import { createReaderDeps, MAX_CONTENT_BYTES_PER_RESPONSE, type ReaderDeps } from './deps';
import { parseRequest } from './http-request';
import { errorResponse, internalErrorResponse, toHttpResponse } from './http-response';
import { runRoute, unknownRoute } from './routes';

/**
 * Reader: API Gateway HTTP API (payload 2.0) route `ANY /gateway/api/v1/{proxy+}`, behind IAM (SigV4) or JWT
 * authorization. Read-only: repositories, models, a model's exact bytes (docs/CONSUMERS.md).
 */
export type ReaderHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export function createReaderHandler({ logger, ports, maxContentBytes = MAX_CONTENT_BYTES_PER_RESPONSE }: ReaderDeps): ReaderHandler {
  return async (event, context) => {
    logger.resetKeys();
    if (context) logger.addContext(context);
    const head = event.requestContext?.http?.method?.toUpperCase() === 'HEAD';
    try {
      const request = parseRequest(event);
      if (!request) throw unknownRoute();
      const response = toHttpResponse(await runRoute(request, ports(), maxContentBytes), head);
      logger.info('read answered', { path: event.rawPath, status: response.statusCode });
      return response;
    } catch (error) {
      if (error instanceof ReadError) {
        logger.info('read refused', { path: event.rawPath, code: error.code });
        return errorResponse(error, head);
      }
      logger.error('read failed', error as Error);
      return internalErrorResponse();
    }
  };
}

let fromEnvironment: ReaderHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first request of a container. */
export const handler: ReaderHandler = (event, context) =>
  (fromEnvironment ??= createReaderHandler(createReaderDeps(process.env)))(event, context);
