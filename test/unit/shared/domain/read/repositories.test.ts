import { ReadError } from '../../../../../shared/domain/read/errors';
import { getRepository, listRepositories, normalizeRepositoryUuid } from '../../../../../shared/domain/read/repositories';
import { readWorld, REPO } from '../../../../support/in-memory/read-world';

describe('read: repositories', () => {
  it('shows a synced repository with its branch, commit, time, status and model count', async () => {
    const { ports, repositories, put } = await readWorld();
    await put('a.hck.json', '{}');
    await put('b/c.hck.json', '{}');
    await repositories.putSyncState(
      { uuid: REPO, branch: 'main', cursor: 'abc123', lastRun: { at: '2026-12-05T09:00:00Z', outcome: 'synced' } },
      0,
    );

    expect(await listRepositories(ports)).toEqual([
      {
        uuid: REPO,
        fullName: 'acme/models',
        branch: 'main',
        syncedCommit: 'abc123',
        syncedAt: '2026-12-05T09:00:00Z',
        status: 'synced',
        statusReason: null,
        modelCount: 2,
        modelPattern: '*.hck.json',
      },
    ]);
  });

  it('tells pending, syncing, rate-limited and failed apart, as repo list does', async () => {
    const { ports, repositories, events } = await readWorld();
    expect((await getRepository(ports, REPO)).status).toBe('pending');

    const syncing = await repositories.putSyncState(
      {
        uuid: REPO,
        progress: { branch: 'main', fromCommit: null, toCommit: 'c', mode: 'full', startedAt: '', counts: {} as never, invocations: 1 },
      },
      0,
    );
    expect((await getRepository(ports, REPO)).status).toBe('syncing');

    await repositories.putSyncState({ uuid: REPO, notBefore: '2026-12-05T11:00:00Z' }, syncing.revision);
    expect(await getRepository(ports, REPO)).toMatchObject({ status: 'rate-limited', statusReason: 'until 2026-12-05T11:00:00Z' });

    await repositories.putSyncState({ uuid: REPO, cursor: 'c0' }, syncing.revision + 1);
    await events.record({
      kind: 'sync',
      at: '2026-12-05T09:30:00Z',
      repository: { uuid: REPO, fullName: 'acme/models' },
      outcome: 'failed',
      reason: 'token revoked',
    });
    expect(await getRepository(ports, REPO)).toMatchObject({ status: 'failed', statusReason: 'token revoked', syncedCommit: 'c0' });
  });

  it('accepts a uuid with or without braces in any case, and says what to do with anything else', async () => {
    const { ports } = await readWorld();
    expect((await getRepository(ports, REPO.slice(1, -1).toUpperCase())).uuid).toBe(REPO);
    expect(normalizeRepositoryUuid(REPO)).toBe(REPO);

    await expect(getRepository(ports, 'acme/models')).rejects.toMatchObject({ kind: 'invalid-request', code: 'invalid-parameter' });
    const missing = await getRepository(ports, '{00000000-0000-4000-8000-000000000000}').catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(ReadError);
    expect(missing).toMatchObject({ kind: 'not-found', code: 'repository-not-found', hint: expect.stringContaining('GET /repositories') });
  });

  it('counts the models once per sync state revision, and again after a sync wrote its state', async () => {
    const { ports, models, repositories, put } = await readWorld();
    let counts = 0;
    const countModels = models.countModels.bind(models);
    const cached = {
      ...ports,
      modelCounts: new Map<string, number>(),
      models: Object.assign(Object.create(models) as typeof models, { countModels: (uuid: string) => (counts++, countModels(uuid)) }),
    };
    await put('a.hck.json', '{}');
    const first = await repositories.putSyncState({ uuid: REPO, cursor: 'c1' }, 0);

    const before = [(await getRepository(cached, REPO)).modelCount, (await listRepositories(cached))[0]!.modelCount];
    await put('b.hck.json', '{}');
    await repositories.putSyncState({ uuid: REPO, cursor: 'c2' }, first.revision);
    const after = (await getRepository(cached, REPO)).modelCount;

    expect([...before, after, counts]).toEqual([1, 1, 2, 2]);
  });
});
