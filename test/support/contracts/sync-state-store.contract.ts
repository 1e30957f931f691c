/**
 * The behaviour the hub relies on from the repository store (added repositories and the revision-conditional
 * sync state), as one suite run against DynamoDbRepositoryStore on dynalite and against the in-memory store.
 */
import { randomUUID } from 'node:crypto';
import { RepositoryExistsError, RepositoryNotAddedError } from '../../../shared/domain/errors';
import { SyncStateConflictError } from '../../../shared/domain/sync/errors';
import { type RepositoryConfig } from '../../../shared/domain/repository-config';
import type { SyncStateEraser, SyncStateStore } from '../../../shared/domain/sync/ports';

/** The surface both stores share. */
export interface RepositoryStoreUnderTest extends SyncStateStore, SyncStateEraser {
  addRepository(config: RepositoryConfig): Promise<void>;
  updateRepository(config: RepositoryConfig): Promise<void>;
  renameRepository(uuid: string, fullName: string, workspaceUuid?: string): Promise<void>;
  getRepository(uuid: string): Promise<RepositoryConfig | undefined>;
  listRepositories(): Promise<RepositoryConfig[]>;
  removeRepository(uuid: string): Promise<void>;
}

const newUuid = () => `{${randomUUID()}}`;
const config = (fullName: string, uuid = newUuid()): RepositoryConfig => ({
  uuid,
  fullName,
  modelPattern: '*.hck.json',
  addedAt: '2026-01-01T00:00:00.000Z',
});

