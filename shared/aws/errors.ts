/**
 * Errors of the AWS adapters (DynamoDB stores, Secrets Manager readers), in one module so callers find every
 * failure an adapter can report in one place. The errors of the domain's ports (a write conflict, a model too large or
 * unreadable, a repository already added) are the domain's own (`shared/domain/errors.ts`, `shared/domain/sync/errors.ts`).
 */
import { ModelHubError } from '../util/model-hub-error';

/** A stored secret does not have the expected shape. The message names the secret, never its value. */
export class SecretFormatError extends ModelHubError {}

/** The stored webhook secret is not JSON of the form `{"current": "...", "previous": "..."}`. */
export class MalformedWebhookSecretError extends Error {
  constructor(readonly secretId: string) {
    super(`the webhook secret ${secretId} is not JSON of the form {"current": "...", "previous": "..."}`);
    this.name = 'MalformedWebhookSecretError';
  }
}

/** A token secret cannot be written because Secrets Manager holds it, scheduled for deletion. */
export class SecretScheduledForDeletionError extends Error {
  constructor(
    readonly secretName: string,
    options: { cause: unknown },
  ) {
    super(`the token secret ${secretName} is scheduled for deletion`, options);
    this.name = 'SecretScheduledForDeletionError';
  }
}
