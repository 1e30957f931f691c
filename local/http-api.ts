// An API Gateway stand-in, so the real verifier handler serves webhooks locally with the same event shape.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

export type HttpApiHandler = (event: APIGatewayProxyEventV2) => Promise<APIGatewayProxyStructuredResultV2>;

/** API Gateway's own payload limit; larger requests never reach the function. */
const MAX_REQUEST_BYTES = 10 * 1024 * 1024;
const TEXTUAL_CONTENT_TYPE = /^(application\/(json|[\w.+-]*\+json|x-www-form-urlencoded)|text\/)/i;

/**
 * A local stand-in for an API Gateway HTTP API: routes `METHOD /path` (or `ANY /prefix/{proxy+}`, any method on any
 * path below the prefix) to a handler with a payload-format-2.0
 * event, the way API Gateway builds it (lower-cased headers, repeated headers joined by commas, a base64 body
 * unless the content is textual UTF-8).
 */
export async function startHttpApi(
  routes: Record<string, HttpApiHandler>,
  options: { port?: number; host?: string } = {},
): Promise<{ url: string; server: Server; close(): Promise<void> }> {
  const server = createServer((request, response) => {
    void route(routes, request, response).catch(() => {
      if (!response.headersSent) response.writeHead(500, { 'content-type': 'text/plain' });
      response.end('internal error');
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${options.host ?? '127.0.0.1'}:${port}`,
    server,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

async function route(routes: Record<string, HttpApiHandler>, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const exactKey = `${request.method} ${url.pathname}`;
  const routeKey = exactKey in routes ? exactKey : (greedyRouteKey(routes, url.pathname) ?? exactKey);
  const handler = routes[routeKey];
  if (!handler)
    return send(response, {
      statusCode: 404,
      body: JSON.stringify({ message: 'Not Found' }),
      headers: { 'content-type': 'application/json' },
    });

  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_REQUEST_BYTES) return send(response, { statusCode: 413, body: JSON.stringify({ message: 'Request Entity Too Large' }) });
    chunks.push(chunk as Buffer);
  }
  const body = Buffer.concat(chunks);
  const contentType = String(request.headers['content-type'] ?? '');
  const asText = TEXTUAL_CONTENT_TYPE.test(contentType) && isUtf8(body);

  const headers: Record<string, string> = {};
  for (let index = 0; index < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index]!.toLowerCase();
    const value = request.rawHeaders[index + 1]!;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const now = new Date();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      requestId: `local-${now.getTime()}`,
      http: {
        method: request.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${request.httpVersion}`,
        sourceIp: request.socket.remoteAddress ?? '',
        userAgent: headers['user-agent'] ?? '',
      },
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    body: body.length === 0 ? undefined : asText ? body.toString('utf8') : body.toString('base64'),
    isBase64Encoded: body.length > 0 && !asText,
  };
  send(response, await handler(event));
}

/** The `ANY /prefix/{proxy+}` route whose prefix the path lies below, as API Gateway matches a greedy path variable. */
function greedyRouteKey(routes: Record<string, HttpApiHandler>, pathname: string): string | undefined {
  return Object.keys(routes).find((key) => {
    const greedy = /^ANY (\/.*)\/\{proxy\+\}$/.exec(key);
    return greedy !== null && pathname.startsWith(`${greedy[1]}/`);
  });
}

function send(response: ServerResponse, result: APIGatewayProxyStructuredResultV2): void {
  response.writeHead(result.statusCode ?? 200, { ...(result.headers as Record<string, string> | undefined) });
  response.end(result.isBase64Encoded ? Buffer.from(result.body ?? '', 'base64') : (result.body ?? ''));
}

function isUtf8(bytes: Buffer): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return true;
  } catch {
    return false;
  }
}
