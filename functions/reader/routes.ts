/**
 * The read API's routes: which path and method run which read use case, with which parameters. Each route parses
 * its request, calls the domain and returns what http-response.ts turns into the answer.
 */
import { getModelContent, type ContentAnswer } from '../../shared/domain/read/content';
import { ReadError } from '../../shared/domain/read/errors';
import { getModelDetails, listModels } from '../../shared/domain/read/models';
import type { ReadPorts } from '../../shared/domain/read/ports';
import { getRepository, listRepositories } from '../../shared/domain/read/repositories';
import { changesRoute, searchRoute } from './feed-routes';
import { acceptedEncodings, byteRange, entityTags, ifRangeTag, numberParameter, onlyParameters, type ReadRequest } from './http-request';

/** A route's answer: a JSON document (schemaVersion is added on the way out), or a model's content. */
export type RouteResult = { readonly json: Record<string, unknown> } | { readonly content: ContentAnswer };

interface RouteContext {
  readonly request: ReadRequest;
  readonly ports: ReadPorts;
  /** The route's `{placeholders}`, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly maxContentBytes: number;
}

interface Route {
  /** Below the base path, e.g. `repositories/{repository}/models`. */
  readonly pattern: string;
  run(context: RouteContext): Promise<RouteResult>;
}

/** Read routes answer GET, and HEAD (the same answer without its body). */
export const ALLOWED_METHODS = ['GET', 'HEAD'] as const;

export const ROUTES: readonly Route[] = [
  {
    pattern: 'repositories',
    async run({ request, ports }) {
      onlyParameters(request, []);
      return { json: { repositories: await listRepositories(ports) } };
    },
  },
  {
    pattern: 'repositories/{repository}',
    async run({ request, ports, params }) {
      onlyParameters(request, []);
      return { json: { repository: await getRepository(ports, params.repository!) } };
    },
  },
  {
    pattern: 'repositories/{repository}/models',
    async run({ request, ports, params }) {
      onlyParameters(request, ['prefix', 'vendor', 'target', 'limit', 'cursor']);
      const { query } = request;
      const page = await listModels(ports, {
        repository: params.repository!,
        prefix: query.get('prefix'),
        vendor: query.get('vendor'),
        target: query.get('target'),
        limit: numberParameter(request, 'limit'),
        cursor: query.get('cursor'),
      });
      return { json: { ...page } };
    },
  },
  {
    pattern: 'repositories/{repository}/model',
    async run({ request, ports, params }) {
      onlyParameters(request, ['path']);
      return { json: { model: await getModelDetails(ports, params.repository!, request.query.get('path') ?? '') } };
    },
  },
  {
    pattern: 'repositories/{repository}/content',
    async run({ request, ports, params, maxContentBytes }) {
      onlyParameters(request, ['path']);
      const { headers } = request;
      const content = await getModelContent(ports, {
        repository: params.repository!,
        path: request.query.get('path') ?? '',
        acceptEncodings: acceptedEncodings(headers['accept-encoding']),
        ifNoneMatch: entityTags(headers['if-none-match']),
        ifMatch: entityTags(headers['if-match']),
        ifRange: ifRangeTag(headers['if-range']),
        range: byteRange(headers.range),
        maxBytes: maxContentBytes,
      });
      return { content };
    },
  },
  { pattern: 'search', run: ({ request, ports }) => searchRoute(request, ports) },
  { pattern: 'changes', run: ({ request, ports }) => changesRoute(request, ports) },
];

/** Runs the route the request names, or throws a ReadError: 404 for an unknown path, 405 for another method. */
export async function runRoute(request: ReadRequest, ports: ReadPorts, maxContentBytes: number): Promise<RouteResult> {
  for (const route of ROUTES) {
    const params = match(route.pattern, request.segments);
    if (!params) continue;
    if (!(ALLOWED_METHODS as readonly string[]).includes(request.method)) throw methodNotAllowed(request.method);
    return route.run({ request, ports, params, maxContentBytes });
  }
  throw unknownRoute();
}

export function unknownRoute(): ReadError {
  return new ReadError(
    'not-found',
    'unknown-route',
    'no such route in the read API',
    `routes: ${ROUTES.map((route) => `GET /gateway/api/v1/${route.pattern}`).join(', ')}; see docs/CONSUMERS.md`,
  );
}

function methodNotAllowed(method: string): ReadError {
  return new ReadError(
    'method-not-allowed',
    'method-not-allowed',
    `${method} is not allowed here: the read API only reads`,
    'use GET (or HEAD)',
  );
}

function match(pattern: string, segments: readonly string[]): Record<string, string> | undefined {
  const parts = pattern.split('/');
  if (parts.length !== segments.length) return undefined;
  const params: Record<string, string> = {};
  for (const [index, part] of parts.entries()) {
    const placeholder = /^\{(\w+)\}$/.exec(part);
    if (placeholder) params[placeholder[1]!] = segments[index]!;
    else if (part !== segments[index]) return undefined;
  }
  return params;
}
