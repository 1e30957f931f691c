/**
 * Base class of every error the Bitbucket client throws.
 *
 * Messages name the repository and the HTTP status but never the access token; `status` is absent for
 * network failures and for limits the client enforces itself.
 */
export class BitbucketError extends Error {
  /** HTTP status of the answer that caused the error, when there was one. */
  readonly status?: number;
  /** `workspace/repo_slug` the request was about, when known. */
  readonly repository?: string;

  constructor(message: string, options: { status?: number; repository?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'BitbucketError';
    if (options.status !== undefined) this.status = options.status;
    if (options.repository !== undefined) this.repository = options.repository;
  }
}

/** What the token-creation page calls each scope, so messages say which box to tick. */
const SCOPE_LABELS: Record<string, string> = { repository: 'Repositories: Read', webhook: 'Webhooks: Read and write' };

/**
 * Bitbucket answered 401 or 403: the access token is invalid, expired, revoked or lacks a scope (by default
 * `repository`; webhook calls need `webhook`). Retrying cannot help; the token has to be replaced.
 */
export class BitbucketAuthError extends BitbucketError {
  /** The scope the refused request needs. */
  readonly scope: string;
  /** Scopes Bitbucket said were missing (`error.detail.required` of a 403), when it said so. */
  readonly missingScopes?: string[];

  constructor(repository: string, status: number, options: { scope?: string; required?: string[] } = {}) {
    const scope = options.scope ?? 'repository';
    const needs = (name: string) => `"${name}"${SCOPE_LABELS[name] ? ` (${SCOPE_LABELS[name]})` : ''}`;
    const detail = options.required
      ? `the access token lacks the scope ${options.required.map(needs).join(', ')}`
      : `the access token is invalid, expired or lacks a scope (it needs ${scope === 'repository' ? '"repository" read access' : needs(scope)})`;
    super(`Bitbucket rejected the access token for repository ${repository} (HTTP ${status}): ${detail}.`, { status, repository });
    this.name = 'BitbucketAuthError';
    this.scope = scope;
    if (options.required) this.missingScopes = options.required;
  }
}

/** Bitbucket answered 404: the repository, branch, commit or path does not exist (or is no longer reachable). */
export class BitbucketNotFoundError extends BitbucketError {
  constructor(message: string, repository?: string) {
    super(message, { status: 404, ...(repository === undefined ? {} : { repository }) });
    this.name = 'BitbucketNotFoundError';
  }
}

/**
 * Bitbucket kept answering 429, or asked for a wait longer than the client may spend in-process.
 *
 * `retryAfterMs` is how long the caller should park the work before trying again: Bitbucket's `Retry-After`
 * when it sent one, otherwise the client's estimate.
 */
export class BitbucketRateLimitedError extends BitbucketError {
  /** Suggested wait before retrying, in milliseconds. */
  readonly retryAfterMs: number;

  constructor(repository: string | undefined, retryAfterMs: number, resource?: string) {
    super(
      `Bitbucket rate limit exceeded${resource ? ` for resource "${resource}"` : ''}${repository ? ` (repository ${repository})` : ''}; retry in about ${Math.ceil(retryAfterMs / 1000)} s.`,
      { status: 429, ...(repository === undefined ? {} : { repository }) },
    );
    this.name = 'BitbucketRateLimitedError';
    this.retryAfterMs = retryAfterMs;
  }
}

/**
 * Bitbucket answered 555: generating the diffstat (or a deep directory listing) timed out. Retrying the same
 * request does not help; fall back to smaller work (e.g. a full listing of the new commit).
 */
export class BitbucketDiffTooLargeError extends BitbucketError {
  constructor(repository: string, what: string) {
    super(`Bitbucket could not compute ${what} for repository ${repository} in time (HTTP 555).`, { status: 555, repository });
    this.name = 'BitbucketDiffTooLargeError';
  }
}

/** A file download exceeded the client's `maxFileBytes`; the download was aborted. */
export class BitbucketFileTooLargeError extends BitbucketError {
  /** The limit that was exceeded, in bytes. */
  readonly maxBytes: number;
  /** The size Bitbucket announced (`Content-Length`), when it did. */
  readonly declaredSize: number | undefined;

  constructor(repository: string, path: string, maxBytes: number, declaredSize?: number) {
    super(`File ${JSON.stringify(path)} in repository ${repository} is larger than the limit of ${maxBytes} bytes.`, { repository });
    this.name = 'BitbucketFileTooLargeError';
    this.maxBytes = maxBytes;
    this.declaredSize = declaredSize;
  }
}

/**
 * Bitbucket kept failing with 5xx, timeouts or dropped connections for every attempt. Transient by nature:
 * the caller may retry the whole unit of work later.
 */
export class BitbucketUnavailableError extends BitbucketError {
  /** How many attempts were made before giving up. */
  readonly attempts: number;

  constructor(message: string, options: { status?: number; repository?: string; attempts: number; cause?: unknown }) {
    super(message, options);
    this.name = 'BitbucketUnavailableError';
    this.attempts = options.attempts;
  }
}

/**
 * The caller's deadline (the invocation's remaining time minus its safety margin) came before Bitbucket's
 * answer, or leaves no time for another attempt or wait. Not retried: the caller stops and goes on later.
 */
export class BitbucketDeadlineError extends BitbucketError {
  constructor(repository: string, what: string, options: { cause?: unknown } = {}) {
    super(`No time left before the deadline to fetch ${what} in repository ${repository}.`, { repository, ...options });
    this.name = 'BitbucketDeadlineError';
  }
}
