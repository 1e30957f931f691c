// The admin layer's error vocabulary, shared by the CLI and the admin API: what went wrong, what to do next, and
// a code (the API's HTTP status, the CLI's exit code: 1 failure, 2 usage error).
import { MalformedWebhookSecretError, SecretScheduledForDeletionError } from '../aws/errors';
import type { AdminErrorCode } from './api-types';

/** Options of an {@link AdminError}. */
export interface AdminErrorOptions {
  hint?: string;
  /** @default 'invalid-request' for exit code 2, else 'failed' */
  code?: AdminErrorCode;
  exitCode?: 1 | 2;
  /** On a `conflict` that ends by waiting. */
  retryAfterSeconds?: number;
  cause?: unknown;
}

/**
 * A failure explained to the admin: `message` says what went wrong, `hint` what to do next. The CLI exits with code
 * 1 (failure) unless it is a usage error (2); the API answers the status of `code`.
 */
export class AdminError extends Error {
  readonly exitCode: 1 | 2;
  readonly code: AdminErrorCode;
  readonly hint?: string;
  readonly retryAfterSeconds?: number;

  constructor(message: string, options: AdminErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AdminError';
    this.exitCode = options.exitCode ?? (options.code === 'invalid-request' ? 2 : 1);
    this.code = options.code ?? (this.exitCode === 2 ? 'invalid-request' : 'failed');
    if (options.hint !== undefined) this.hint = options.hint;
    if (options.retryAfterSeconds !== undefined) this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** A usage error (exit code 2, `invalid-request`): the command line or the request itself is wrong. */
export function usageError(message: string, hint?: string): AdminError {
  return new AdminError(message, { exitCode: 2, ...(hint === undefined ? {} : { hint }) });
}

/** Node's codes for a network that did not carry the request (DNS, routes, resets, timeouts). */
const NETWORK_ERROR_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const NETWORK_ERROR_MESSAGE = /\b(ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/;

/**
 * Turns any error into an AdminError with a next step. AWS SDK and network errors get hints about credentials,
 * regions and a running hub; anything else keeps its message.
 */
export function explainError(error: unknown): AdminError {
  if (error instanceof AdminError) return error;
  if (error instanceof MalformedWebhookSecretError) {
    return new AdminError(error.message, {
      hint: 'rewrite it in that form (e.g. with `provider rotate-secret`, which replaces it)',
      cause: error,
    });
  }
  if (error instanceof SecretScheduledForDeletionError) {
    const name = error.secretName;
    return new AdminError(error.message, {
      hint: `restore it (\`aws secretsmanager restore-secret --secret-id ${name}\`) or delete it for good (\`aws secretsmanager delete-secret --secret-id ${name} --force-delete-without-recovery\`), then run the command again`,
      cause: error,
    });
  }
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new AdminError(`no AWS credentials: ${message}`, {
      hint: 'configure credentials (--profile or AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for the account of the stack',
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new AdminError('no AWS region configured', {
      hint: 'pass --region (or set AWS_REGION, or use a --profile / AWS_PROFILE with a region) with the region of the stack',
      cause: error,
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return new AdminError(`AWS refused the request: ${message}`, {
      hint: 'use credentials of an admin of the stack (they need DynamoDB, SQS and Secrets Manager access to its resources)',
      cause: error,
    });
  }
  const code =
    (error as { code?: string; cause?: { code?: string } } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return new AdminError(`could not connect: ${message}`, {
      hint: 'is the local hub still running (`npm start`)? For a deployed hub pass --stack <name>',
      code: 'upstream-unavailable',
      cause: error,
    });
  }
  if ((code && NETWORK_ERROR_CODES.has(code)) || name === 'TimeoutError' || NETWORK_ERROR_MESSAGE.test(message)) {
    return new AdminError(`could not reach AWS: ${message}`, {
      hint: 'check the network connection and any proxy (HTTPS_PROXY), and that --region (or AWS_REGION) is the region of the stack; then run the command again',
      code: 'upstream-unavailable',
      cause: error,
    });
  }
  return new AdminError(`${name === 'Error' ? '' : `${name}: `}${message}`, { cause: error });
}
