// The one error the git source throws: a reason the caller can log and act on (fall back to REST), with a
// message that never carries the access token.

/** Why a git fetch failed. */
export type GitFetchFailure =
  /** 401/403, or a refused token: replace the token (REST will likely fail the same way). */
  | 'unauthorized'
  /** 404: no such repository or branch over git. */
  | 'not-found'
  /** No connection: DNS, refused, reset. */
  | 'unreachable'
  /** A request timed out (no answer, or a silence in it, longer than the request timeout). */
  | 'timeout'
  /** The caller's deadline came: nothing more is sent, and no attempt is made again in this invocation. */
  | 'deadline'
  /** The pack is over the fetch's budget (see `PackLimits`): fetching it again would end the same way. */
  | 'too-large'
  /** The server answered 429 or 5xx. */
  | 'unavailable'
  /** The server spoke something else than git smart HTTP, or the pack was unreadable. */
  | 'protocol';

/** A git smart-HTTP fetch (or reading what it fetched) failed. */
export class GitFetchError extends Error {
  /** HTTP status of the answer behind the failure, when there was one. */
  readonly status?: number;

  constructor(
    readonly reason: GitFetchFailure,
    message: string,
    options: { status?: number } = {},
  ) {
    super(message);
    this.name = 'GitFetchError';
    if (options.status !== undefined) this.status = options.status;
  }

  /** Whether trying the same fetch again could succeed. */
  get transient(): boolean {
    return this.reason === 'unreachable' || this.reason === 'timeout' || this.reason === 'unavailable';
  }
}

/** `text` with every secret replaced (raw, base64 of the Basic credentials, URL-encoded) and URL credentials dropped. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text.replace(/(\w+:\/\/)[^/@\s]+@/g, '$1');
  for (const secret of secrets) {
    if (!secret) continue;
    for (const form of [secret, encodeURIComponent(secret), Buffer.from(secret).toString('base64').replace(/=+$/, '')]) {
      out = out.split(form).join('[redacted]');
    }
  }
  return out;
}
