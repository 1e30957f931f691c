// How the console shows times, commits and counts: the CLI's columns (`events`, `repo list`) in the same words, so
// an admin reads the same thing in the browser and on a terminal.
import type { EventListingJson, SyncCountsJson } from '../shared/admin/api-types';

/** A commit hash as the CLI shows it (7 characters). */
export function shortCommit(commit: string | null | undefined): string {
  return commit ? commit.slice(0, 7) : '';
}

/** `2026-12-05 10:41:07` in the browser's time zone; empty for no time. */
export function shownTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const time = new Date(iso);
  if (Number.isNaN(time.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${time.getFullYear()}-${pad(time.getMonth() + 1)}-${pad(time.getDate())} ${pad(time.getHours())}:${pad(time.getMinutes())}:${pad(time.getSeconds())}`;
}

/** What a run changed, `+2 ~1 -1` (added, updated, removed; renamed ↷, invalid !), `0` for nothing. */
export function shownCounts(counts: Partial<SyncCountsJson> | null | undefined): string {
  if (!counts) return '';
  const parts = (
    [
      ['+', counts.added],
      ['~', counts.updated],
      ['-', counts.removed],
      ['↷', counts.renamed],
      ['!', counts.invalid],
    ] as const
  ).flatMap(([sign, n]) => (n ? [`${sign}${n}`] : []));
  return parts.length > 0 ? parts.join(' ') : '0';
}

/** The commits of a sync run, `from..to` (`..to` for a full read). */
export function shownCommits(from: string | null | undefined, to: string | null | undefined): string {
  return to ? `${shortCommit(from)}..${shortCommit(to)}` : '';
}

/** The detail column of `events`: the reason when it says more than the outcome, who did an admin action. */
export function shownEventDetail(event: EventListingJson): string {
  if (event.kind === 'admin') return `by ${String(event.details.actor ?? 'unknown')}`;
  const reason = event.reason === event.outcome ? null : event.reason;
  return event.count > 1 ? `${reason ?? ''} ×${event.count}`.trim() : (reason ?? '');
}

/** The models column of a sync event. */
export function shownEventCounts(event: EventListingJson): string {
  if (event.kind !== 'sync') return '';
  return shownCounts(event.details.counts as Partial<SyncCountsJson> | undefined);
}

/** The commits column of a sync event. */
export function shownEventCommits(event: EventListingJson): string {
  if (event.kind !== 'sync') return '';
  return shownCommits(event.details.fromCommit as string | null | undefined, event.details.toCommit as string | undefined);
}

/** The repository column: `(unattributed)` for deliveries naming none, `(removed)` after a removed one. */
export function shownRepository(event: Pick<EventListingJson, 'repository' | 'removed'>): string {
  if (!event.repository) return '(unattributed)';
  return event.removed ? `${event.repository} (removed)` : event.repository;
}

/** A status as `repo list` shows it: `syncing 3/10`, `failed: <reason>`. */
export function shownStatus(status: string, progress?: { done: number; total: number }, reason?: string): string {
  if (status === 'syncing' && progress) return `syncing ${progress.done}/${progress.total}`;
  if ((status === 'failed' || status === 'blocked') && reason) return `${status}: ${reason}`;
  return status;
}

/** Bytes for people: `326,798 B`, `1.2 MB`. */
export function shownBytes(bytes: number): string {
  if (bytes < 1_000_000) return `${bytes.toLocaleString('en-US')} B`;
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** Seconds from now until `iso` (0 when past). */
export function secondsUntil(iso: string | null | undefined, now: number = Date.now()): number {
  if (!iso) return 0;
  return Math.max(0, Math.ceil((Date.parse(iso) - now) / 1000));
}
