// What the verifier decides about one webhook delivery (signature, replay, filter, enqueue), kept free of
// API Gateway and AWS so it is tested directly.
import { createHash, randomUUID } from 'node:crypto';
import { WebhookSecretUnavailableError } from './errors';
import type { AcceptedDeliveries, SyncRequestQueue } from './ports';
import type { SyncRequest } from './sync-request';
import { branchUpdates, parsePushEvent, reasonToIgnore } from './push-event';
import { verifySignature } from './signature';
import { MAX_CHANGES_IN_MESSAGE } from './sync-request';

/** A webhook delivery as received: raw bytes and lower-cased headers. */
export interface Delivery {
  readonly rawBody: Buffer;
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly receivedAt: Date;
}

/** What happened to a delivery. The verifier handler turns it into an HTTP status. */
export type DeliveryOutcome =
  | { outcome: 'queued'; reason: 'queued'; repository: RepositoryRef }
  | { outcome: 'duplicate'; reason: 'duplicate'; repository: RepositoryRef }
  | { outcome: 'ignored'; reason: string; repository?: RepositoryRef; repositoryAdded?: boolean }
  | {
      outcome: 'rejected';
      reason: RejectionReason;
      repository?: RepositoryRef;
      detail?: string;
      /** The name of the error that kept a forged delivery from being counted (counting is best effort). */
      notCounted?: string;
    };

export type RejectionReason = 'invalid signature' | 'malformed JSON' | 'malformed payload' | 'payload too large' | 'repository not added';

export interface RepositoryRef {
  readonly uuid: string;
  readonly fullName: string;
}

/** One line of the events log. Never holds a body or a secret. */
export interface DeliveryEvent {
  readonly kind: 'delivery';
  readonly at: string;
  readonly requestUuid: string;
  readonly attempt: number | undefined;
  readonly hookUuid: string | undefined;
  readonly eventKey: string | undefined;
  readonly repository: RepositoryRef | undefined;
  /** `failed`: the delivery was claimed but could not be queued; answered 500, so Bitbucket retries it. */
  readonly outcome: DeliveryOutcome['outcome'] | 'failed';
  readonly reason: string;
  readonly bodySha256: string | undefined;
  readonly attributed: boolean;
  /** Set on a queued delivery's line, so that the line can be corrected if the enqueue fails. */
  readonly eventId?: string;
}

/** What accepting a delivery needs from the outside world. */
export interface DeliveryPorts extends AcceptedDeliveries, SyncRequestQueue {
  /** Current secret first, then the previous one during a rotation. */
  getWebhookSecrets(): Promise<readonly string[]>;
  /** The added repository with this uuid, or undefined. */
  findRepository(uuid: string): Promise<RepositoryRef | undefined>;
  /** Adds the delivery's line to the events log (or replaces the line with the same `eventId`). */
  recordEvent(event: DeliveryEvent): Promise<void>;
  /** Counts the delivery on its minute's line of like ones: for forged deliveries, which may come in floods. */
  countEvent(event: DeliveryEvent): Promise<void>;
}

/** Bitbucket keeps its payloads under 256 KB; anything larger is not a delivery we should process. */
export const MAX_BODY_BYTES = 256 * 1024;
export const PUSH_EVENT_KEY = 'repo:push';

/**
 * Decides what to do with one webhook delivery and does it: verify the signature over the raw bytes, check size
 * and shape, filter events, match the repository by uuid, claim the body against replays, enqueue one sync
 * request, and log the outcome. The events log gets a line for every delivery (forged ones counted per minute).
 *
 * A push costs one DynamoDB round trip before the SendMessage (the claim, which checks and records the body hash
 * at once) and one beside it (the events-log line). If the SendMessage fails, the claim is released and the line
 * says so, and the error answers 500: Bitbucket's retry is then queued, not taken for a replay. A webhook secret that
 * cannot be read throws {@link WebhookSecretUnavailableError}; counting a forged delivery never throws.
 */
