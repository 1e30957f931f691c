/**
 * Errors of the AWS adapters (DynamoDB stores, Secrets Manager readers), in one module so callers find every
 * failure an adapter can report in one place. All extend the domain's ModelHubError.
 */
import { ModelHubError } from '../domain/errors';
import type { ForeignGenerationRecord } from '../domain/sync/ports';
import type { ModelRecord } from '../models/model-record';

/**
 * Another writer changed or created the model record since this write read it, or the record belongs to another
 * repository generation (then `heldBy` names it: see `ForeignGenerationRecord`); nothing of this write is visible.
 */
export class ModelWriteConflictError extends ModelHubError {
  constructor(
    readonly repositoryUuid: string,
    readonly path: string,
    readonly heldBy?: ForeignGenerationRecord,
  ) {
    super(
      heldBy
        ? `model ${path} in ${repositoryUuid} belongs to repository generation ${heldBy.generation}`
        : `model ${path} in ${repositoryUuid} was changed concurrently`,
    );
  }
}

/** The model is over the size limit: store it with `DynamoDbModelStore.recordTooLarge` instead. */
export class ModelTooLargeError extends ModelHubError {
  constructor(
    readonly path: string,
    readonly size: number,
    readonly limit: number,
  ) {
    super(`model ${path} has ${size} bytes, over the ${limit}-byte limit; record it as too-large instead`);
  }
}

/** The record exists but keeps no body (status `too-large`). */
export class ModelBodyNotStoredError extends ModelHubError {
  constructor(readonly record: ModelRecord) {
    super(`model ${record.path} in ${record.repositoryUuid} has no stored body (status ${record.status})`);
  }
}

/** The stored body did not match its record (missing chunks, wrong hash) even after re-reading. */
export class ModelBodyInconsistentError extends ModelHubError {}

/** Another writer changed the sync state since it was read. */
export class SyncStateConflictError extends ModelHubError {}

/** The repository is already added. */
export class RepositoryExistsError extends ModelHubError {}

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
