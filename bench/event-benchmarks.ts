/**
 * The events section: end to end from a push to its change event delivered, locally. A push (a commit in the
 * simulator) is synced by the real worker, which commits the change records; the local pipe (polling the changes
 * feed, as `npm start` runs it) delivers the events. The floor is the sync alone: no event can come before the
 * records it is made of.
 */
import type { BitbucketSimulator } from '../local/bitbucket-simulator';
import { startChangeEventPipe, type DeliveredChangeEvent } from '../local/change-event-pipe';
import type { LocalHub } from '../local/runtime';
import { DynamoDbChangeStore } from '../shared/aws/dynamodb-change-store';
import { CLOCK_SKEW_MS } from '../shared/domain/changes/feed-position';
import type { RepositorySyncedDetail } from '../shared/domain/changes/change-records';
import { fmt, rows, show, stat } from './report';
import { log, RUNS } from './settings';
import { addedRepository, manyModels, runWorker } from './sync-world';

/** How often the bench's pipe polls (the local runtime's default is 200 ms). */
const POLL_MS = 50;

export async function benchEvents(simulator: BitbucketSimulator, hub: LocalHub): Promise<void> {
  const pushes = 4 * RUNS;
  const repo = await addedRepository(simulator, hub, 'bench/events');
  await repo.commit({ ...manyModels(20, 0), 'README.md': '# models\n' });
  await runWorker(simulator, hub, repo);
  const pipe = startChangeEventPipe({
    feed: new DynamoDbChangeStore({ tableName: hub.standIns.env.CHANGES_TABLE!, client: hub.standIns.dynamodb }),
    intervalMs: POLL_MS,
  });
  try {
    await pipe.drained();
    log(`events: ${pushes} pushes of 1 changed model, push → Model Changed delivered`);
    const endToEnd: number[] = [];
    const syncs: number[] = [];
    for (let push = 1; push <= pushes; push++) {
      const pushedAt = Date.now();
      const head = await repo.commit(manyModels(1, push));
      syncs.push((await runWorker(simulator, hub, repo)).ms);
      await pipe.drained();
      const delivered = deliveredFor(pipe.delivered(), repo.uuid, head);
      endToEnd.push(Date.parse(delivered.time) - pushedAt);
    }
    const total = stat(endToEnd);
    const sync = stat(syncs);
    rows.push({
      section: 'Events',
      figure: `push → event delivered, locally: p50 (min–max) of ${pushes} pushes of 1 model; p95 ${fmt(percentile(endToEnd, 0.95), 0)} ms`,
      value: show(total, ' ms', 0),
      floor: `${show(sync, ' ms', 0)} the sync alone; + ${CLOCK_SKEW_MS} ms the feed holds back, + ≤ ${POLL_MS} ms poll`,
      ratio: `${fmt(total.median / sync.median)}×`,
    });
  } finally {
    await pipe.stop();
  }
}

/** The `Repository Synced` event of the sync to `head` (its `Model Changed` events come in the same poll, before it). */
function deliveredFor(events: readonly DeliveredChangeEvent[], uuid: string, head: string): DeliveredChangeEvent {
  const found = events.find(
    (event) =>
      event['detail-type'] === 'Repository Synced' &&
      event.detail.repository.uuid === uuid &&
      (event.detail as RepositorySyncedDetail).toCommit === head,
  );
  if (!found) throw new Error(`no Repository Synced event was delivered for ${head}`);
  if (!events.some((event) => event['detail-type'] === 'Model Changed' && (event.detail as { commit?: string }).commit === head))
    throw new Error(`no Model Changed event was delivered for ${head}`);
  return found;
}

function percentile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)]!;
}
