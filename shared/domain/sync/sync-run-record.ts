/**
 * Records a sync run in the repository's sync state: every write is conditional on the revision last read or
 * written, so two runs can never both advance the cursor. (The run's events-log line is written by
 * `handle-sync-request.ts` from the report.)
 */
import type { SyncState, SyncStateStore } from './ports';

/** The sync state of one repository during one run. */
export class SyncRunRecord {
  private constructor(
    private readonly store: SyncStateStore,
    private readonly uuid: string,
    private latest: SyncState,
    private readonly now: () => Date,
    private readonly requestUuid: string | undefined,
  ) {}

  /** Reads the repository's sync state at the start of a run. */
  static async open(store: SyncStateStore, uuid: string, now: () => Date, requestUuid: string | undefined): Promise<SyncRunRecord> {
    return new SyncRunRecord(store, uuid, await store.getSyncState(uuid), now, requestUuid);
  }

  /** The state as last read or written by this run. */
  get state(): SyncState {
    return this.latest;
  }

  /** Writes the next state (conditional on the current revision) and keeps it as the current one. */
  async save(next: Omit<SyncState, 'revision' | 'uuid'>): Promise<void> {
    this.latest = await this.store.putSyncState({ uuid: this.uuid, ...next }, this.latest.revision);
  }

  /** The current state without its progress and rate-limit parking: the base of most writes. */
  withoutProgress(): Omit<SyncState, 'revision' | 'uuid'> {
    const { revision: _revision, uuid: _uuid, progress: _progress, notBefore: _notBefore, ...rest } = this.latest;
    return rest;
  }

  /** The `lastRun` entry of a run ending now with `outcome`. */
  lastRun(outcome: string): NonNullable<SyncState['lastRun']> {
    return { at: this.now().toISOString(), outcome, requestUuid: this.requestUuid };
  }
}
