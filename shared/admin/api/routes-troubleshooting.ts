// Routes of troubleshooting: the events log (filters, failed only, one request's events) and the dead-letter queue
// (list, redrive).
import type { DeadLettersResponse, EventsResponse, RedriveResponse, RequestEventsResponse } from '../api-types';
import { deadLettersInFlight, listDeadLetters, redriveDeadLetters } from '../dead-letters';
import { usageError } from '../errors';
import { eventsOfRequest, listEvents, sinceTime } from '../event-listing';
import { optionalString } from './http';
import type { AdminRoute } from './routes';

const EVENT_KINDS = new Set(['delivery', 'sync', 'admin']);

/** `limit` of the events query: 1 to 500, default 50. */
function limitOf(query: URLSearchParams): number {
  const value = query.get('limit');
  if (value === null || value === '') return 50;
  const limit = Number(value);
  if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw usageError('"limit" must be a whole number from 1 to 500');
  return limit;
}

export const TROUBLESHOOTING_ROUTES: readonly AdminRoute[] = [
  {
    method: 'GET',
    path: 'events',
    handle: async ({ hub, run, query }) => {
      const repository = query.get('repository') || undefined;
      const since = query.get('since') || undefined;
      const kind = query.get('kind') || undefined;
      const failed = query.get('failed');
      if (kind !== undefined && !EVENT_KINDS.has(kind)) throw usageError('"kind" must be delivery, sync or admin');
      if (failed !== null && failed !== 'true' && failed !== 'false') throw usageError('"failed" must be true or false');
      const body: EventsResponse = {
        events: await listEvents(hub, {
          ...(repository ? { repository } : {}),
          ...(since ? { since: sinceTime(since, run.now()) } : {}),
          ...(kind ? { kind } : {}),
          ...(failed === 'true' ? { failed: true } : {}),
          limit: limitOf(query),
        }),
      };
      return { body };
    },
  },
  {
    method: 'GET',
    path: 'events/requests/{requestUuid}',
    handle: async ({ hub, params, query }) => {
      const uuid = query.get('repository');
      if (!uuid) throw usageError('"repository" (the repository uuid) is missing from the query');
      const repository = await hub.findRepositoryByUuid(uuid).catch(() => ({ uuid: uuid.startsWith('{') ? uuid : `{${uuid}}` }));
      const body: RequestEventsResponse = {
        requestUuid: params.requestUuid!,
        events: await eventsOfRequest(hub, repository.uuid, params.requestUuid!),
      };
      return { body };
    },
  },
  {
    method: 'GET',
    path: 'dlq',
    handle: async ({ hub }) => {
      const messages = await listDeadLetters(hub);
      const body: DeadLettersResponse = { messages, inFlight: messages.length === 0 ? await deadLettersInFlight(hub) : 0 };
      return { body };
    },
  },
  {
    method: 'POST',
    path: 'dlq/redrive',
    handle: async ({ hub, run, body, messages }) => {
      const uuid = optionalString(body(), 'repository');
      const moved = await redriveDeadLetters(run, hub, uuid ? await hub.findRepositoryByUuid(uuid) : undefined);
      run.note(
        moved.length === 0
          ? 'Nothing to redrive.'
          : `Moved ${moved.length} message(s) back to the sync queue; follow them with \`events\` and \`repo list\`.`,
      );
      const answer: RedriveResponse = { moved: moved.length, redriven: moved, messages: messages() };
      return { body: answer };
    },
  },
];
