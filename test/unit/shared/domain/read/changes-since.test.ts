import type { FeedRecord } from '../../../../../shared/domain/changes/change-records';
import { feedPosition, MAX_COMMIT_MS } from '../../../../../shared/domain/changes/feed-position';
import { changesSince, encodeCursor, InvalidChangesQueryError } from '../../../../../shared/domain/read/changes-since';
import { InMemoryChangeStore } from '../../../../support/in-memory/in-memory-change-store';

const REPO_A = '{aaaaaaaa-0000-4000-8000-000000000001}';
const REPO_B = '{bbbbbbbb-0000-4000-8000-000000000002}';

function synced(repositoryUuid: string, at: Date, index: number, toCommit: string): FeedRecord {
  return {
    position: feedPosition(at, repositoryUuid, index),
    detailType: 'Repository Synced',
    detail: {
      schemaVersion: 1,
      idempotencyKey: `${repositoryUuid}:${toCommit}`,
      repository: { uuid: repositoryUuid, fullName: 'ws/repo' },
      committedAt: at.toISOString(),
      fromCommit: null,
      toCommit,
      branch: 'main',
      mode: 'full',
      counts: { added: 0, modified: 0, removed: 0, renamed: 0 },
    },
  };
}

const keys = (page: { items: readonly { detail: { idempotencyKey: string } }[] }) => page.items.map((item) => item.detail.idempotencyKey);

describe('changesSince', () => {
  const t = (seconds: number) => new Date(Date.UTC(2026, 11, 5, 10, 0, seconds));
  let feed: InMemoryChangeStore;
  let now: Date;
  const read = (cursor?: string, limit?: number) => changesSince(cursor, limit, { feed, now: () => now });

  beforeEach(() => {
    feed = new InMemoryChangeStore();
    now = t(30);
  });

  it('pages through the feed in order and goes on from the last page without repeating a record', async () => {
    await feed.append([synced(REPO_A, t(1), 0, 'c1'), synced(REPO_B, t(2), 0, 'c2'), synced(REPO_A, t(3), 0, 'c3')]);

    const first = await read(undefined, 2);
    const second = await read(first.nextCursor, 2);
    const third = await read(second.nextCursor, 2);

    expect(keys(first)).toEqual([`${REPO_A}:c1`, `${REPO_B}:c2`]);
    expect(keys(second)).toEqual([`${REPO_A}:c3`]);
    expect(keys(third)).toEqual([]);
    // A later commit writes at its own time, above where the reader stopped.
    now = t(50);
    await feed.append([synced(REPO_B, t(45), 0, 'c4')]);
    expect(keys(await read(third.nextCursor))).toEqual([`${REPO_B}:c4`]);
  });

  it('holds back the last second, so a record written by a clock slightly behind is not passed', async () => {
    await feed.append([synced(REPO_A, new Date(now.getTime() - 500), 0, 'recent')]);

    const page = await read();
    now = new Date(now.getTime() + 1000);

    expect(keys(page)).toEqual([]);
    expect(keys(await read(page.nextCursor))).toEqual([`${REPO_A}:recent`]);
  });

  it('never passes a record that a commit still open writes later below a record already read', async () => {
    // Repository A opens its commit at 10:00:10; B commits at 10:00:15, before A has written anything.
    await feed.openCommit({ repositoryUuid: REPO_A }, t(10).toISOString());
    await feed.append([synced(REPO_B, t(15), 0, 'b')]);
    const whileOpen = await read();
    // A's records land at its own (earlier) positions, then A closes.
    await feed.append([synced(REPO_A, t(11), 0, 'a')]);
    await feed.closeCommit({ repositoryUuid: REPO_A });
    const afterClose = await read(whileOpen.nextCursor);

    expect(keys(whileOpen)).toEqual([]);
    expect(keys(afterClose)).toEqual([`${REPO_A}:a`, `${REPO_B}:b`]);
  });

  it('ignores an open commit older than any invocation lives (its worker died; every write it made has landed)', async () => {
    await feed.openCommit({ repositoryUuid: REPO_A }, new Date(now.getTime() - MAX_COMMIT_MS - 1).toISOString());
    await feed.append([synced(REPO_B, t(15), 0, 'b')]);

    expect(keys(await read())).toEqual([`${REPO_B}:b`]);
  });

  it('rejects a cursor it did not make, and a limit out of range, saying what to pass instead', async () => {
    await expect(read('not-a-cursor')).rejects.toThrow(InvalidChangesQueryError);
    await expect(read(encodeCursor('2026-12-05'))).rejects.toMatchObject({
      hint: expect.stringMatching(/nextCursor of the previous page/),
    });
    await expect(read(undefined, 0)).rejects.toThrow(/limit must be a whole number from 1 to 1000/);
    await expect(read(undefined, 1.5)).rejects.toMatchObject({ hint: 'omit it for 100' });
  });
});
