/**
 * An in-memory repository store with the observable behaviour of DynamoDbRepositoryStore: added repositories,
 * and the sync state (the `SyncStateStore` port) written only when the caller's revision is still current,
 * failing with the same SyncStateConflictError otherwise.
 */
import { RepositoryExistsError, RepositoryNotAddedError } from '../../../shared/domain/errors';
import { SyncStateConflictError } from '../../../shared/domain/sync/errors';
import { type RepositoryConfig } from '../../../shared/domain/repository-config';
import type { SyncState, SyncStateEraser, SyncStateStore } from '../../../shared/domain/sync/ports';

export class InMemoryRepositoryStore implements SyncStateStore, SyncStateEraser {
  private readonly configs = new Map<string, RepositoryConfig>();
  /** Stored as the JSON text the real store keeps, so undefined fields vanish the same way. */
  private readonly states = new Map<string, { json: string; revision: number; generation?: string }>();

  /** Like the real store, drops a sync state left by another generation. */
  async addRepository(config: RepositoryConfig): Promise<void> {
    if (this.configs.has(config.uuid)) throw new RepositoryExistsError(`repository ${config.fullName} ${config.uuid} is already added`);
    this.configs.set(config.uuid, copyConfig(config));
    const state = this.states.get(config.uuid);
    if (state && (config.generation === undefined || state.generation !== config.generation)) this.states.delete(config.uuid);
  }

  /** Like the real store, fails with RepositoryNotAddedError for a repository not added. */
  async updateRepository(config: RepositoryConfig): Promise<void> {
    if (!this.configs.has(config.uuid)) throw new RepositoryNotAddedError(`repository ${config.fullName} ${config.uuid} is not added`);
    this.configs.set(config.uuid, copyConfig(config));
  }

  async renameRepository(uuid: string, fullName: string, workspaceUuid?: string): Promise<void> {
    const config = this.configs.get(uuid);
    if (config) this.configs.set(uuid, { ...config, fullName, ...(workspaceUuid === undefined ? {} : { workspaceUuid }) });
  }

  async getRepository(uuid: string): Promise<RepositoryConfig | undefined> {
    const config = this.configs.get(uuid);
    return config && { ...config };
  }

  async listRepositories(): Promise<RepositoryConfig[]> {
    return [...this.configs.values()].map((config) => ({ ...config })).sort((a, b) => a.fullName.localeCompare(b.fullName));
  }

  async removeRepository(uuid: string): Promise<void> {
    this.configs.delete(uuid);
    this.states.delete(uuid);
  }

  async getSyncState(uuid: string): Promise<SyncState> {
    const stored = this.states.get(uuid);
    if (!stored) return { uuid, revision: 0 };
    return { ...(JSON.parse(stored.json) as Omit<SyncState, 'revision'>), uuid, revision: stored.revision };
  }

  async putSyncState(state: Omit<SyncState, 'revision'>, expectedRevision: number): Promise<SyncState> {
    const { uuid, ...rest } = state;
    const stored = this.states.get(uuid);
    const fenced = expectedRevision !== 0 && state.generation !== undefined;
    if ((stored?.revision ?? 0) !== expectedRevision || (fenced && stored?.generation !== state.generation)) {
      throw new SyncStateConflictError(`sync state of ${uuid} changed while syncing (expected revision ${expectedRevision})`);
    }
    const revision = expectedRevision + 1;
    this.states.set(uuid, {
      json: JSON.stringify(rest),
      revision,
      ...(state.generation !== undefined ? { generation: state.generation } : {}),
    });
    return { ...state, revision };
  }

  async deleteSyncState(uuid: string, expected: { revision: number; generation?: string }): Promise<void> {
    const stored = this.states.get(uuid);
    if (stored && stored.revision === expected.revision && stored.generation === expected.generation) this.states.delete(uuid);
  }
}

function copyConfig(config: RepositoryConfig): RepositoryConfig {
  return {
    uuid: config.uuid,
    fullName: config.fullName,
    ...(config.workspaceUuid !== undefined ? { workspaceUuid: config.workspaceUuid } : {}),
    modelPattern: config.modelPattern,
    addedAt: config.addedAt,
    ...(config.generation !== undefined ? { generation: config.generation } : {}),
  };
}
