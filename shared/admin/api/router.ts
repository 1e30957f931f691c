// The admin API as one function of a payload-2.0 event: authorize the caller, find the route, run it on the hub
// with a fresh run (clock, notes) and answer JSON. The admin Lambda and the local server both call it.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { ADMIN_API_BASE_PATH } from '../api-types';
import type { AdminRun } from '../admin-run';
import { AdminError } from '../errors';
import type { HubContext } from '../hub-context';
import { errorResponse, json, jsonBody } from './http';
import type { Authorize, Principal } from './principal';
import { ADMIN_ROUTES, type AdminRoute } from './routes';

/** What the admin API needs around it. */
export interface AdminApiDeps {
  readonly authorize: Authorize;
  /** The hub's adapters for one request, the events log recording `actor` as who did it. Closed after the request. */
  openHub(actor: string): HubContext;
  /** How long verifiers cache the webhook secret. */
  readonly secretCacheSeconds: number;
  now?(): Date;
  /** Told about failures the hub did not expect (answered 500): logged without request bodies. */
  onUnexpectedError?(error: unknown, route: string): void;
}

/** One call of a route: the caller, the hub, the run, the path parameters, the query and the JSON body. */
export interface AdminCall {
  readonly principal: Principal;
  readonly hub: HubContext;
  readonly run: AdminRun;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  body(): Record<string, unknown>;
  /** The notes of the run so far (the CLI's progress lines), for answers that return `messages`. */
  messages(): string[];
}

export type AdminApi = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** The admin API over `deps`. Every route requires an authorized principal before anything else happens. */
export function createAdminApi(deps: AdminApiDeps): AdminApi {
  const now = deps.now ?? (() => new Date());
  return async (event) => {
    let principal: Principal;
    try {
      principal = deps.authorize(event);
    } catch (error) {
      return errorResponse(error);
    }
    const method = event.requestContext?.http?.method ?? 'GET';
    const matched = matchRoute(method, event.rawPath ?? '');
    if (!matched) return errorResponse(notFound(method, event.rawPath ?? ''));
    const notes: string[] = [];
    const run: AdminRun = { now, note: (text) => notes.push(text), secretCacheSeconds: deps.secretCacheSeconds };
    let hub: HubContext | undefined;
    try {
      hub = deps.openHub(principal.user);
      const call: AdminCall = {
        principal,
        hub,
        run,
        params: matched.params,
        query: new URLSearchParams(event.rawQueryString ?? ''),
        body: () => jsonBody(event),
        messages: () => [...notes],
      };
      const { status = 200, body } = await matched.route.handle(call);
      return json(status, body);
    } catch (error) {
      const answer = errorResponse(error);
      if (answer.statusCode === 500) deps.onUnexpectedError?.(error, `${matched.route.method} ${matched.route.path}`);
      return answer;
    } finally {
      await hub?.close();
    }
  };
}

/** The route for a method and path under the base path, with its decoded parameters. */
export function matchRoute(method: string, rawPath: string): { route: AdminRoute; params: Record<string, string> } | undefined {
  if (!rawPath.startsWith(`${ADMIN_API_BASE_PATH}/`)) return undefined;
  const segments = rawPath.slice(ADMIN_API_BASE_PATH.length + 1).split('/');
  for (const route of ADMIN_ROUTES) {
    if (route.method !== method) continue;
    const pattern = route.path.split('/');
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    const matches = pattern.every((part, index) => {
      const segment = segments[index]!;
      if (!part.startsWith('{')) return part === segment;
      try {
        params[part.slice(1, -1)] = decodeURIComponent(segment);
      } catch {
        return false;
      }
      return segment !== '';
    });
    if (matches) return { route, params };
  }
  return undefined;
}

function notFound(method: string, path: string): AdminError {
  return new AdminError(`no admin route ${method} ${path.slice(0, 200)}`, {
    hint: 'see docs/ADMIN-API.md for the routes',
    code: 'not-found',
  });
}
