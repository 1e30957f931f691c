// The admin API's wire contract (docs/ADMIN-API.md): the JSON every route of /gateway/admin/v1 takes and returns,
// typed once so the admin function, its tests and the console are compiled against the same shapes. Types only.

export * from './api-types-repositories';
import type { RepositoryStatus, SyncCountsJson } from './api-types-repositories';

/** Base path of every admin route. */
export const ADMIN_API_BASE_PATH = '/gateway/admin/v1';
/** Header carrying the session's CSRF token on every state-changing call of a local (cookie) session. */
export const CSRF_HEADER = 'x-csrf-token';

// ---------------------------------------------------------------------------------------------------------------
// Errors

/**
 * Machine-readable error codes, with their HTTP status: invalid-request 400, unauthenticated 401, forbidden 403,
 * not-found 404, conflict 409 (state forbids it now: a rotation in progress, a wait not over), payload-too-large 413,
 * unsupported-media-type 415, bitbucket-refused 422 (Bitbucket refused the token or has no such repository),
 * upstream-unavailable 502 (AWS or Bitbucket could not be reached), failed 500 (anything else).
 */
export type AdminErrorCode =
  | 'invalid-request'
  | 'unauthenticated'
  | 'forbidden'
  | 'not-found'
  | 'conflict'
  | 'payload-too-large'
  | 'unsupported-media-type'
  | 'bitbucket-refused'
  | 'upstream-unavailable'
  | 'failed';

/** Every non-2xx answer: what went wrong, what to do next (CLI wording), and a code. Never a stack trace. */
export interface ErrorBody {
  readonly error: {
    readonly message: string;
    readonly hint?: string;
    readonly code: AdminErrorCode;
    /** On `conflict` answers that end by waiting (the verifiers' secret cache): seconds to wait. */
    readonly retryAfterSeconds?: number;
  };
}

/** State-changing answers carry the CLI's progress notes, in its wording, in the order they happened. */
export interface WithMessages {
  readonly messages: readonly string[];
}

// ---------------------------------------------------------------------------------------------------------------
// Session

