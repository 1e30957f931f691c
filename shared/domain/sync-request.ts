// The contract between the verifier, the reconciler, the CLI and the worker: the one message on the sync queue,
// and its validation.
import { MalformedMessageError } from './errors';
import type { RefChange } from './push-event';

/**
 * The message on the sync queue. Whatever triggered it, it only says "look at this repository": the worker
 * reads the truth from Bitbucket (level-triggered), so a message may be duplicated, late or out of order.
 */
export interface SyncRequest {
  readonly version: 1;
  /** push: a verified webhook; reconcile: the schedule or an admin; continue: the rest of a long sync. */
  readonly trigger: 'push' | 'reconcile' | 'continue' | 'admin';
  /**
   * The repository; a push also names its current workspace uuid (when the delivery carried it), which the
   * worker stores like a new name.
   */
  readonly repository: { readonly uuid: string; readonly fullName: string; readonly workspaceUuid?: string };
  /** Branch updates named by the push (a hint for logs; the worker decides from the default branch). */
  readonly changes?: readonly RefChange[];
  /** X-Request-UUID of the delivery, or a generated id for other triggers; used as the correlation id. */
  readonly requestUuid: string;
  readonly attempt?: number;
  /** Admin actions: `full` re-reads the whole branch; `fromCommit` diffs from the given commit. */
  readonly mode?: 'incremental' | 'full';
  readonly fromCommit?: string;
  /**
   * After the sync, compare every stored model with the head's tree and repair what differs (`sync --verify`, the
   * daily verification); a continuation of such a request carries it on.
   */
  readonly verify?: boolean;
  readonly requestedAt: string;
}

/** The most ref changes carried in one message: enough for logs, and keeps a message far below SQS's 256 KB. */
export const MAX_CHANGES_IN_MESSAGE = 20;

/** Reads a queue message body, or throws MalformedMessageError (such a message can never succeed). */
export function parseSyncRequest(body: string): SyncRequest {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new MalformedMessageError('sync request is not JSON');
  }
  const request = value as Partial<SyncRequest> | null;
  if (
    !request ||
    request.version !== 1 ||
    !['push', 'reconcile', 'continue', 'admin'].includes(String(request.trigger)) ||
    typeof request.repository?.uuid !== 'string' ||
    typeof request.repository.fullName !== 'string' ||
    !['string', 'undefined'].includes(typeof request.repository.workspaceUuid) ||
    typeof request.requestUuid !== 'string' ||
    (request.verify !== undefined && typeof request.verify !== 'boolean')
  ) {
    throw new MalformedMessageError('sync request does not have the expected fields');
  }
  return request as SyncRequest;
}