export async function acceptDelivery(delivery: Delivery, ports: DeliveryPorts): Promise<DeliveryOutcome> {
  let hash: string | undefined;
  // Hashed once, and only when needed: an unsigned body is never hashed beyond its HMAC check.
  const bodySha256 = () => (hash ??= sha256(delivery.rawBody));
  const decision = await decide(delivery, bodySha256, ports);
  const { outcome } = decision;
  const event = deliveryEvent(delivery, outcome, bodySha256);
  if (outcome.outcome === 'rejected' && outcome.reason === 'invalid signature') return countForged(outcome, event, ports);
  if (!('enqueue' in decision)) await ports.recordEvent(event);
  else await enqueueAndRecord(decision.enqueue, { ...event, eventId: decision.enqueue.claimId }, ports);
  return outcome;
}

/**
 * Counts a forged delivery, best effort: a flood of them may throttle its minute's line, and a write that fails is
 * no reason to answer 500 (which Bitbucket does not need, and which would raise the 5xx alarm on unsigned traffic).
 */
async function countForged(
  outcome: Extract<DeliveryOutcome, { outcome: 'rejected' }>,
  event: DeliveryEvent,
  ports: DeliveryPorts,
): Promise<DeliveryOutcome> {
  try {
    await ports.countEvent(event);
    return outcome;
  } catch (error) {
    return { ...outcome, notCounted: errorName(error) };
  }
}

/** A claimed push, ready to be queued. */
interface PendingEnqueue {
  readonly request: SyncRequest;
  readonly options: { groupId: string; deduplicationId: string };
  readonly bodySha256: string;
  readonly claimId: string;
}

type Decision = { outcome: DeliveryOutcome } | { outcome: DeliveryOutcome & { outcome: 'queued' }; enqueue: PendingEnqueue };

/** Sends the claimed request and writes its events-log line at the same time; undoes the claim if the send fails. */
async function enqueueAndRecord(pending: PendingEnqueue, event: DeliveryEvent, ports: DeliveryPorts): Promise<void> {
  const [sent, recorded] = await Promise.allSettled([ports.enqueue(pending.request, pending.options), ports.recordEvent(event)]);
  if (sent.status === 'rejected') {
    const failure = { ...event, outcome: 'failed' as const, reason: `not queued (${errorName(sent.reason)}); Bitbucket retries` };
    // Both best effort: the send's error is what the handler logs and answers 500 for. Should the release fail
    // too, the retry is answered "duplicate" and the next scheduled reconciliation syncs the push.
    await Promise.allSettled([ports.releaseAccepted(pending.bodySha256, pending.claimId), ports.recordEvent(failure)]);
    throw sent.reason;
  }
  // Queued but not logged: answer 500 all the same. The claim stays, so the retry is logged as a duplicate.
  if (recorded.status === 'rejected') throw recorded.reason;
}

/** The events-log line of a delivery. */
function deliveryEvent(delivery: Delivery, outcome: DeliveryOutcome, bodySha256: () => string): DeliveryEvent {
  const { headers } = delivery;
  return {
    kind: 'delivery',
    at: delivery.receivedAt.toISOString(),
    requestUuid: requestUuidOf(delivery),
    attempt: attemptOf(delivery),
    hookUuid: cleanHeader(headers['x-hook-uuid']),
    eventKey: cleanHeader(headers['x-event-key']),
    repository: outcome.repository,
    outcome: outcome.outcome,
    reason: outcome.outcome === 'rejected' && outcome.detail ? `${outcome.reason}: ${outcome.detail}` : outcome.reason,
    // Only for signed bodies: the hash of an unsigned body is attacker-chosen noise.
    bodySha256: outcome.outcome === 'rejected' && outcome.reason === 'invalid signature' ? undefined : bodySha256(),
    // Events of repositories nobody added go with the hub's unattributed ones, where an admin looks.
    attributed: !(
      (outcome.outcome === 'rejected' && outcome.reason === 'repository not added') ||
      (outcome.outcome === 'ignored' && outcome.repositoryAdded === false)
    ),
  };
}

