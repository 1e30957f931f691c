/**
 * The changes feed for consumers that poll (`GET /changes?cursor=`): the committed change records after a cursor,
 * in feed order, never passing a record that a concurrent commit is still writing (see `feed-position.ts`). The
 * same records go to the EventBridge bus; a consumer of either dedupes by `idempotencyKey`.
 */
import { ModelHubError } from '../../util/model-hub-error';
import type { ChangeRecord } from '../changes/change-records';
import { isFeedPosition, readHorizon } from '../changes/feed-position';
import type { ChangeFeed } from '../changes/ports';

export type { ChangeFeed } from '../changes/ports';

/** Records per page when the caller names no limit, and the most it may ask for. */
export const DEFAULT_CHANGES_LIMIT = 100;
export const MAX_CHANGES_LIMIT = 1000;

/** A page of the feed. */
export interface ChangesPage {
  /** Oldest first. */
  readonly items: readonly ChangeRecord[];
  /**
   * Where the next call goes on: always set (a poller keeps it and calls again later). Fewer items than the limit
   * mean the feed was read up to now.
   */
  readonly nextCursor: string;
}

/** A cursor or limit the feed cannot use; `hint` says what to do instead. */
export class InvalidChangesQueryError extends ModelHubError {
  constructor(
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/**
 * The committed changes after `cursor` (undefined: from the oldest record kept; records expire after the retention
 * documented in docs/EVENTS.md), at most `limit`.
 */
export async function changesSince(
  cursor: string | undefined,
  limit: number | undefined,
  deps: { readonly feed: ChangeFeed; readonly now?: () => Date },
): Promise<ChangesPage> {
  const after = cursor === undefined || cursor === '' ? undefined : decodeCursor(cursor);
  const size = checkedLimit(limit);
  // The time first, then the open commits: a commit not seen yet writes above this horizon.
  const now = (deps.now ?? (() => new Date()))();
  const horizon = readHorizon(
    now,
    (await deps.feed.openCommits()).map((open) => open.startedAt),
  );
  const records = after !== undefined && after >= horizon ? [] : await deps.feed.readFeed({ after, before: horizon, limit: size });
  const full = records.length === size;
  // A short page read everything below the horizon: go on from there (never back behind the cursor).
  const next = full ? records.at(-1)!.position : after !== undefined && after > horizon ? after : horizon;
  return { items: records.map(({ detailType, detail }) => ({ detailType, detail }) as ChangeRecord), nextCursor: encodeCursor(next) };
}

/** The opaque cursor of a feed position. */
export function encodeCursor(position: string): string {
  return Buffer.from(`v1:${position}`, 'utf8').toString('base64url');
}

/** The feed position a cursor stands for: everything before it has been read (throws on a cursor not made here). */
export function cursorPosition(cursor: string): string {
  return decodeCursor(cursor);
}

function decodeCursor(cursor: string): string {
  const text = /^[A-Za-z0-9_-]{1,200}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  const position = text.startsWith('v1:') ? text.slice(3) : '';
  if (!isFeedPosition(position))
    throw new InvalidChangesQueryError(
      'the cursor is not one this feed returned',
      'pass the nextCursor of the previous page unchanged, or no cursor to read from the oldest change kept',
    );
  return position;
}

function checkedLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_CHANGES_LIMIT;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_CHANGES_LIMIT)
    throw new InvalidChangesQueryError(
      `limit must be a whole number from 1 to ${MAX_CHANGES_LIMIT}`,
      `omit it for ${DEFAULT_CHANGES_LIMIT}`,
    );
  return limit;
}
