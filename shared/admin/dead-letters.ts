// The dead-letter queue as the admin sees it: sync requests that failed 5 times, with the worker's attempts from the
// events log, and moving them back to the sync queue once the cause is fixed (`dlq`, the admin API's DLQ view).
import type { DeadLetter, SqsDeadLetterQueue } from '../aws/sqs-dead-letter-queue';
import type { LoggedEvent } from '../domain/logged-event';
import type { RepositoryConfig } from '../domain/repository-config';
import type { AdminRun } from './admin-run';
import { recordAdminAction } from './admin-trail';
import type { HubContext } from './hub-context';

/** One line of `dlq list --json`. */
export interface DeadLetterListing {
  messageId: string;
  repository: string | null;
  repositoryUuid: string | null;
  trigger: string | null;
  requestUuid: string | null;
  requestedAt: string | null;
  /**
   * SQS's ApproximateReceiveCount: the worker's receives, plus one for every listing (SQS cannot look at a message
   * without receiving it). `attempts` is the count that listing does not change.
   */
  receiveCount: number | null;
  sentAt: string | null;
}

/** One line of `dlq list --json`: a message with the worker's attempts at it, from the events log. */
export interface DeadLetterWithAttempts extends DeadLetterListing {
  /** Failed sync runs recorded for this request (its original attempts). */
  attempts: number;
  /** The reason of the newest of them. */
  lastReason: string | null;
}

/** Adds to each listing the failed runs the worker recorded for its request: reading the log changes nothing. */
async function withAttempts(context: HubContext, listings: readonly DeadLetterListing[]): Promise<DeadLetterWithAttempts[]> {
  const runsOf = new Map<string, Promise<LoggedEvent[]>>();
  return Promise.all(
    listings.map(async (listing) => {
      const uuid = listing.repositoryUuid;
      if (!uuid || !listing.requestUuid) return { ...listing, attempts: 0, lastReason: null };
      if (!runsOf.has(uuid)) runsOf.set(uuid, context.events.list({ repositoryUuid: uuid, limit: 500 }));
      const failed = (await runsOf.get(uuid)!).filter(
        (event) => event.kind === 'sync' && event.requestUuid === listing.requestUuid && event.outcome === 'failed',
      );
      return { ...listing, attempts: failed.length, lastReason: failed[0]?.reason ?? null };
    }),
  );
}

/** What `dlq list` shows of a message: the sync request's fields where the body is one, and what SQS knows. */
function toListing(letter: DeadLetter): DeadLetterListing {
  let body: { repository?: { uuid?: string; fullName?: string }; trigger?: string; requestUuid?: string; requestedAt?: string } = {};
  try {
    body = JSON.parse(letter.body) as typeof body;
  } catch {
    // A body that is not a sync request is listed with what SQS knows about it.
  }
  return {
    messageId: letter.messageId,
    repository: body.repository?.fullName ?? null,
    repositoryUuid: body.repository?.uuid ?? null,
    trigger: body.trigger ?? null,
    requestUuid: body.requestUuid ?? null,
    requestedAt: body.requestedAt ?? null,
    receiveCount: letter.receiveCount,
    sentAt: letter.sentAt,
  };
}

async function deadLetterQueue(context: HubContext): Promise<SqsDeadLetterQueue> {
  const { SqsDeadLetterQueue } = await import('../aws/sqs-dead-letter-queue.ts');
  return new SqsDeadLetterQueue({ client: context.target.sqs, queueUrl: context.target.deadLetterQueueUrl });
}

/** The messages of the dead-letter queue, with the worker's failed attempts at each. */
export async function listDeadLetters(context: HubContext): Promise<DeadLetterWithAttempts[]> {
  return withAttempts(context, (await (await deadLetterQueue(context)).list()).map(toListing));
}

/** About how many messages are in the dead-letter queue, receivable or not (in flight). */
export async function deadLettersInFlight(context: HubContext): Promise<number> {
  return (await deadLetterQueue(context)).approximateCount();
}

/** Moves the dead letters (of one repository, or all) back to the sync queue; returns the moved ones. */
export async function redriveDeadLetters(run: AdminRun, context: HubContext, only?: RepositoryConfig): Promise<DeadLetterListing[]> {
  const moved = (
    await (
      await deadLetterQueue(context)
    ).redrive({
      destinationQueueUrl: context.target.queueUrl,
      // Other repositories' messages stay in the dead-letter queue.
      ...(only ? { select: (letter: DeadLetter) => toListing(letter).repositoryUuid === only.uuid } : {}),
      fallbackGroupId: (letter) => toListing(letter).repositoryUuid ?? 'redrive',
    })
  ).map(toListing);
  if (moved.length > 0)
    await recordAdminAction(run, context, 'redrive', {
      ...(only ? { repository: only } : {}),
      moved: moved.length,
      requests: moved.map((letter) => letter.requestUuid),
    });
  return moved;
}