async function decide(delivery: Delivery, bodySha256: () => string, ports: DeliveryPorts): Promise<Decision> {
  const { rawBody, headers } = delivery;
  const secrets = await ports.getWebhookSecrets().catch((cause: unknown) => {
    throw new WebhookSecretUnavailableError({ cause });
  });
  if (!verifySignature(secrets, rawBody, headers['x-hub-signature']))
    return { outcome: { outcome: 'rejected', reason: 'invalid signature' } };
  if (rawBody.length > MAX_BODY_BYTES) return { outcome: { outcome: 'rejected', reason: 'payload too large' } };

  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { outcome: { outcome: 'rejected', reason: 'malformed JSON' } };
  }
  const eventKey = headers['x-event-key'];
  if (eventKey !== PUSH_EVENT_KEY)
    return { outcome: { outcome: 'ignored', reason: `event ${cleanHeader(eventKey) ?? '(none)'} is not ${PUSH_EVENT_KEY}` } };

  const parsed = parsePushEvent(body);
  if (!parsed.ok) return { outcome: { outcome: 'rejected', reason: 'malformed payload', detail: parsed.problem } };
  const { push } = parsed;
  const added = await ports.findRepository(push.repository.uuid);
  const ignoreReason = reasonToIgnore(push);
  if (ignoreReason)
    return { outcome: { outcome: 'ignored', reason: ignoreReason, repository: push.repository, repositoryAdded: added !== undefined } };

  if (!added) return { outcome: { outcome: 'rejected', reason: 'repository not added', repository: push.repository } };
  // The payload's name is current (renames keep the uuid); prefer it over the stored one.
  const repository = { uuid: added.uuid, fullName: push.repository.fullName };

  // One conditional write checks and claims the body: of concurrent deliveries of one body, only one gets past.
  const claimId = randomUUID();
  if (!(await ports.claimAccepted(bodySha256(), { at: delivery.receivedAt, claimId })))
    return { outcome: { outcome: 'duplicate', reason: 'duplicate', repository } };

  const request: SyncRequest = {
    version: 1,
    trigger: 'push',
    repository: { ...repository, ...(push.workspaceUuid ? { workspaceUuid: push.workspaceUuid } : {}) },
    changes: branchUpdates(push).slice(0, MAX_CHANGES_IN_MESSAGE),
    requestUuid: requestUuidOf(delivery),
    attempt: attemptOf(delivery),
    requestedAt: delivery.receivedAt.toISOString(),
  };
  return {
    outcome: { outcome: 'queued', reason: 'queued', repository },
    // SQS drops a second send with the same id within 5 minutes: a retry racing a release is queued once.
    enqueue: { request, options: { groupId: repository.uuid, deduplicationId: bodySha256() }, bodySha256: bodySha256(), claimId },
  };
}

/** The name of an error, never its message: messages of AWS errors may name resources. */
function errorName(error: unknown): string {
  return (error instanceof Error && /^[\w.-]{1,64}$/.test(error.name) && error.name) || 'error';
}

/** X-Attempt-Number as a number, when it is one. */
function attemptOf(delivery: Pick<Delivery, 'headers'>): number | undefined {
  const attempt = Number.parseInt(delivery.headers['x-attempt-number'] ?? '', 10);
  return Number.isFinite(attempt) ? attempt : undefined;
}

/** X-Request-UUID when it looks like one; otherwise a marker, so a hostile header never reaches the logs raw. */
export function requestUuidOf(delivery: Pick<Delivery, 'headers'>): string {
  return cleanHeader(delivery.headers['x-request-uuid']) ?? 'none';
}

function cleanHeader(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  // Headers end up in logs and the events log: keep them short and printable.
  const printable = value.replace(/[^\x20-\x7e]/g, '?').slice(0, 128);
  return printable.length > 0 ? printable : undefined;
}

function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
