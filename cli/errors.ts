// The CLI's error vocabulary: what went wrong, what to do next, and which exit code (1 failure, 2 usage error).
import { MalformedWebhookSecretError, SecretScheduledForDeletionError } from '../shared/aws/errors';

/**
 * A failure the CLI explains to the admin: `message` says what went wrong, `hint` what to do next. Exit code 1
 * (failure) unless it is a usage error (2).
 */
export class CliError extends Error {
  readonly exitCode: 1 | 2;
  readonly hint?: string;

  constructor(message: string, options: { hint?: string; exitCode?: 1 | 2; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
    this.exitCode = options.exitCode ?? 1;
    if (options.hint !== undefined) this.hint = options.hint;
  }
}

/** A usage error (exit code 2): the command line itself is wrong. */
export function usageError(message: string, hint?: string): CliError {
  return new CliError(message, { exitCode: 2, ...(hint === undefined ? {} : { hint }) });
}

/** Node's codes for a network that did not carry the request (DNS, routes, resets, timeouts). */
const NETWORK_ERROR_CODES = new Set(['ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'ECONNRESET', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE']);
const NETWORK_ERROR_MESSAGE = /\b(ENOTFOUND|EAI_AGAIN|ETIMEDOUT|ECONNRESET|EHOSTUNREACH|ENETUNREACH)\b/;

/**
 * Turns any error into a CliError with a next step. AWS SDK and network errors get hints about credentials,
 * regions and a running hub; anything else keeps its message.
 */
export function explainError(error: unknown): CliError {
  if (error instanceof CliError) return error;
  if (error instanceof MalformedWebhookSecretError) {
    return new CliError(error.message, {
      hint: 'rewrite it in that form (e.g. with `provider rotate-secret`, which replaces it)',
      cause: error,
    });
  }
  if (error instanceof SecretScheduledForDeletionError) {
    const name = error.secretName;
    return new CliError(error.message, {
      hint: `restore it (\`aws secretsmanager restore-secret --secret-id ${name}\`) or delete it for good (\`aws secretsmanager delete-secret --secret-id ${name} --force-delete-without-recovery\`), then run the command again`,
      cause: error,
    });
  }
  const name = (error as { name?: string } | null)?.name ?? 'Error';
  const message = error instanceof Error ? error.message : String(error);
  if (name === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new CliError(`no AWS credentials: ${message}`, {
      hint: 'configure credentials (--profile or AWS_PROFILE, `aws sso login`, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY) for the account of the stack',
      cause: error,
    });
  }
  if (/Region is missing/i.test(message)) {
    return new CliError('no AWS region configured', {
      hint: 'pass --region (or set AWS_REGION, or use a --profile / AWS_PROFILE with a region) with the region of the stack',
      cause: error,
    });
  }
  if (name === 'AccessDeniedException' || name === 'AccessDenied' || name === 'UnrecognizedClientException') {
    return new CliError(`AWS refused the request: ${message}`, {
      hint: 'use credentials of an admin of the stack (they need DynamoDB, SQS and Secrets Manager access to its resources)',
      cause: error,
    });
  }
  const code =
    (error as { code?: string; cause?: { code?: string } } | null)?.code ?? (error as { cause?: { code?: string } } | null)?.cause?.code;
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(message)) {
    return new CliError(`could not connect: ${message}`, {
      hint: 'is the local hub still running (`npm start`)? For a deployed hub pass --stack <name>',
      cause: error,
    });
  }
  if ((code && NETWORK_ERROR_CODES.has(code)) || name === 'TimeoutError' || NETWORK_ERROR_MESSAGE.test(message)) {
    return new CliError(`could not reach AWS: ${message}`, {
      hint: 'check the network connection and any proxy (HTTPS_PROXY), and that --region (or AWS_REGION) is the region of the stack; then run the command again',
      cause: error,
    });
  }
  return new CliError(`${name === 'Error' ? '' : `${name}: `}${message}`, { cause: error });
}
