// `events`: recent webhook deliveries and sync runs from the events log, newest first.
import { InvalidArgumentError, type Command } from 'commander';
import type { LoggedEvent } from '../../shared/domain/logged-event';
import type { CommandKit } from '../command-kit';
import { formatTable, printJson } from '../output';

/** One line of `events --json`. */
export interface EventListing {
  time: string;
  /** `delivery` (a webhook call) or `sync` (a worker run). */
  kind: string;
  /** `workspace/slug`, or null for deliveries that named no trustworthy repository (e.g. a bad signature). */
  repository: string | null;
  outcome: string | null;
  reason: string | null;
  /** The first delivery's, on a line that counts several. */
  requestUuid: string | null;
  /** How many events the line stands for: above 1 for deliveries counted per minute (forged signatures). */
  count: number;
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
        // Events are partitioned per repository uuid; deliveries without a trustworthy repository go to their own.
        const partitions: Array<string | undefined> = options.repo
          ? [(await context.findRepository(options.repo)).uuid]
          : [...(await context.repositories.listRepositories()).map((repository) => repository.uuid), undefined];
        // --failed filters after reading: read more so the newest failures are not cut off by successes.
        const perPartition = options.failed ? Math.max(options.limit * 10, 200) : options.limit;
        const events: LoggedEvent[] = [];
        for (const uuid of partitions) {
          events.push(
            ...(await context.events.list({
              ...(uuid ? { repositoryUuid: uuid } : {}),
              limit: perPartition,
              ...(options.since ? { since: options.since } : {}),
            })),
          );
        }
        const listings = events
          .filter((event) => !options.failed || FAILED_OUTCOMES.has(event.outcome ?? ''))
          .sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0))
          .slice(0, options.limit)
          .map(toListing);
        if (options.json) return printJson(kit.deps.stdout, listings);
        if (listings.length === 0) {
          kit.note('No events match.');
          return;
        }
        kit.deps.stdout.write(
          formatTable(
            ['time', 'kind', 'repository', 'outcome', 'read via', 'reason'],
            listings.map((e) => [e.time, e.kind, e.repository ?? '(unattributed)', e.outcome, shownTransport(e), shownReason(e)]),
          ),
        );
      });
    });
}

/** An events-log line as `events --json` prints it. */
export function toListing(event: LoggedEvent): EventListing {
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
    outcome: outcome ?? null,
    reason: reason ?? null,
    requestUuid: requestUuid ?? null,
    count: count ?? 1,
    details,
  };
}

/** The reason column: a line counting several deliveries says how many (`invalid signature ×42`). */
export function shownReason(listing: EventListing): string | null {
  return listing.count > 1 ? `${listing.reason ?? ''} ×${listing.count}`.trim() : listing.reason;
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
