/**
 * Errors of the read side, each saying what went wrong and what to do next. They carry a kind, not an HTTP status:
 * the reader function maps kinds to statuses, and any other caller (a CLI, a test) reads the same words.
 */
import { ModelHubError } from '../../util/model-hub-error';

/**
 * - `invalid-request`: the request itself is wrong (a bad parameter, a cursor of another query);
 * - `not-found`: no such repository, model or route;
 * - `method-not-allowed`: the route exists but only reads (GET, HEAD);
 * - `not-stored`: the model is known but its content is not kept (over the size limit);
 * - `too-large`: the answer exceeds what one response may carry; the hint says how to ask for parts;
 * - `precondition-failed`: `If-Match` names another version (the model changed during a download);
 * - `range-not-satisfiable`: the asked byte range lies outside the content;
 * - `unavailable`: a transient state (a rewrite raced the read); trying again succeeds.
 */
export type ReadErrorKind =
  | 'invalid-request'
  | 'not-found'
  | 'method-not-allowed'
  | 'not-stored'
  | 'too-large'
  | 'precondition-failed'
  | 'range-not-satisfiable'
  | 'unavailable';

/** A read that cannot be answered as asked: `message` says why, `hint` what to do next, `code` is stable for programs. */
export class ReadError extends ModelHubError {
  constructor(
    readonly kind: ReadErrorKind,
    readonly code: string,
    message: string,
    readonly hint: string,
    /** What a client needs to act on it (the content's size for `range-not-satisfiable`). */
    readonly details: Readonly<Record<string, string | number>> = {},
  ) {
    super(message);
  }
}

/** A request parameter is missing or invalid. */
export function invalidParameter(name: string, problem: string, hint: string): ReadError {
  return new ReadError('invalid-request', 'invalid-parameter', `parameter ${name} ${problem}`, hint, { parameter: name });
}
