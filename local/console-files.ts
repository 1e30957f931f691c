// Serves the admin console locally: the login URL (one-time token → session cookie), the built single-page app
// from its folder (a page saying how to build it when absent), all with a strict Content-Security-Policy.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { extname, join, resolve, sep } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AdminSessions } from './admin-session';

/** Where the console's build puts the app, unless the local hub is told otherwise. */
export const DEFAULT_CONSOLE_DIR = resolve(__dirname, '..', 'dist', 'console');

/** No inline scripts or styles, nothing from another origin, never framed. */
export const CONSOLE_SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** The handler of `GET /console` and everything below it. */
export function consoleFiles(sessions: AdminSessions, consoleDir: string = DEFAULT_CONSOLE_DIR) {
  const root = resolve(consoleDir);
  return async (event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> => {
    if (!sessions.isLoopbackHost(event)) return page(403, 'Forbidden', 'The local console answers requests for 127.0.0.1 only.');
    const path = event.rawPath ?? '/console/';
    if (path === '/console') return { statusCode: 308, headers: { ...CONSOLE_SECURITY_HEADERS, location: '/console/' }, body: '' };
    if (path === '/console/login') return login(sessions, event);
    if (!existsSync(join(root, 'index.html')))
      return page(
        503,
        'The console is not built',
        `The admin API runs, but the console's files are not in ${root}. Build them with <code>npm run build:console</code>, then reload this page (no restart needed).`,
      );
    return serveFile(root, path.slice('/console/'.length));
  };
}

/** `GET /console/login?token=…`: the one-time token opens a session, then the console. */
function login(sessions: AdminSessions, event: APIGatewayProxyEventV2): APIGatewayProxyStructuredResultV2 {
  const token = new URLSearchParams(event.rawQueryString ?? '').get('token') ?? '';
  const opened = token ? sessions.login(token) : undefined;
  if (!opened)
    return page(
      401,
      'This login link is used up or wrong',
      'A login link works once. Get a new one with <code>npm run hub -- console-login</code> (or restart <code>npm start</code>) and open it.',
    );
  return {
    statusCode: 303,
    headers: { ...CONSOLE_SECURITY_HEADERS, location: '/console/', 'set-cookie': opened.cookie, 'cache-control': 'no-store' },
    body: '',
  };
}

/** A file of the app, or its index.html for the app's own routes (paths without an extension). */
function serveFile(root: string, relative: string): APIGatewayProxyStructuredResultV2 {
  let decoded: string;
  try {
    decoded = decodeURIComponent(relative);
  } catch {
    return page(400, 'Bad request', 'The path is not valid.');
  }
  const wanted = resolve(root, decoded === '' ? 'index.html' : decoded);
  if (wanted !== root && !wanted.startsWith(`${root}${sep}`)) return page(404, 'Not found', 'No such file.');
  const isFile = existsSync(wanted) && statSync(wanted).isFile();
  const file = isFile ? wanted : extname(wanted) === '' ? join(root, 'index.html') : undefined;
  if (!file) return page(404, 'Not found', 'No such file in the console.');
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  return {
    statusCode: 200,
    headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': type, 'cache-control': type.startsWith('text/html') ? 'no-store' : 'no-cache' },
    body: readFileSync(file).toString('base64'),
    isBase64Encoded: true,
  };
}

/** A small HTML page (no script, no inline style) with the console's headers. */
function page(statusCode: number, title: string, html: string): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { ...CONSOLE_SECURITY_HEADERS, 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' },
    body: `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${title} · Model Hub</title></head><body><h1>${title}</h1><p>${html}</p></body></html>`,
  };
}
