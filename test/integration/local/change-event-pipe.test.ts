/**
 * The local pipe on a data dir: each committed record delivered once as an EventBridge event, appended to
 * change-events.jsonl, and a restart goes on from the saved cursor instead of delivering everything again.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CHANGE_EVENTS_FILE, readDeliveredEvents, startChangeEventPipe } from '../../../local/change-event-pipe';
import type { FeedRecord } from '../../../shared/domain/changes/change-records';
import { feedPosition } from '../../../shared/domain/changes/feed-position';
import { InMemoryChangeStore } from '../../support/in-memory/in-memory-change-store';

const REPO = '{dddddddd-0000-4000-8000-000000000001}';

function synced(key: string, at = new Date(Date.now() - 5_000)): FeedRecord {
  return {
    position: feedPosition(at, REPO, 0),
    detailType: 'Repository Synced',
    detail: {
      schemaVersion: 1,
      idempotencyKey: key,
      repository: { uuid: REPO, fullName: 'acme/models' },
      committedAt: at.toISOString(),
      fromCommit: null,
      toCommit: 'c'.repeat(40),
      branch: 'main',
      mode: 'full',
      counts: { added: 0, modified: 0, removed: 0, renamed: 0 },
    },
  };
}

describe('local change-events pipe', () => {
  let dataDir: string;
  beforeEach(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'model-hub-pipe-'));
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('appends each record once as an EventBridge event, and goes on after a restart where it stopped', async () => {
    const feed = new InMemoryChangeStore();
    await feed.append([synced('first')]);
    const pipe = startChangeEventPipe({ feed, dataDir, intervalMs: 10 });
    await pipe.drained();
    await pipe.stop();
    // Committed after the first run read the feed: at a later position, as commits are.
    await feed.append([synced('second', new Date())]);

    const restarted = startChangeEventPipe({ feed, dataDir, intervalMs: 10 });
    await restarted.drained();
    await restarted.stop();

    const lines = readFileSync(join(dataDir, CHANGE_EVENTS_FILE), 'utf8').trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as { detail: { idempotencyKey: string } }).detail.idempotencyKey)).toEqual([
      'first',
      'second',
    ]);
    expect(readDeliveredEvents(join(dataDir, CHANGE_EVENTS_FILE))[0]).toMatchObject({
      version: '0',
      'detail-type': 'Repository Synced',
      source: 'model-hub-sync',
      detail: { idempotencyKey: 'first', repository: { uuid: REPO } },
    });
    expect(restarted.delivered().map((event) => event.detail.idempotencyKey)).toEqual(['first', 'second']);
  });
});
