// The admin API's wire contract (docs/ADMIN-API.md): the JSON every route of /gateway/admin/v1 takes and returns,
// typed once so the admin function, its tests and the console are compiled against the same shapes. Types only.

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
// Workspace listing (the add flow)

/** POST /workspace-repositories, body: the token travels in the body, never in a URL; it is not stored by this call. */
export interface WorkspaceRepositoriesRequest {
  readonly workspace: string;
  readonly token: string;
  /** Optional glob on the slug (`models-*`); the console may as well filter the full list as the admin types. */
  readonly match?: string;
}

export interface WorkspaceCandidate {
  readonly uuid: string;
  readonly fullName: string;
  readonly slug: string;
  readonly name: string;
  readonly mainBranch: string | null;
  /** Added to the hub already (by uuid). */
  readonly added: boolean;
}

/** POST /workspace-repositories → 200 */
export interface WorkspaceRepositoriesResponse extends WithMessages {
  readonly workspace: string;
  /** Sorted by slug. */
  readonly repositories: readonly WorkspaceCandidate[];
}

// ---------------------------------------------------------------------------------------------------------------
// Repositories

export type RepositoryStatus = 'pending' | 'syncing' | 'synced' | 'failed' | 'rate-limited' | 'empty' | 'blocked';

/** One repository of GET /repositories (`repo list --json`). */
export interface RepositoryListingJson {
  readonly repository: string;
  readonly uuid: string;
  readonly branch: string | null;
  readonly syncedCommit: string | null;
  readonly status: RepositoryStatus | string;
  readonly lastSyncAt: string | null;
  readonly models: number;
  readonly modelPattern: string;
  readonly reason?: string;
  readonly progress?: { readonly done: number; readonly total: number };
}

/** GET /repositories */
export interface RepositoriesResponse {
  readonly repositories: readonly RepositoryListingJson[];
}

/** POST /repositories, body: one or several `workspace/slug` readable with one token (stored once, shared). */
export interface AddRepositoriesRequest {
  readonly repositories: readonly string[];
  readonly token: string;
  /** gitignore-style pattern of model files. @default "*.hck.json" */
  readonly pattern?: string;
  /** Create (or update) each repository's repo:push webhook to the hub. @default true */
  readonly createWebhook?: boolean;
  /** Webhook URL instead of the hub's (a tunnel to a local hub). */
  readonly webhookUrl?: string;
}

/** One repository of an add. */
export interface AddResultJson {
  readonly repository: string;
  readonly uuid: string | null;
  /** added (its initial full sync is queued), already-added (skipped: update its token instead), failed (see error). */
  readonly result: 'added' | 'already-added' | 'failed';
  readonly error?: ErrorBody['error'];
  readonly webhook?: { readonly action: string; readonly uuid: string; readonly url: string } | null;
  /** Follow it with GET /repositories/{uuid}/syncs/{requestUuid}. */
  readonly sync?: { readonly requestUuid: string; readonly outcome: 'queued' } | null;
}

/** POST /repositories → 200 (each repository's own result; failures of some do not undo the others). */
export interface AddRepositoriesResponse extends WithMessages {
  readonly results: readonly AddResultJson[];
}

/** The hub's webhook of a repository as Bitbucket has it now. */
export interface WebhookCheckJson {
  readonly state: 'present' | 'missing' | 'unknown';
  readonly uuid?: string;
  readonly url?: string;
  readonly active?: boolean;
  readonly events?: readonly string[];
  readonly secretSet?: boolean;
  readonly urlMatches?: boolean;
  readonly eventsMatch?: boolean;
  readonly error?: string;
}

/** GET /repositories/{uuid} (`repo show --json`) */
export interface RepositoryDetailsResponse {
  readonly repository: string;
  readonly uuid: string;
  readonly workspaceUuid: string | null;
  readonly modelPattern: string;
  readonly addedAt: string | null;
  readonly generation: string | null;
  readonly token: {
    readonly tokenId: string | null;
    readonly secretName: string;
    readonly stored: boolean;
    readonly sharedWith: readonly string[];
  };
  readonly webhook: WebhookCheckJson;
  readonly sync: RepositoryListingJson;
  readonly models: { readonly total: number; readonly byStatus: Readonly<Record<string, number>> };
  readonly lastRuns: ReadonlyArray<{
    readonly time: string;
    readonly outcome: string | null;
    readonly commits: string | null;
    readonly models: string | null;
    readonly reason: string | null;
  }>;
}

/** PATCH /repositories/{uuid}, body: a new model pattern and/or a new access token (at least one). */
export interface UpdateRepositoryRequest {
  readonly pattern?: string;
  readonly token?: string;
}

/** PATCH /repositories/{uuid} → 200 */
export interface UpdateRepositoryResponse extends WithMessages {
  readonly repository: RepositoryListingJson;
  /** With a token: the repositories now using it, and those keeping the previous one (it cannot read them). */
  readonly token: { readonly updated: readonly string[]; readonly kept: readonly string[] } | null;
  /** With a pattern: the sync that re-selects the models. */
  readonly sync: { readonly requestUuid: string } | null;
}

/** POST /repositories/{uuid}/remove, body: `confirm` must repeat the repository's `workspace/slug`. */
export interface RemoveRepositoryRequest {
  readonly confirm: string;
  readonly keepModels?: boolean;
  readonly keepWebhook?: boolean;
}

/** POST /repositories/{uuid}/remove → 200 */
export interface RemoveRepositoryResponse extends WithMessages {
  readonly repository: string;
  readonly uuid: string;
  /** Stored items of its models deleted; null when kept. */
  readonly modelItemsDeleted: number | null;
  readonly tokenDeleted: boolean;
  /** Hub webhooks deleted in Bitbucket; null when kept or they could not be deleted (see messages). */
  readonly webhooksDeleted: number | null;
}

/** POST /repositories/{uuid}/sync, body: "Synchronize recent changes / entire repository / from commit hash". */
export interface SyncRequestBody {
  /** @default "recent" */
  readonly mode?: 'recent' | 'entire' | 'from-commit';
  /** With mode from-commit: 7 to 40 hexadecimal characters. */
  readonly fromCommit?: string;
  /** Then compare every stored model with the head's tree and repair differences. */
  readonly verify?: boolean;
}

/** POST /repositories/{uuid}/sync and /verify → 202 */
export interface SyncQueuedResponse extends WithMessages {
  readonly repository: string;
  readonly uuid: string;
  readonly requestUuid: string;
  readonly requestedAt: string;
}

/** A sync run's result, as `sync --json` prints it. */
export interface SyncResultJson {
  readonly outcome: string;
  readonly reason?: string;
  readonly branch?: string;
  readonly commit?: string;
  readonly mode?: string;
  readonly counts?: SyncCountsJson;
  readonly files?: number;
  readonly verification?: Readonly<Record<string, unknown>>;
}

export interface SyncCountsJson {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly renamed: number;
  readonly invalid: number;
  readonly [other: string]: number;
}

/** GET /repositories/{uuid}/syncs/{requestUuid}: a queued sync, followable across page reloads. */
export interface SyncStatusResponse {
  readonly repository: string;
  readonly uuid: string;
  readonly requestUuid: string;
  /** queued (no run yet), running (a run started or continues), finished (synced, up-to-date, no-branch), failed (see error). */
  readonly state: 'queued' | 'running' | 'finished' | 'failed';
  /** Files done / total of the repository's running sync, when it runs. */
  readonly progress: { readonly done: number; readonly total: number; readonly mode: string; readonly toCommit: string } | null;
  readonly result: SyncResultJson | null;
  readonly error: ErrorBody['error'] | null;
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
