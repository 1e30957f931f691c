// `events`: recent webhook deliveries and sync runs from the events log, newest first.
import { InvalidArgumentError, type Command } from 'commander';
import { isAdminAction, type LoggedEvent } from '../../shared/domain/logged-event';
import type { RepositoryConfig } from '../../shared/domain/repository-config';
import type { CommandKit } from '../command-kit';
import type { HubContext } from '../hub-context';
import { formatTable, printJson, shortCommit } from '../output';

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
const FAILED_OUTCOMES = new Set(['rejected', 'failed']);

/** `--since`: an ISO time, or an age like 30m, 2h, 7d. */
export function parseSince(value: string, now: Date = new Date()): string {
  const relative = /^(\d+)\s*([smhd])$/.exec(value.trim());
  if (relative) {
    const unit = { s: 1, m: 60, h: 3600, d: 86400 }[relative[2] as 's' | 'm' | 'h' | 'd'];
    return new Date(now.getTime() - Number(relative[1]) * unit * 1000).toISOString();
  }
  const time = Date.parse(value);
  if (Number.isNaN(time)) throw new InvalidArgumentError('expected an age like 30m, 2h, 7d or an ISO time like 2025-01-31T12:00:00Z');
  return new Date(time).toISOString();
}

/** Registers `events`. */
export function registerEventsCommand(program: Command, kit: CommandKit): void {
  program
    .command('events')
    .description('recent webhook deliveries and sync runs, newest first, with outcome and reason')
    .option('--repo <workspace/slug>', 'only this repository (leaves out unattributed deliveries)')
    .option('--since <when>', 'only events since an age (30m, 2h, 7d) or an ISO time', (value) => parseSince(value, kit.now()))
    .option('--failed', 'only rejected deliveries and failed sync runs')
    .option(
      '--limit <n>',
      'at most this many events',
      (value) => {
        const n = Number(value);
        if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError('expected a whole number ≥ 1');
        return n;
      },
      50,
    )
    .option('--json', 'print one JSON array')
    .action(async (options: { repo?: string; since?: string; failed?: boolean; limit: number; json?: boolean }, command: Command) => {
      await kit.run(command, async (context) => {
        const since = options.since ? { since: options.since } : {};
        // Admin actions first: their `remove` lines name the removed repositories, whose events stay readable.
        const actions = await context.events.list({ adminActions: true, limit: ADMIN_ACTIONS_READ, ...since });
        const removed = removedRepositories(actions, await context.repositories.listRepositories());
        const only = options.repo ? await chosenRepository(context, options.repo, removed) : undefined;
        // Events are partitioned per repository uuid; deliveries without a trustworthy repository go to their own.
        const partitions: Array<string | undefined> = only
          ? [only.uuid]
          : [...(await context.repositories.listRepositories()).map((repository) => repository.uuid), ...removed.keys(), undefined];
        // --failed filters after reading: read more so the newest failures are not cut off by successes.
        const perPartition = options.failed ? Math.max(options.limit * 10, 200) : options.limit;
        const events: LoggedEvent[] = actions.filter((action) => !only || action.repository?.uuid === only.uuid);
        for (const uuid of partitions)
          events.push(...(await context.events.list({ ...(uuid ? { repositoryUuid: uuid } : {}), limit: perPartition, ...since })));
        const listings = events
          .filter((event) => !options.failed || FAILED_OUTCOMES.has(event.outcome ?? ''))
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
          .slice(0, options.limit)
          .map((event) => toListing(event, event.repository !== undefined && removed.has(event.repository.uuid)));
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          kit.note('No events match.');
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            ['time', 'kind', 'repository', 'outcome', 'commits', 'models', 'read via', 'detail'],
            listings.map((e) => [
              e.time,
              e.kind,
              shownRepository(e),
              e.outcome,
              shownCommits(e),
              shownCounts(e),
              shownTransport(e),
              shownDetail(e),
            ]),
          ),
        );
      });
    });
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

/** `--repo`: an added repository, or else a removed one of that name (its events are still kept). */
async function chosenRepository(context: HubContext, fullName: string, removed: ReadonlyMap<string, string>): Promise<{ uuid: string }> {
  const wanted = fullName.toLowerCase();
  const gone = [...removed].find(([, name]) => name.toLowerCase() === wanted);
  try {
    return await context.findRepository(fullName);
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

/** The repository column: `(unattributed)` for deliveries naming none, `(removed)` after a removed one's name. */
export function shownRepository(listing: EventListing): string {
  if (!listing.repository) return '(unattributed)';
  return listing.removed ? `${listing.repository} (removed)` : listing.repository;
}

/**
 * The detail column: the reason when it says more than the outcome (a counted line says how many, `invalid
 * signature ×42`); for an admin's action, who did it.
 */
export function shownDetail(listing: EventListing): string | null {
  if (listing.kind === 'admin') return `by ${String(listing.details.actor ?? 'unknown')}`;
  const reason = listing.reason === listing.outcome ? null : listing.reason;
  return listing.count > 1 ? `${reason ?? ''} ×${listing.count}`.trim() : reason;
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

/**
 * The "read via" column of a sync run: the transport its plan read the repository with and the requests of each
 * kind it spent (REST and git have separate rate limits), e.g. `git · 3 REST + 2 git`. Empty for deliveries.
 */
export function shownTransport(listing: EventListing): string | null {
  if (listing.kind !== 'sync') return null;
  const { transport, apiCalls, gitRequests } = listing.details as { transport?: string; apiCalls?: number; gitRequests?: number };
  const requests = [apiCalls ? `${apiCalls} REST` : undefined, gitRequests ? `${gitRequests} git` : undefined].filter(Boolean).join(' + ');
  const via = transport ?? (apiCalls || gitRequests ? '-' : undefined);
  if (via === undefined) return null;
  return requests ? `${via} · ${requests}` : via;
}
