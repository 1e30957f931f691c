import { dashboard } from '../../../../shared/admin/dashboard';
import type { HubContext } from '../../../../shared/admin/hub-context';
import type { SyncRunEvent } from '../../../../shared/domain/logged-event';
import type { RepositoryConfig } from '../../../../shared/domain/repository-config';
import { InMemoryEventLog } from '../../../support/in-memory/in-memory-event-log';
import { InMemoryRepositoryStore } from '../../../support/in-memory/in-memory-repository-store';

const at = (minute: number) => new Date(Date.now() - (10 - minute) * 60_000).toISOString();
const none = { added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0, tooLarge: 0, missing: 0, skipped: 0 };
const config = (uuid: string, fullName: string): RepositoryConfig => ({ uuid, fullName, modelPattern: '*.hck.json', addedAt: at(0) });

describe('dashboard (in-memory stores)', () => {
  it('counts providers and repositories by status, and shows the runs that committed changes, newest first', async () => {
    const repositories = new InMemoryRepositoryStore();
    const events = new InMemoryEventLog();
    await repositories.addRepository(config('{a}', 'acme/a'));
    await repositories.addRepository(config('{b}', 'acme/b'));
    await repositories.putSyncState({ uuid: '{a}', branch: 'main', cursor: 'c2' }, 0);
    const sync = (uuid: string, fullName: string, fields: Partial<SyncRunEvent>): SyncRunEvent => ({
      kind: 'sync',
      repository: { uuid, fullName },
      at: at(1),
      ...fields,
    });
    await events.record(sync('{a}', 'acme/a', { at: at(1), outcome: 'synced', toCommit: 'c1', counts: { ...none, added: 3 } }));
    await events.record(sync('{a}', 'acme/a', { at: at(2), outcome: 'up-to-date', toCommit: 'c1', counts: none }));
    await events.record(sync('{a}', 'acme/a', { at: at(3), outcome: 'synced', toCommit: 'c2', counts: { ...none, updated: 1 } }));
    await events.record(sync('{b}', 'acme/b', { at: at(4), outcome: 'failed', reason: 'HTTP 401' }));
    const context = {
      repositories,
      events,
      models: { listModels: async () => [] },
      secrets: { readWebhookSecret: async () => ({ current: 'generated', previous: '' }) },
      target: { webhookUrl: 'https://hub.example/gateway/public/sync' },
    } as unknown as HubContext;

    const shown = await dashboard(context, new Date());

    expect(shown.providers).toEqual({
      configured: 1,
      bitbucketCloud: { secretSet: true, rotationInProgress: false, webhookUrl: 'https://hub.example/gateway/public/sync' },
    });
    expect(shown.repositories).toEqual({ total: 2, byStatus: { synced: 1, failed: 1 } });
    expect(shown.recentActivity.map((entry) => [entry.repository, entry.toCommit])).toEqual([
      ['acme/a', 'c2'],
      ['acme/a', 'c1'],
    ]);
    expect(shown.lastCommitted).toEqual(shown.recentActivity[0]);
    expect(JSON.stringify(shown)).not.toContain('generated');
  });
});
