// The read API for the admin console: a browser cannot sign SigV4 requests, so the console reads models through
// the admin API (`GET /gateway/admin/v1/read/…`), which authorizes the admin as every admin route does and hands
// the request, renamed to `/gateway/api/v1/…`, to the read API's handler. Reads only: nothing else goes through.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ADMIN_API_BASE_PATH } from './api-types';
import type { Authorize } from './api/principal';
import { errorResponse } from './api/http';
import { AdminError } from './errors';

export type HttpHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** Where the console reads: `${READ_PROXY_PATH}/repositories` is the read API's `/gateway/api/v1/repositories`. */
export const READ_PROXY_PATH = `${ADMIN_API_BASE_PATH}/read`;
export const READ_API_BASE_PATH = '/gateway/api/v1';

/** Whether a request is for the read proxy (and not for an admin route). */
export function isReadProxyPath(rawPath: string): boolean {
  return rawPath === READ_PROXY_PATH || rawPath.startsWith(`${READ_PROXY_PATH}/`);
}

/**
 * The admin API with the read routes below `/read`: an authorized admin's GET (or HEAD) goes to `reader` as the
 * read API's own path, everything else to `admin`. A refused caller gets the admin API's 401/403 answer.
 */
export function withReadProxy(admin: HttpHandler, options: { authorize: Authorize; reader: HttpHandler }): HttpHandler {
  return async (event) => {
    const rawPath = event.rawPath ?? '';
    if (!isReadProxyPath(rawPath)) return admin(event);
    try {
      options.authorize(event);
    } catch (error) {
      return errorResponse(error);
    }
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'HEAD')
      return errorResponse(
        new AdminError(`${method} is not allowed on the read routes: they only read`, { hint: 'use GET', code: 'invalid-request' }),
      );
    const readPath = `${READ_API_BASE_PATH}${rawPath.slice(READ_PROXY_PATH.length)}`;
    return options.reader({
      ...event,
      rawPath: readPath,
      routeKey: `${method} ${readPath}`,
      requestContext: { ...event.requestContext, http: { ...event.requestContext.http, path: readPath } },
    });
  };
}
