// The admin API's wire contract for repositories (docs/ADMIN-API.md): the add flow's workspace listing, adding,
// listing, showing, updating, removing and syncing. Part of shared/admin/api-types.ts, which re-exports it.
import type { ErrorBody, WithMessages } from './api-types';

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
  /** What a verification found (`verify`): no-drift, drift (repaired) or not-verified, and counts. */
  readonly verification?: {
    readonly status: 'no-drift' | 'drift' | 'not-verified';
    readonly reason?: string;
    readonly commit?: string;
    readonly models: number;
    readonly repaired: number;
    readonly uncompared: number;
  };
}

export interface SyncCountsJson {
  readonly added: number;
  readonly updated: number;
  readonly removed: number;
  readonly renamed: number;
  readonly invalid: number;
  /** Models over the size limit, listed but not downloadable, and named like models but not files. */
  readonly tooLarge?: number;
  readonly missing?: number;
  readonly skipped?: number;
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
