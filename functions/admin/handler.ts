// Lambda entry of the admin API (/gateway/admin/v1, docs/ADMIN-API.md): maps API Gateway's event onto the admin
// router, which authorizes every route (JWT admin group) and runs the use cases the CLI runs.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { createAdminApi, type AdminApi } from '../../shared/admin/api/router';
import { errorResponse } from '../../shared/admin/api/http';
import { AdminError } from '../../shared/admin/errors';
import { withReadProxy, type HttpHandler } from '../../shared/admin/read-proxy';
import { createReaderDeps } from '../reader/deps';
import { createReaderHandler } from '../reader/handler';
import { createAdminDeps, type AdminDeps } from './deps';

/** Admin: API Gateway HTTP API (payload 2.0) routes under `/gateway/admin/v1`, behind a JWT authorizer. */
export type AdminHandler = (event: APIGatewayProxyEventV2, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

/**
 * With `reader`, the console's reads (`/gateway/admin/v1/read/…`, shared/admin/read-proxy.ts) go to the read API's
 * handler once the admin is authorized: a browser cannot sign the read API's SigV4 requests.
 */
export function createAdminHandler(deps: AdminDeps, reader?: HttpHandler): AdminHandler {
  let api: AdminApi | undefined;
  return async (event, context) => {
    deps.logger.resetKeys();
    if (context) deps.logger.addContext(context);
    try {
      if (!api) {
        const routes = createAdminApi(deps.api());
        api = reader ? withReadProxy(routes, { authorize: deps.api().authorize, reader }) : routes;
      }
    } catch (error) {
      deps.logger.error('admin function misconfigured', error as Error);
      return errorResponse(new AdminError('the admin API is misconfigured', { hint: "see the admin function's log" }));
    }
    const response = await api(event);
    deps.logger.info('admin request', { method: event.requestContext?.http?.method, path: event.rawPath, status: response.statusCode });
    return response;
  };
}

let fromEnvironment: AdminHandler | undefined;
/** The Lambda entry point: adapters built from the environment on the first request of a container. */
export const handler: AdminHandler = (event, context) =>
  (fromEnvironment ??= createAdminHandler(createAdminDeps(process.env), createReaderHandler(createReaderDeps(process.env))))(
    event,
    context,
  );
