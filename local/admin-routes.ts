// The local hub's admin routes: the real admin handler (as deployed) behind the local session authorizer, and the
// console's files and login URL, on the local HTTP API's port.
import { createAdminDeps } from '../functions/admin/deps';
import { createAdminHandler, type AdminHandler } from '../functions/admin/handler';
import { withReadProxy } from '../shared/admin/read-proxy';
import type { AwsClients } from '../shared/aws/aws-clients';
import type { AdminSessions } from './admin-session';
import { consoleFiles } from './console-files';
import type { HttpApiHandler } from './http-api';

/** Routes of the admin API and the console; `environment` is read on the first admin request (the port is known then). */
export function localAdminRoutes(options: {
  sessions: AdminSessions;
  clients: AwsClients;
  environment(): Record<string, string>;
  consoleDir?: string;
  /** The read API's handler: with it, the console reads models at /gateway/admin/v1/read/… (shared/admin/read-proxy.ts). */
  reader?: HttpApiHandler;
}): Record<string, HttpApiHandler> {
  let handler: AdminHandler | undefined;
  // The console polls every second or two: its requests are not worth a log line each in the terminal of `npm start`.
  const environment = () => ({ ...options.environment(), POWERTOOLS_LOG_LEVEL: 'WARN' });
  const adminApi: HttpApiHandler = (event) =>
    (handler ??= createAdminHandler(createAdminDeps(environment(), options.clients, options.sessions.authorize)))(event);
  const admin = options.reader ? withReadProxy(adminApi, { authorize: options.sessions.authorize, reader: options.reader }) : adminApi;
  const files = consoleFiles(options.sessions, options.consoleDir);
  return {
    'ANY /gateway/admin/v1/{proxy+}': admin,
    'GET /console': files,
    'GET /console/': files,
    'GET /console/{proxy+}': files,
  };
}
