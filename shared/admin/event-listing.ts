// The events log as the admin reads it (`events`, the admin API's events): deliveries, sync runs and admin actions
// of every repository (removed ones included), newest first, filtered by repository, age, kind and failure.
import { isAdminAction, type LoggedEvent } from '../domain/logged-event';
import type { RepositoryConfig } from '../domain/repository-config';
import { usageError } from './errors';
import type { HubContext } from './hub-context';
import { shortCommit } from './sync-progress';

/** One line of `events --json`. */
export interface EventListing {
  time: string;
  /** `delivery` (a webhook call), `sync` (a worker run) or `admin` (an admin's action: `outcome` is the action). */
  kind: string;
  /** `workspace/slug`, or null for deliveries that named no trustworthy repository (e.g. a bad signature). */
  repository: string | null;
  outcome: string | null;
  reason: string | null;
  /** The first delivery's, on a line that counts several. */
  requestUuid: string | null;
  /** How many events the line stands for: above 1 for deliveries counted per minute (forged signatures). */
  count: number;
  /** True for the events of a repository removed since (kept until they expire). */
  removed?: boolean;
  /** The rest of the event (counts, commits, API calls…), as recorded. */
  details: Record<string, unknown>;
}

/** Outcomes `--failed` keeps: refused deliveries and failed runs. */
export const FAILED_OUTCOMES = new Set(['rejected', 'failed']);

/** What to list: a repository (`workspace/slug` or its uuid), an ISO `since`, failures only, a kind, a limit. */
export interface EventFilter {
  readonly repository?: string;
  readonly since?: string;
  readonly failed?: boolean;
  readonly kind?: string;
  readonly limit: number;
}

/** The events that match, newest first, at most `filter.limit`. */
export async function listEvents(context: HubContext, filter: EventFilter): Promise<EventListing[]> {
  const since = filter.since ? { since: filter.since } : {};
  // Admin actions first: their `remove` lines name the removed repositories, whose events stay readable.
  const actions = await context.events.list({ adminActions: true, limit: ADMIN_ACTIONS_READ, ...since });
  const removed = removedRepositories(actions, await context.repositories.listRepositories());
  const only = filter.repository ? await chosenRepository(context, filter.repository, removed) : undefined;
  // Events are partitioned per repository uuid; deliveries without a trustworthy repository go to their own.
  const partitions: Array<string | undefined> = only
    ? [only.uuid]
    : [...(await context.repositories.listRepositories()).map((repository) => repository.uuid), ...removed.keys(), undefined];
  // Filters apply after reading: read more so the newest matches are not cut off by other events.
  const perPartition = filter.failed || filter.kind ? Math.max(filter.limit * 10, 200) : filter.limit;
  const events: LoggedEvent[] = actions.filter((action) => !only || action.repository?.uuid === only.uuid);
  for (const uuid of partitions)
    events.push(...(await context.events.list({ ...(uuid ? { repositoryUuid: uuid } : {}), limit: perPartition, ...since })));
  return events
    .filter((event) => !filter.failed || FAILED_OUTCOMES.has(event.outcome ?? ''))
    .filter((event) => !filter.kind || event.kind === filter.kind)
    .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
    .slice(0, filter.limit)
    .map((event) => toListing(event, event.repository !== undefined && removed.has(event.repository.uuid)));
}

/** Every event of one request (its delivery, its runs, the admin action that queued it), oldest first. */
export async function eventsOfRequest(context: HubContext, repositoryUuid: string, requestUuid: string): Promise<EventListing[]> {
  const [runs, actions] = await Promise.all([
    context.events.list({ repositoryUuid, limit: 500 }),
    context.events.list({ adminActions: true, limit: ADMIN_ACTIONS_READ }),
  ]);
  return [...runs, ...actions.filter((action) => action.repository?.uuid === repositoryUuid)]
    .filter((event) => event.requestUuid === requestUuid)
    .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0))
    .map((event) => toListing(event));
}

/** An age (30m, 2h, 7d) or an ISO time, as an ISO time; a usage error otherwise. */
export function sinceTime(value: string, now: Date): string {
  const relative = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit * 1000).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw usageError('expected an age like 30m, 2h, 7d or an ISO time like 2025-01-31T12:00:00Z');
  return new Date(time).toISOString();
}

/** Whether a repository reference is a Bitbucket uuid (`{…}`) rather than `workspace/slug`. */
export function isUuid(reference: string): boolean {
  return /^\{[0-9a-f-]{36}\}$/i.test(reference);
}

/** How many admin actions `events` reads to find the removed repositories (and to show the actions). */
const ADMIN_ACTIONS_READ = 1000;

/** The repositories a `remove` action names that are not added now (a re-added one is current again), by uuid. */
export function removedRepositories(actions: readonly LoggedEvent[], current: readonly RepositoryConfig[]): Map<string, string> {
  const added = new Set(current.map((repository) => repository.uuid));
  const removed = new Map<string, string>();
  for (const action of actions) {
    const repository = action.repository;
    if (isAdminAction(action) && action.action === 'remove' && repository && !added.has(repository.uuid) && !removed.has(repository.uuid))
      removed.set(repository.uuid, repository.fullName);
  }
  return removed;
}

/** `--repo`: an added repository (by name, or by uuid), or else a removed one of that name or uuid (its events are still kept). */
async function chosenRepository(context: HubContext, fullName: string, removed: ReadonlyMap<string, string>): Promise<{ uuid: string }> {
  const wanted = fullName.toLowerCase();
  const gone = [...removed].find(([uuid, name]) => name.toLowerCase() === wanted || uuid === fullName);
  try {
    return isUuid(fullName) ? await context.findRepositoryByUuid(fullName) : await context.findRepository(fullName);
  } catch (error) {
    if (gone) return { uuid: gone[0] };
    throw error;
  }
}

/** An events-log line as `events --json` prints it. */
export function toListing(event: LoggedEvent, removed = false): EventListing {
  const {
    at,
    kind,
    repository,
    outcome,
    reason,
    requestUuid,
    count,
    eventId: _eventId,
    ...details
  } = event as LoggedEvent & Record<string, unknown>;
  return {
    time: at,
    kind,
    repository: repository?.fullName ?? null,
    outcome: outcome ?? (isAdminAction(event) ? event.action : null),
    reason: reason ?? null,
    requestUuid: requestUuid ?? null,
    count: count ?? 1,
    ...(removed ? { removed: true } : {}),
    details,
  };
}

/** The commits column of a sync run: `from..to`, or `..to` for a full read. */
export function shownCommits(listing: EventListing): string | null {
  if (listing.kind !== 'sync') return null;
  const { fromCommit, toCommit } = listing.details as { fromCommit?: string | null; toCommit?: string };
  if (!toCommit) return null;
  return `${shortCommit(fromCommit ?? undefined) ?? ''}..${shortCommit(toCommit)}`;
}

/** The models column of a sync run: what it changed, e.g. `+2 ~1 -1` (added, updated, removed; renamed ↷, invalid !). */
export function shownCounts(listing: EventListing): string | null {
  const counts = (listing.details as { counts?: Partial<Record<'added' | 'updated' | 'removed' | 'renamed' | 'invalid', number>> }).counts;
  if (listing.kind !== 'sync' || !counts) return null;
  const parts = [
    ['+', counts.added],
    ['~', counts.updated],
    ['-', counts.removed],
    ['↷', counts.renamed],
    ['!', counts.invalid],
  ].flatMap(([sign, n]) => (n ? [`${sign}${n}`] : []));
  return parts.length > 0 ? parts.join(' ') : '0';
}
