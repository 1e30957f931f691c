// `events`: recent webhook deliveries and sync runs from the events log, newest first.
import { InvalidArgumentError, type Command } from 'commander';
import type { CommandKit } from '../command-kit';
import { listEvents, shownCommits, shownCounts, sinceTime, type EventListing } from '../../shared/admin/event-listing';
import { formatTable, printJson } from '../output';

/** `--since`: an ISO time, or an age like 30m, 2h, 7d. */
export function parseSince(value: string, now: Date = new Date()): string {
  try {
    return sinceTime(value, now);
  } catch (error) {
    throw new InvalidArgumentError((error as Error).message);
  }
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
        const listings = await listEvents(context, {
          ...(options.repo ? { repository: options.repo } : {}),
          ...(options.since ? { since: options.since } : {}),
          ...(options.failed ? { failed: true } : {}),
          limit: options.limit,
        });
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
