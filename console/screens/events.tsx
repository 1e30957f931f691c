// Troubleshooting by recent events (`events`): deliveries, sync runs and admin actions, newest first, live while
// the screen is open, filtered by repository, kind, age and failures; a row opens every event of its request.
import type { EventListingJson, EventsResponse, RepositoriesResponse, RequestEventsResponse } from '../../shared/admin/api-types';
import { Fragment } from 'preact';
import { useState } from 'preact/hooks';
import { ErrorNotice } from '../components/error-notice';
import { DeadLetters } from './dead-letters';
import { shownEventCommits, shownEventCounts, shownEventDetail, shownRepository, shownTime } from '../format';
import { useLoad } from '../hooks';
import { href, navigate } from '../router';

export const EVENTS_POLL_MS = 2000;

export interface EventFilters {
  readonly repository?: string;
  readonly kind?: string;
  readonly since?: string;
  readonly failed?: boolean;
}

export function Events({ repository, request }: { repository?: string; request?: string }) {
  const [filters, setFilters] = useState<EventFilters>({ since: '24h' });
  const [live, setLive] = useState(true);
  const query = { repository, kind: filters.kind, since: filters.since, failed: filters.failed ? true : undefined, limit: 100 };
  const events = useLoad((api) => api.get<EventsResponse>('/events', query), JSON.stringify(query), live ? EVENTS_POLL_MS : undefined);
  const repositories = useLoad((api) => api.get<RepositoriesResponse>('/repositories'), 'event-repositories');

  return (
    <section aria-labelledby="events-title">
      <div class="screen-header">
        <h1 id="events-title">Events</h1>
        <label class="checkbox">
          <input type="checkbox" checked={live} onChange={(event) => setLive(event.currentTarget.checked)} /> Live
        </label>
      </div>
      <form class="filters" aria-label="Event filters" onSubmit={(event) => event.preventDefault()}>
        <label for="events-repository">Repository</label>
        <select
          id="events-repository"
          value={repository ?? ''}
          onChange={(event) => navigate({ screen: 'events', repository: event.currentTarget.value || undefined })}
        >
          <option value="">All repositories</option>
          {repositories.data?.repositories.map((option) => (
            <option key={option.uuid} value={option.uuid}>
              {option.repository}
            </option>
          ))}
        </select>
        <label for="events-kind">Kind</label>
        <select
          id="events-kind"
          value={filters.kind ?? ''}
          onChange={(event) => setFilters({ ...filters, kind: event.currentTarget.value || undefined })}
        >
          <option value="">All kinds</option>
          <option value="delivery">Deliveries</option>
          <option value="sync">Sync runs</option>
          <option value="admin">Admin actions</option>
        </select>
        <label for="events-since">Since</label>
        <select
          id="events-since"
          value={filters.since ?? ''}
          onChange={(event) => setFilters({ ...filters, since: event.currentTarget.value || undefined })}
        >
          <option value="1h">1 hour</option>
          <option value="24h">24 hours</option>
          <option value="7d">7 days</option>
          <option value="">Any time</option>
        </select>
        <label class="checkbox">
          <input
            type="checkbox"
            checked={filters.failed ?? false}
            onChange={(event) => setFilters({ ...filters, failed: event.currentTarget.checked })}
          />{' '}
          Failed only
        </label>
      </form>
      <ErrorNotice error={events.error} />
      {request && repository && <RequestDetails requestUuid={request} repository={repository} />}
      {events.data && <EventTable events={events.data.events} uuids={uuidsByName(repositories.data)} />}
      <DeadLetters />
    </section>
  );
}

/** Repository uuids by name: a request's details are asked for by the uuid of its repository. */
function uuidsByName(listing: RepositoriesResponse | undefined): ReadonlyMap<string, string> {
  return new Map((listing?.repositories ?? []).map((each) => [each.repository, each.uuid]));
}

function EventTable({ events, uuids }: { events: readonly EventListingJson[]; uuids: ReadonlyMap<string, string> }) {
  if (events.length === 0) return <p>No event matches these filters.</p>;
  return (
    <div class="table-scroll">
      <table aria-label="Events">
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col">Kind</th>
            <th scope="col">Repository</th>
            <th scope="col">Outcome</th>
            <th scope="col">Commits</th>
            <th scope="col">Models</th>
            <th scope="col">Detail</th>
          </tr>
        </thead>
        <tbody>
          {events.map((event, index) => (
            <tr key={`${event.time}-${event.kind}-${index}`} class={`event event-${event.kind}`}>
              <td>{shownTime(event.time)}</td>
              <td>{event.kind}</td>
              <td>{shownRepository(event)}</td>
              <td>
                {event.requestUuid && event.repository && uuids.has(event.repository) ? (
                  <a
                    href={href({ screen: 'events', repository: uuids.get(event.repository), request: event.requestUuid })}
                    aria-label={`${event.kind} ${event.outcome ?? ''}: details`}
                  >
                    {event.outcome ?? ''}
                  </a>
                ) : (
                  (event.outcome ?? '')
                )}
              </td>
              <td>
                <code>{shownEventCommits(event)}</code>
              </td>
              <td>{shownEventCounts(event)}</td>
              <td>{shownEventDetail(event)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

/** Every event of one request (its delivery, its runs, the admin action that queued it), details included. */
function RequestDetails({ requestUuid, repository }: { requestUuid: string; repository: string }) {
  const path = `/events/requests/${encodeURIComponent(requestUuid)}`;
  const details = useLoad((api) => api.get<RequestEventsResponse>(path, { repository }), `${path}|${repository}`);
  return (
    <section class="panel" aria-labelledby="request-title">
      <div class="screen-header">
        <h2 id="request-title">Request {requestUuid}</h2>
        <a href={href({ screen: 'events', repository })}>Close</a>
      </div>
      <ErrorNotice error={details.error} />
      {details.data?.events.map((event, index) => (
        <article key={index} class="event-detail">
          <h3>
            {shownTime(event.time)} · {event.kind} · {event.outcome ?? ''} {event.repository ? `· ${event.repository}` : ''}
          </h3>
          {event.reason && <p>{event.reason}</p>}
          <dl class="facts">
            {Object.entries(event.details).map(([name, value]) => (
              <Fragment key={name}>
                <dt>{name}</dt>
                <dd>{typeof value === 'object' ? JSON.stringify(value) : String(value)}</dd>
              </Fragment>
            ))}
          </dl>
        </article>
      ))}
    </section>
  );
}
