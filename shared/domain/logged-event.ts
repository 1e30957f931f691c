// The events-log entry types, shared by the verifier, the worker and the CLI that reads them back.
import type { SyncCounts } from './sync/ports';
import type { VerificationReport } from './sync/sync-types';

/** Any line of the events log: a delivery, a sync run, an admin action. `at` is an ISO timestamp. */
export interface LoggedEvent {
  readonly kind: string;
  readonly at: string;
  readonly requestUuid?: string;
  readonly repository?: { readonly uuid: string; readonly fullName: string };
  readonly outcome?: string;
  readonly reason?: string;
  /**
   * False when `repository` is not one of the hub's (a signed push from a repository nobody added): the event is
   * then filed with the unattributed ones, where an admin looking at the hub's events sees it. @default true
   */
  readonly attributed?: boolean;
  /** Identifies the line: recording an event with the same id replaces it (a delivery that failed after all). */
  readonly eventId?: string;
  /** On a line that counts like events (the events log's `recordCounted`): how many it stands for. */
  readonly count?: number;
}

/** One sync run of the worker, as recorded in the events log. */
export interface SyncRunEvent extends LoggedEvent {
  readonly kind: 'sync';
  readonly trigger?: string;
  readonly branch?: string;
  readonly fromCommit?: string | null;
  readonly toCommit?: string;
  readonly mode?: string;
  /** `rest` or `git`: how the run read the repository. */
  readonly transport?: string;
  readonly counts?: SyncCounts;
  readonly opsApplied?: number;
  readonly opsRemaining?: number;
  readonly retryAfterMs?: number;
  readonly apiCalls?: number;
  /** Git smart-HTTP requests (their own rate limit, apart from `apiCalls`). */
  readonly gitRequests?: number;
  readonly bytesReceived?: number;
  readonly durationMs?: number;
  /** On a verification run: what comparing the stored models with the head's tree found and repaired. */
  readonly verification?: VerificationReport;
}

/**
 * An admin's action through the CLI (add, update, remove, rotate-secret, finish-rotation, sync, redrive), filed in
 * the log of admin actions rather than a repository's: it outlives the repository it names, so `events` can still
 * find the removed ones, and hub-wide actions (a secret rotation) have no repository.
 */
export interface AdminActionEvent extends LoggedEvent {
  readonly kind: 'admin';
  readonly action: string;
  /** Who did it: the AWS principal's ARN for a deployed hub, `local user <name>` for a local one. */
  readonly actor: string;
}

/** Whether an event is an admin action (filed in the admin actions' log). */
export function isAdminAction(event: LoggedEvent): event is AdminActionEvent {
  return event.kind === 'admin';
}