/** GET /session */
export interface SessionResponse {
  /** Who is signed in: `local user <name>` locally, the JWT's email / username / sub deployed. */
  readonly user: string;
  /** `local` (cookie session opened by the login URL) or `jwt` (deployed, bearer token). */
  readonly via: 'local' | 'jwt';
  /** Send as `X-CSRF-Token` on every POST/PATCH/DELETE; null for bearer-token (JWT) sessions, which need none. */
  readonly csrfToken: string | null;
  /** When the session ends (ISO); null when the token's own expiry rules. */
  readonly expiresAt: string | null;
  readonly hub: { readonly kind: 'local' | 'aws'; readonly description: string };
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboard

/** A sync run of recent commit activity. */
export interface ActivityEntry {
  readonly time: string;
  readonly repository: string;
  readonly repositoryUuid: string;
  readonly outcome: string | null;
  readonly branch: string | null;
  readonly fromCommit: string | null;
  readonly toCommit: string | null;
  readonly counts: SyncCountsJson | null;
  readonly requestUuid: string | null;
}

/** GET /dashboard */
export interface DashboardResponse {
  readonly providers: {
    /** 1 when the Bitbucket Cloud provider is set up (a webhook secret exists), else 0. */
    readonly configured: number;
    readonly bitbucketCloud: { readonly secretSet: boolean; readonly rotationInProgress: boolean; readonly webhookUrl: string };
  };
  readonly repositories: { readonly total: number; readonly byStatus: Readonly<Record<RepositoryStatus, number>> };
  /** The repository whose models changed last (the newest run that committed changes), or null. */
  readonly lastCommitted: ActivityEntry | null;
  /** Newest first, at most 20 runs that synced something. */
  readonly recentActivity: readonly ActivityEntry[];
}

// ---------------------------------------------------------------------------------------------------------------
// Provider (Bitbucket Cloud: webhook URL and webhook secret)

/** A stored access token: never its value. */
export interface StoredTokenJson {
  /** Null for a token stored under a repository's uuid (older layout). */
  readonly tokenId: string | null;
  readonly secretName: string;
  /** The repositories reading Bitbucket with it (a workspace or project token serves several). */
  readonly repositories: readonly string[];
}

/** GET /provider (`provider show --json`) */
export interface ProviderResponse {
  readonly provider: 'bitbucket-cloud';
  readonly hub: string;
  readonly webhookUrl: string;
  readonly webhookEvents: readonly string[];
  readonly webhookSecretId: string;
  readonly secretSet: boolean;
  readonly rotation: {
    readonly inProgress: boolean;
    readonly since: string | null;
    /** When every verifier has re-read the new secret: update-webhooks / finish-rotation are safe from then on. */
    readonly safeAfter: string | null;
  };
  readonly bitbucketApiUrl: string;
  readonly repositories: number;
  readonly tokens: readonly StoredTokenJson[];
}

/** POST /provider/rotate-secret → 200. `secret` is the only secret the API ever returns, once. */
export interface RotateSecretResponse extends WithMessages {
  readonly secret: string;
  readonly rotatedAt: string;
  readonly previousAccepted: boolean;
  /** Call update-webhooks after this time (the verifiers' secret cache). */
  readonly safeAfter: string;
}

/** POST /provider/update-webhooks, body; `skipCacheWait` only when every verifier restarted since the rotation. */
export interface UpdateWebhooksRequest {
  readonly skipCacheWait?: boolean;
}

/** What update-webhooks did for one repository. */
export interface WebhookUpdateJson {
  readonly repository: string;
  readonly result: 'updated' | 'missing' | 'failed';
  readonly error?: string;
}

/** POST /provider/update-webhooks → 200 (409 `conflict` with retryAfterSeconds while the safe wait runs). */
export interface UpdateWebhooksResponse extends WithMessages {
  readonly webhooks: readonly WebhookUpdateJson[];
  /** Set when some webhook could not be updated: do not finish the rotation. */
  readonly problem: ErrorBody['error'] | null;
}

/** POST /provider/finish-rotation, body. */
export interface FinishRotationRequest {
  readonly force?: boolean;
}

/** POST /provider/finish-rotation → 200 */
export interface FinishRotationResponse extends WithMessages {
  readonly finished: true;
}

// ---------------------------------------------------------------------------------------------------------------
// Tokens

/** GET /tokens */
export interface TokensResponse {
  readonly tokens: readonly StoredTokenJson[];
}

// ---------------------------------------------------------------------------------------------------------------
// Events

/** One event (`events --json`). */
export interface EventListingJson {
  readonly time: string;
  /** delivery, sync or admin */
  readonly kind: string;
  readonly repository: string | null;
  readonly outcome: string | null;
  readonly reason: string | null;
  readonly requestUuid: string | null;
  readonly count: number;
  readonly removed?: boolean;
  readonly details: Readonly<Record<string, unknown>>;
}

/** GET /events?repository=&since=&failed=&kind=&limit= */
export interface EventsResponse {
  readonly events: readonly EventListingJson[];
}

/** GET /events/requests/{requestUuid}?repository=<uuid>: every event of one request (delivery, runs, admin action). */
export interface RequestEventsResponse {
  readonly requestUuid: string;
  readonly events: readonly EventListingJson[];
}

// ---------------------------------------------------------------------------------------------------------------
// Dead-letter queue

export interface DeadLetterJson {
  readonly messageId: string;
  readonly repository: string | null;
  readonly repositoryUuid: string | null;
  readonly trigger: string | null;
  readonly requestUuid: string | null;
  readonly requestedAt: string | null;
  readonly receiveCount: number | null;
  readonly sentAt: string | null;
  readonly attempts: number;
  readonly lastReason: string | null;
}

/** GET /dlq */
export interface DeadLettersResponse {
  readonly messages: readonly DeadLetterJson[];
  /** Messages in flight (not receivable now) when none is listed. */
  readonly inFlight: number;
}

/** POST /dlq/redrive, body. */
export interface RedriveRequest {
  /** Only this repository's messages (uuid). */
  readonly repository?: string;
}

/** POST /dlq/redrive → 200 */
export interface RedriveResponse extends WithMessages {
  readonly moved: number;
  /** The messages moved back to the sync queue. */
  readonly redriven: ReadonlyArray<Omit<DeadLetterJson, 'attempts' | 'lastReason'>>;
}
