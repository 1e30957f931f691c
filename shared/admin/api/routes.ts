// The admin API's route table (docs/ADMIN-API.md), gathered from the route files by area, so tests can walk every
// route (each must refuse an unauthenticated or non-admin caller).
import type { AdminCall } from './router';
import { PROVIDER_ROUTES } from './routes-provider';
import { REPOSITORY_ROUTES } from './routes-repositories';
import { TROUBLESHOOTING_ROUTES } from './routes-troubleshooting';

/** One route: a method, a path below the base path (`{name}` a parameter), and what it does. */
export interface AdminRoute {
  readonly method: 'GET' | 'POST' | 'PATCH' | 'DELETE';
  readonly path: string;
  handle(call: AdminCall): Promise<{ status?: number; body: unknown }>;
}

export const ADMIN_ROUTES: readonly AdminRoute[] = [...PROVIDER_ROUTES, ...REPOSITORY_ROUTES, ...TROUBLESHOOTING_ROUTES];
