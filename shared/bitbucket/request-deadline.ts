/**
 * The time a Bitbucket client may still spend on requests: the invocation's remaining time minus its safety
 * margin, so an outage or a slow answer can never hold a Lambda past its timeout.
 */
import { BitbucketDeadlineError } from './errors';

/** The timeout of one attempt: `requestTimeoutMs`, or less when the deadline (epoch ms) comes sooner; ≤ 0 means none left. */
export function attemptTimeoutMs(requestTimeoutMs: number, deadlineAt: number | undefined, now: number): number {
  return deadlineAt === undefined ? requestTimeoutMs : Math.min(requestTimeoutMs, deadlineAt - now);
}

/** A deadline (epoch ms, or none) on a clock. */
export class RequestDeadline {
  constructor(
    readonly deadlineAt: number | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until the deadline (Infinity without one). */
  timeLeft(): number {
    return this.deadlineAt === undefined ? Infinity : this.deadlineAt - this.now();
  }

  /** The timeout of the next attempt; throws BitbucketDeadlineError when no time is left. */
  attemptTimeout(requestTimeoutMs: number, context: { repository: string; what: string }): number {
    const timeoutMs = attemptTimeoutMs(requestTimeoutMs, this.deadlineAt, this.now());
    if (timeoutMs <= 0) throw new BitbucketDeadlineError(context.repository, context.what);
    return timeoutMs;
  }

  /** Throws BitbucketDeadlineError when a wait of `ms` would reach the deadline (waiting would be useless). */
  assertCanWait(ms: number, context: { repository: string; what: string }): void {
    if (ms >= this.timeLeft()) throw new BitbucketDeadlineError(context.repository, context.what);
  }
}
