// The local hub's admin routes: the real admin handler (as deployed) behind the local session authorizer, and the
// console's files and login URL, on the local HTTP API's port.
import { createAdminDeps } from '../functions/admin/deps';
import { createAdminHandler, type AdminHandler } from '../functions/admin/handler';
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
}): Record<string, HttpApiHandler> {
  let handler: AdminHandler | undefined;
  const admin: HttpApiHandler = (event) =>
    (handler ??= createAdminHandler(createAdminDeps(options.environment(), options.clients, options.sessions.authorize)))(event);
  const files = consoleFiles(options.sessions, options.consoleDir);
  return {
    'ANY /gateway/admin/v1/{proxy+}': admin,
    'GET /console': files,
    'GET /console/': files,
    'GET /console/{proxy+}': files,
  };
}
