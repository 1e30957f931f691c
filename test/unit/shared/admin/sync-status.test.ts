import type { HubContext } from '../../../../shared/admin/hub-context';
import { syncStatus } from '../../../../shared/admin/sync-status';
import type { SyncRunEvent } from '../../../../shared/domain/logged-event';
import type { RepositoryConfig } from '../../../../shared/domain/repository-config';
import { InMemoryEventLog } from '../../../support/in-memory/in-memory-event-log';
import { InMemoryRepositoryStore } from '../../../support/in-memory/in-memory-repository-store';

const repository: RepositoryConfig = {
  uuid: '{r1}',
  fullName: 'acme/models',
  modelPattern: '**/*.hck.json',
  addedAt: '2026-01-01T00:00:00Z',
};
const counts = { added: 2, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0, skipped: 0 };

/** A time `minute` minutes into the last ten (events older than the log's TTL are not listed). */
const at = (minute: number) => new Date(Date.now() - (10 - minute) * 60_000).toISOString();

function run(requestUuid: string, fields: Partial<SyncRunEvent>): SyncRunEvent {
  return { kind: 'sync', at: at(1), requestUuid, repository: { uuid: '{r1}', fullName: 'acme/models' }, ...fields };
}

describe('syncStatus: a queued sync followed by its request id (in-memory stores)', () => {
  let repositories: InMemoryRepositoryStore;
  let events: InMemoryEventLog;
  let context: HubContext;

  beforeEach(async () => {
    repositories = new InMemoryRepositoryStore();
    events = new InMemoryEventLog();
    await repositories.addRepository(repository);
    context = { repositories, events } as unknown as HubContext;
  });

  it('is queued while nothing ran', async () => {
    expect(await syncStatus(context, repository, 'req-1')).toEqual({
      repository: 'acme/models',
      uuid: '{r1}',
      requestUuid: 'req-1',
      state: 'queued',
      progress: null,
      result: null,
      error: null,
    });
  });

  it('is running with the progress of the sync in flight, after a partial run of the request', async () => {
    await repositories.putSyncState(
      {
        uuid: '{r1}',
        progress: {
          branch: 'main',
          fromCommit: null,
          toCommit: 'c0ffee1234',
          mode: 'full',
          startedAt: at(0),
          counts,
          invocations: 1,
          done: 3,
          total: 10,
        },
      },
      0,
    );
    await events.record(run('req-1', { outcome: 'partial', opsApplied: 3 }));

    const status = await syncStatus(context, repository, 'req-1');

    expect(status.state).toBe('running');
    expect(status.progress).toEqual({ done: 3, total: 10, mode: 'full', toCommit: 'c0ffee1234' });
  });

  it('is finished with the run result, counting the files of every run of the request', async () => {
    await events.record(run('req-1', { outcome: 'partial', opsApplied: 3, at: at(1) }));
    await events.record(
      run('req-1', { outcome: 'synced', opsApplied: 2, toCommit: 'abc', mode: 'full', branch: 'main', counts, at: at(2) }),
    );
    await events.record(run('req-2', { outcome: 'failed', reason: 'another request', at: at(3) }));

    const status = await syncStatus(context, repository, 'req-1');

    expect(status.state).toBe('finished');
    expect(status.result).toEqual({ outcome: 'synced', branch: 'main', commit: 'abc', mode: 'full', counts, files: 5 });
  });

  it('is failed with the CLI’s explanation and next step', async () => {
    await events.record(run('req-3', { outcome: 'failed', reason: 'BitbucketAuthError: HTTP 401' }));

    const status = await syncStatus(context, repository, 'req-3');

    expect(status.state).toBe('failed');
    expect(status.error).toEqual({
      message: 'the sync of acme/models failed: BitbucketAuthError: HTTP 401',
      hint: 'Bitbucket refused the stored access token: give acme/models a new one with `repo update acme/models` (token on standard input), then run `sync` again',
      code: 'failed',
    });
  });
});