/** `store` returns a fresh, empty store for each test. */
export function repositoryStoreContract(store: () => RepositoryStoreUnderTest): void {
  it('starts every repository at revision 0 with no cursor', async () => {
    const uuid = newUuid();
    expect(await store().getSyncState(uuid)).toEqual({ uuid, revision: 0 });
  });

  it('writes the next revision and reads back what was written (undefined fields dropped)', async () => {
    const s = store();
    const uuid = newUuid();
    const written = await s.putSyncState(
      {
        uuid,
        branch: 'main',
        cursor: 'abc',
        pattern: '*.hck.json',
        hubignore: '',
        notBefore: undefined,
        lastRun: { at: '2026-01-01T00:00:00.000Z', outcome: 'synced' },
      },
      0,
    );
    expect(written.revision).toBe(1);
    expect(await s.getSyncState(uuid)).toEqual({
      uuid,
      branch: 'main',
      cursor: 'abc',
      pattern: '*.hck.json',
      hubignore: '',
      lastRun: { at: '2026-01-01T00:00:00.000Z', outcome: 'synced' },
      revision: 1,
    });
    const next = await s.putSyncState({ uuid, cursor: 'def' }, 1);
    expect(next).toEqual({ uuid, cursor: 'def', revision: 2 });
    expect(await s.getSyncState(uuid)).toEqual({ uuid, cursor: 'def', revision: 2 });
  });

  it('refuses a write from a stale revision with SyncStateConflictError and keeps the newer state', async () => {
    const s = store();
    const uuid = newUuid();
    await s.putSyncState({ uuid, cursor: 'first' }, 0);
    await expect(s.putSyncState({ uuid, cursor: 'lost' }, 0)).rejects.toBeInstanceOf(SyncStateConflictError);
    await s.putSyncState({ uuid, cursor: 'second' }, 1);
    await expect(s.putSyncState({ uuid, cursor: 'lost' }, 1)).rejects.toThrow(
      `sync state of ${uuid} changed while syncing (expected revision 1)`,
    );
    await expect(s.putSyncState({ uuid, cursor: 'ahead' }, 5)).rejects.toBeInstanceOf(SyncStateConflictError);
    expect(await s.getSyncState(uuid)).toEqual({ uuid, cursor: 'second', revision: 2 });
  });

  it('lets exactly one of two writers from the same revision win', async () => {
    const s = store();
    const uuid = newUuid();
    await s.putSyncState({ uuid, cursor: 'base' }, 0);
    const results = await Promise.allSettled([s.putSyncState({ uuid, cursor: 'one' }, 1), s.putSyncState({ uuid, cursor: 'two' }, 1)]);
    expect(results.filter((result) => result.status === 'fulfilled')).toHaveLength(1);
    const [rejected] = results.filter((result): result is PromiseRejectedResult => result.status === 'rejected');
    expect(rejected!.reason).toBeInstanceOf(SyncStateConflictError);
    expect((await s.getSyncState(uuid)).revision).toBe(2);
  });

  it('adds a repository once, renames and updates it, lists by name, and removes it with its sync state', async () => {
    const s = store();
    const zulu = config(`zulu/${randomUUID()}`);
    const alpha = config(`alpha/${randomUUID()}`);
    await s.addRepository(zulu);
    await s.addRepository(alpha);
    await expect(s.addRepository({ ...zulu, fullName: 'other/name' })).rejects.toBeInstanceOf(RepositoryExistsError);
    await s.renameRepository(zulu.uuid, 'beta/renamed');
    await s.renameRepository(newUuid(), 'nobody/there'); // a repository removed meanwhile: nothing happens
    await s.updateRepository({ ...alpha, modelPattern: 'models/**/*.json' });
    await expect(s.updateRepository(config('never/added'))).rejects.toBeInstanceOf(RepositoryNotAddedError);
    expect(await s.getRepository(zulu.uuid)).toEqual({ ...zulu, fullName: 'beta/renamed' });
    const listed = (await s.listRepositories()).filter((repository) => [zulu.uuid, alpha.uuid].includes(repository.uuid));
    expect(listed).toEqual([
      { ...alpha, modelPattern: 'models/**/*.json' },
      { ...zulu, fullName: 'beta/renamed' },
    ]);

    await s.putSyncState({ uuid: zulu.uuid, cursor: 'abc' }, 0);
    await s.removeRepository(zulu.uuid);
    expect(await s.getRepository(zulu.uuid)).toBeUndefined();
    expect(await s.getSyncState(zulu.uuid)).toEqual({ uuid: zulu.uuid, revision: 0 });
  });

  it("keeps a repository's workspace uuid, fills it in for a record without one, and replaces it on a transfer", async () => {
    const s = store();
    const legacy = config(`acme/${randomUUID()}`);
    const current = { ...config(`acme/${randomUUID()}`), workspaceUuid: newUuid() };
    await s.addRepository(legacy);
    await s.addRepository(current);
    expect(await s.getRepository(legacy.uuid)).toEqual(legacy);
    expect(await s.getRepository(current.uuid)).toEqual(current);

    const workspace = newUuid();
    await s.renameRepository(legacy.uuid, legacy.fullName, workspace);
    await s.renameRepository(current.uuid, 'acme/renamed');
    expect(await s.getRepository(legacy.uuid)).toEqual({ ...legacy, workspaceUuid: workspace });
    expect(await s.getRepository(current.uuid)).toEqual({ ...current, fullName: 'acme/renamed' });

    const other = newUuid();
    await s.renameRepository(current.uuid, 'other/renamed', other);
    await s.updateRepository({ ...legacy, modelPattern: 'a/*.hck.json', workspaceUuid: workspace });
    expect(await s.getRepository(current.uuid)).toEqual({ ...current, fullName: 'other/renamed', workspaceUuid: other });
    expect((await s.listRepositories()).find((repository) => repository.uuid === legacy.uuid)).toEqual({
      ...legacy,
      modelPattern: 'a/*.hck.json',
      workspaceUuid: workspace,
    });
  });

  it('fences the sync state by generation, deletes only the expected revision, and a new generation drops an old state', async () => {
    const s = store();
    const repository = { ...config('acme/fenced'), generation: 'g1' };
    await s.addRepository(repository);
    const first = await s.putSyncState({ uuid: repository.uuid, generation: 'g1', cursor: 'a' }, 0);
    await expect(s.putSyncState({ uuid: repository.uuid, generation: 'g0', cursor: 'b' }, first.revision)).rejects.toThrow(
      SyncStateConflictError,
    );
    await s.deleteSyncState(repository.uuid, { revision: first.revision, generation: 'g0' });
    await s.deleteSyncState(repository.uuid, { revision: first.revision + 1, generation: 'g1' });
    expect(await s.getSyncState(repository.uuid)).toMatchObject({ generation: 'g1', cursor: 'a', revision: first.revision });
    await s.deleteSyncState(repository.uuid, { revision: first.revision, generation: 'g1' });
    expect(await s.getSyncState(repository.uuid)).toEqual({ uuid: repository.uuid, revision: 0 });

    // Removed with a state written late by g1, then added as g2: the state of g1 is gone, g2's own survives a re-add attempt.
    await s.putSyncState({ uuid: repository.uuid, generation: 'g1', cursor: 'late' }, 0);
    await s.removeRepository(repository.uuid);
    await s.putSyncState({ uuid: repository.uuid, generation: 'g1', cursor: 'later' }, 0);
    await s.addRepository({ ...repository, generation: 'g2' });
    expect(await s.getSyncState(repository.uuid)).toEqual({ uuid: repository.uuid, revision: 0 });
    expect((await s.getRepository(repository.uuid))?.generation).toBe('g2');
  });
}
