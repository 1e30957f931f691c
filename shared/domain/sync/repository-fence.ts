/**
 * Fences a sync's writes by the repository's generation, so that work of a removed repository (in flight, retried
 * or queued) leaves nothing behind and cannot disturb a later re-add. No transactions: every write is tagged with
 * the generation, and after it the repository is read fresh; if it is gone or has another generation, the write
 * is undone and the sync stops. `repo remove` deletes the configuration before it sweeps models and state, so
 * either the writer sees the removal, or the removal's sweep (which starts later) sees the write.
 *
 * A writer that dies between its write and its undo strands a record of its (removed) generation, possibly after
 * the re-add's sweep. The current generation treats such a record as not its own: listed, it is planned to be
 * rewritten or deleted (never skipped as up to date, never the source of a move); met by a write, it is deleted
 * (exactly that version) and the write made again.
 */
import { RepositoryRemovedError } from './errors';
import type { ForeignGenerationRecord, ModelStore, SyncState, SyncStateEraser, SyncStateStore } from './ports';
import type { SyncTarget } from './sync-types';

/** Whether the repository is still added with the generation the sync started with (a fresh read, never a cache). */
export type IsCurrentGeneration = () => Promise<boolean>;

/** Stranded records one write may have to clear: a move meets two paths. */
const MAX_CLEARED_PER_WRITE = 2;

/** The model and state stores of one sync, fenced by `target.generation`. */
export function fenceWrites(
  target: Pick<SyncTarget, 'uuid' | 'fullName' | 'generation'>,
  stores: { models: ModelStore; state: SyncStateStore & SyncStateEraser },
  isCurrent: IsCurrentGeneration,
): { models: ModelStore; state: SyncStateStore } {
  const { generation } = target;
  const removed = () => new RepositoryRemovedError(`repository ${target.fullName} ${target.uuid} was removed from the hub during the sync`);
  /** After a write: keep it if the repository is still ours, else undo it and stop. */
  const confirm = async (undo: () => Promise<void>): Promise<void> => {
    if (await isCurrent()) return;
    // Undoing deletes exactly what this write made (its version, its revision); a no-op if replaced meanwhile.
    await undo();
    throw removed();
  };
  /** A write that fails because a newer generation owns the record is the removal's doing, not a failure to retry. */
  const attempt = async <T>(write: () => Promise<T>): Promise<T> => {
    try {
      return await write();
    } catch (error) {
      if (!(await isCurrent())) throw removed();
      throw error;
    }
  };

  /**
   * A write refused because a record of another generation holds its path: `attempt` has just read our generation
   * as current, so that record is a removed generation's. Delete exactly it (its version: a record written since is
   * left alone) and write again.
   */
  const clearing = async <T>(write: () => Promise<T>): Promise<T> => {
    for (let cleared = 0; ; cleared += 1) {
      try {
        return await attempt(write);
      } catch (error) {
        const stranded = heldBy(error);
        if (!stranded || stranded.generation === generation || cleared >= MAX_CLEARED_PER_WRITE) throw error;
        await stores.models.deleteModel(target.uuid, stranded.path, { generation: stranded.generation, version: stranded.version });
      }
    }
  };
  /** Whether a stored record is another generation's (a removed one's: see `clearing`). */
  const foreign = (recordGeneration: string | undefined) =>
    generation !== undefined && recordGeneration !== undefined && recordGeneration !== generation;

  const models: ModelStore = {
    async putModel(input) {
      const written = await clearing(() => stores.models.putModel({ ...input, generation }));
      await confirm(() => stores.models.deleteModel(target.uuid, input.path, { generation, version: written.version }));
      return written;
    },
    async recordTooLarge(input) {
      const written = await clearing(() => stores.models.recordTooLarge({ ...input, generation }));
      await confirm(() => stores.models.deleteModel(target.uuid, input.path, { generation, version: written.version }));
      return written;
    },
    async moveModel(repositoryUuid, fromPath, toPath, commit) {
      const moved = await clearing(() => stores.models.moveModel(repositoryUuid, fromPath, toPath, commit, { generation }));
      if (moved) await confirm(() => stores.models.deleteModel(repositoryUuid, toPath, { generation, version: moved.version }));
      return moved;
    },
    // Deleting is what a removal wants anyway; the generation keeps it off a re-added repository's records.
    deleteModel: (repositoryUuid, path) => clearing(() => stores.models.deleteModel(repositoryUuid, path, { generation })),
    // Another generation's record is listed without its blob id: rewritten when the head has its path, deleted when
    // not, and never taken as the unchanged source of a move.
    listModels: async (repositoryUuid) =>
      (await stores.models.listModels(repositoryUuid)).map((model) =>
        foreign(model.generation) ? { path: model.path, status: model.status, generation: model.generation } : model,
      ),
    readBackModels: async (repositoryUuid) =>
      (await stores.models.readBackModels(repositoryUuid)).map((model) =>
        foreign(model.generation) ? { path: model.path, status: model.status, generation: model.generation } : model,
      ),
    existingPaths: (repositoryUuid, paths) => stores.models.existingPaths(repositoryUuid, paths),
    removeOrphanChunks: (repositoryUuid, options) => stores.models.removeOrphanChunks(repositoryUuid, options),
  };

  const state: SyncStateStore = {
    async getSyncState(uuid) {
      const stored = await stores.state.getSyncState(uuid);
      if (stored.revision > 0 && stored.generation === generation) return stored;
      // About to start from nothing: the repository must be added now, not just in a cache.
      if (!(await isCurrent())) throw removed();
      if (stored.revision === 0) return stored;
      // Left by an earlier generation whose writer died before undoing it: not ours to continue.
      await stores.state.deleteSyncState(uuid, { revision: stored.revision, generation: stored.generation });
      return { uuid, revision: 0 } satisfies SyncState;
    },
    async putSyncState(next, expectedRevision) {
      const written = await attempt(() => stores.state.putSyncState({ ...next, generation }, expectedRevision));
      await confirm(() => stores.state.deleteSyncState(next.uuid, { revision: written.revision, generation }));
      return written;
    },
  };
  return { models, state };
}

/** The stranded record a store's conflict error names (`ForeignGenerationRecord`), when that is why the write failed. */
function heldBy(error: unknown): ForeignGenerationRecord | undefined {
  const held = (error as { heldBy?: Partial<ForeignGenerationRecord> } | null | undefined)?.heldBy;
  return typeof held?.path === 'string' && typeof held.generation === 'string' && typeof held.version === 'string'
    ? { path: held.path, generation: held.generation, version: held.version }
    : undefined;
}
