/**
 * The behaviour the change records rely on from the change store (intents, open commits, the feed), as one suite
 * run against DynamoDbChangeStore on dynalite and against the in-memory store.
 */
import type { FeedRecord } from '../../../shared/domain/changes/change-records';
import { feedPosition } from '../../../shared/domain/changes/feed-position';
import type { ChangeFeed, ChangeLog } from '../../../shared/domain/changes/ports';

const REPO = '{cccccccc-0000-4000-8000-000000000001}';
const OTHER = '{cccccccc-0000-4000-8000-000000000002}';

function record(at: Date, index: number, key: string): FeedRecord {
  return {
    position: feedPosition(at, REPO, index),
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
      counts: { added: 1, modified: 0, removed: 0, renamed: 0 },
    },
  };
}

/** `store` resolves to a fresh, empty store for each test. */
export function changeStoreContract(store: () => Promise<ChangeLog & ChangeFeed>): void {
  const at = new Date('2026-12-05T10:00:00.000Z');

  it('keeps the first intent of a path until it is cleared, per repository generation', async () => {
    const s = await store();
    const scope = { repositoryUuid: REPO, generation: 'g1' };
    const longPath = `${'deep/'.repeat(300)}model.hck.json`;
    await s.recordIntent(scope, { path: 'a.hck.json', changeId: 'first', before: { version: 'v1', sha256: 'aa', status: 'valid' } });
    await s.recordIntent(scope, { path: 'a.hck.json', changeId: 'second' });
    await s.recordIntent(scope, { path: longPath, changeId: 'long', movedFrom: 'a.hck.json' });
    await s.recordIntent({ repositoryUuid: REPO, generation: 'g2' }, { path: 'a.hck.json', changeId: 'other generation' });

    const pending = await s.pendingIntents(scope);
    await s.clearIntents(scope, ['a.hck.json']);

    expect(pending.sort((a, b) => a.changeId.localeCompare(b.changeId))).toEqual([
      { path: 'a.hck.json', changeId: 'first', before: { version: 'v1', sha256: 'aa', status: 'valid' } },
      { path: longPath, changeId: 'long', movedFrom: 'a.hck.json' },
    ]);
    expect((await s.pendingIntents(scope)).map((intent) => intent.changeId)).toEqual(['long']);
    expect((await s.pendingIntents({ repositoryUuid: REPO, generation: 'g2' })).map((intent) => intent.changeId)).toEqual([
      'other generation',
    ]);
  });

  it('lists open commits, one per repository generation, until closed', async () => {
    const s = await store();
    await s.openCommit({ repositoryUuid: REPO }, '2026-12-05T10:00:00.000Z');
    await s.openCommit({ repositoryUuid: REPO }, '2026-12-05T10:00:05.000Z');
    await s.openCommit({ repositoryUuid: OTHER, generation: 'g' }, '2026-12-05T10:00:07.000Z');
    const open = (await s.openCommits()).map((commit) => commit.startedAt).sort();

    await s.closeCommit({ repositoryUuid: REPO });

    expect(open).toEqual(['2026-12-05T10:00:05.000Z', '2026-12-05T10:00:07.000Z']);
    expect((await s.openCommits()).map((commit) => commit.startedAt)).toEqual(['2026-12-05T10:00:07.000Z']);
  });

  it('reads the feed in position order strictly between after and before, up to the limit', async () => {
    const s = await store();
    const records = Array.from({ length: 5 }, (_, index) => record(new Date(at.getTime() + index * 1000), 0, `k${index}`));
    await s.append([records[3]!, records[0]!, records[4]!, records[1]!, records[2]!]);
    const keys = (found: FeedRecord[]) => found.map((found) => found.detail.idempotencyKey);

    expect(keys(await s.readFeed({ before: '9999', limit: 10 }))).toEqual(['k0', 'k1', 'k2', 'k3', 'k4']);
    expect(keys(await s.readFeed({ after: records[1]!.position, before: records[4]!.position, limit: 10 }))).toEqual(['k2', 'k3']);
    expect(keys(await s.readFeed({ after: records[0]!.position, before: '9999', limit: 2 }))).toEqual(['k1', 'k2']);
    expect(keys(await s.readFeed({ before: new Date(at.getTime() + 2000).toISOString(), limit: 10 }))).toEqual(['k0', 'k1']);
    expect(await s.readFeed({ before: '9999', limit: 1 })).toEqual([records[0]]);
  });

  it('replaces a record written again at its position', async () => {
    const s = await store();
    await s.append([record(at, 0, 'first')]);
    await s.append([record(at, 0, 'again')]);

    expect((await s.readFeed({ before: '9999', limit: 10 })).map((found) => found.detail.idempotencyKey)).toEqual(['again']);
  });
}
