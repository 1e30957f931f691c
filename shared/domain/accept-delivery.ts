// What the verifier decides about one webhook delivery (signature, replay, filter, enqueue), kept free of
// API Gateway and AWS so it is tested directly.
import { createHash } from 'node:crypto';
import type { AcceptedDeliveries, SyncRequestQueue } from './ports';
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
  | { outcome: 'rejected'; reason: RejectionReason; repository?: RepositoryRef; detail?: string };

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
  readonly outcome: DeliveryOutcome['outcome'];
  readonly reason: string;
  readonly bodySha256: string | undefined;
  readonly attributed: boolean;
}

/** What accepting a delivery needs from the outside world. */
export interface DeliveryPorts extends AcceptedDeliveries, SyncRequestQueue {
  /** Current secret first, then the previous one during a rotation. */
  getWebhookSecrets(): Promise<readonly string[]>;
  /** The added repository with this uuid, or undefined. */
  findRepository(uuid: string): Promise<RepositoryRef | undefined>;
  recordEvent(event: DeliveryEvent): Promise<void>;
}

/** Bitbucket keeps its payloads under 256 KB; anything larger is not a delivery we should process. */
export const MAX_BODY_BYTES = 256 * 1024;
export const PUSH_EVENT_KEY = 'repo:push';

/**
 * Decides what to do with one webhook delivery and does it: verify the signature over the raw bytes, check size
 * and shape, filter events, match the repository by uuid, drop replays, enqueue one sync request, and log the
 * outcome. The events log gets a line for every delivery, including rejected ones (without their body).
 */
export async function acceptDelivery(delivery: Delivery, ports: DeliveryPorts): Promise<DeliveryOutcome> {
  let hash: string | undefined;
  // Hashed once, and only when needed: an unsigned body is never hashed beyond its HMAC check.
  const bodySha256 = () => (hash ??= sha256(delivery.rawBody));
  const outcome = await decide(delivery, bodySha256, ports);
  const { headers } = delivery;
  await ports.recordEvent({
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
  });
  return outcome;
}

async function decide(delivery: Delivery, bodySha256: () => string, ports: DeliveryPorts): Promise<DeliveryOutcome> {
  const { rawBody, headers } = delivery;
  const secrets = await ports.getWebhookSecrets();
  if (!verifySignature(secrets, rawBody, headers['x-hub-signature'])) return { outcome: 'rejected', reason: 'invalid signature' };
  if (rawBody.length > MAX_BODY_BYTES) return { outcome: 'rejected', reason: 'payload too large' };

  let body: unknown;
  try {
    body = JSON.parse(rawBody.toString('utf8'));
  } catch {
    return { outcome: 'rejected', reason: 'malformed JSON' };
  }
  const eventKey = headers['x-event-key'];
  if (eventKey !== PUSH_EVENT_KEY)
    return { outcome: 'ignored', reason: `event ${cleanHeader(eventKey) ?? '(none)'} is not ${PUSH_EVENT_KEY}` };

  const parsed = parsePushEvent(body);
  if (!parsed.ok) return { outcome: 'rejected', reason: 'malformed payload', detail: parsed.problem };
  const { push } = parsed;
  const added = await ports.findRepository(push.repository.uuid);
  const ignoreReason = reasonToIgnore(push);
  if (ignoreReason) return { outcome: 'ignored', reason: ignoreReason, repository: push.repository, repositoryAdded: added !== undefined };

  if (!added) return { outcome: 'rejected', reason: 'repository not added', repository: push.repository };
  // The payload's name is current (renames keep the uuid); prefer it over the stored one.
  const repository = { uuid: added.uuid, fullName: push.repository.fullName };

  if (await ports.wasAccepted(bodySha256())) return { outcome: 'duplicate', reason: 'duplicate', repository };

  await ports.enqueue(
    {
      version: 1,
      trigger: 'push',
      repository,
      changes: branchUpdates(push).slice(0, MAX_CHANGES_IN_MESSAGE),
      requestUuid: requestUuidOf(delivery),
      attempt: attemptOf(delivery),
      requestedAt: delivery.receivedAt.toISOString(),
    },
    // SQS drops a second send with the same id within 5 minutes, covering concurrent retries of one body.
    { groupId: repository.uuid, deduplicationId: bodySha256() },
  );
  await ports.rememberAccepted(bodySha256(), delivery.receivedAt);
  return { outcome: 'queued', reason: 'queued', repository };
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
