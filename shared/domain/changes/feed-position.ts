/**
 * Where a record sits in the changes feed, and how far a reader may read without missing a record that is still
 * being written. Syncs of different repositories commit concurrently, so a record can land after a later one; the
 * protocol that keeps a reader from passing it:
 *
 * 1. A commit first marks itself open with a time `t0` taken before the mark is written, then takes `t1` after the
 *    mark is acknowledged, and writes its records at positions from `t1` on.
 * 2. A reader takes its time `r` first, then reads the open marks, and reads only below the horizon
 *    min(r − {@link CLOCK_SKEW_MS}, every open mark's `t0`).
 *
 * A mark the reader did not see landed after it looked (after `r`), so that commit's positions (from `t1`, after the
 * mark) lie above the reader's horizon; a mark it saw holds the horizon below that commit's positions. A mark left
 * by a worker that died is replaced by the retry's commit, or ignored after {@link MAX_COMMIT_MS} (no invocation
 * lives that long, so every write of the dead one has landed by then).
 */

/** Allowance for clocks of different hosts (Lambda hosts keep theirs within a millisecond of each other). */
export const CLOCK_SKEW_MS = 1_000;

/** A commit takes at most this long (Lambda's longest invocation); an older open mark is ignored. */
export const MAX_COMMIT_MS = 15 * 60_000;

/** Digits of a record's index within its commit. */
const INDEX_DIGITS = 6;

/** Position of the `index`-th record of a commit of `repositoryUuid` that took its time `at`. */
export function feedPosition(at: Date, repositoryUuid: string, index: number): string {
  return `${at.toISOString()}#${repositoryUuid}#${String(index).padStart(INDEX_DIGITS, '0')}`;
}

/** A position: an ISO time, optionally followed by the repository and index (a bare time is a horizon). */
const POSITION = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z(#\{?[0-9a-fA-F-]+\}?#\d{6})?$/;

export function isFeedPosition(text: string): boolean {
  return POSITION.test(text);
}

/** The horizon a reader that took its time `now` and saw `openSince` (open marks' `t0`) may read below. */
export function readHorizon(now: Date, openSince: readonly string[]): string {
  const oldestLive = new Date(now.getTime() - MAX_COMMIT_MS).toISOString();
  const live = openSince.filter((t0) => t0 >= oldestLive);
  return [new Date(now.getTime() - CLOCK_SKEW_MS).toISOString(), ...live].sort()[0]!;
}
