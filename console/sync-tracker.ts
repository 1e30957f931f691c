// The long actions the admin started (syncs, verifications, initial syncs of added repositories), kept in the
// browser's storage so that their progress is followed again after a page reload; the hub keys each by its
// request id (GET /repositories/{uuid}/syncs/{requestUuid}), so nothing is lost when the page goes away.
import { useEffect, useState } from 'preact/hooks';

export interface FollowedSync {
  readonly uuid: string;
  readonly repository: string;
  readonly requestUuid: string;
  /** What the admin asked for, in the menu's words ("Synchronize entire repository"). */
  readonly action: string;
  readonly startedAt: string;
}

const STORAGE_KEY = 'model-hub-console.followed-syncs';
/** Finished ones are kept (to be read and dismissed) up to this many. */
const MAX_FOLLOWED = 20;
const listeners = new Set<(syncs: readonly FollowedSync[]) => void>();

function read(): FollowedSync[] {
  try {
    const parsed = JSON.parse(window.localStorage.getItem(STORAGE_KEY) ?? '[]') as unknown;
    return Array.isArray(parsed) ? (parsed as FollowedSync[]).filter((sync) => typeof sync?.requestUuid === 'string') : [];
  } catch {
    return [];
  }
}

function write(syncs: readonly FollowedSync[]): void {
  window.localStorage.setItem(STORAGE_KEY, JSON.stringify(syncs));
  for (const listener of listeners) listener(syncs);
}

/** Starts following a sync (the newest first; the same request is never followed twice). */
export function followSync(sync: FollowedSync): void {
  write([sync, ...read().filter((other) => other.requestUuid !== sync.requestUuid)].slice(0, MAX_FOLLOWED));
}

/** Stops showing a sync. */
export function dismissSync(requestUuid: string): void {
  write(read().filter((sync) => sync.requestUuid !== requestUuid));
}

/** The followed syncs, kept current across components and tabs. */
export function useFollowedSyncs(): readonly FollowedSync[] {
  const [syncs, setSyncs] = useState<readonly FollowedSync[]>(read);
  useEffect(() => {
    const fromOtherTab = (event: StorageEvent) => event.key === STORAGE_KEY && setSyncs(read());
    listeners.add(setSyncs);
    window.addEventListener('storage', fromOtherTab);
    return () => {
      listeners.delete(setSyncs);
      window.removeEventListener('storage', fromOtherTab);
    };
  }, []);
  return syncs;
}
