/**
 * Errors of the hub's domain. They carry no HTTP status: the verifier handler maps them to responses, and the
 * worker reuses the same domain without HTTP.
 */
import { ModelHubError } from '../util/model-hub-error';

/** A configuration value is missing or invalid; the function cannot start until an admin fixes it. */
export class ConfigError extends ModelHubError {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/** A queue message is not one the worker understands; it cannot succeed on retry. */
export class MalformedMessageError extends ModelHubError {}

/**
 * The webhook secret could not be read (Secrets Manager failing or throttling, or a malformed secret): no delivery
 * can be verified, forged or genuine. The verifier answers 503 so that Bitbucket retries genuine ones.
 */
export class WebhookSecretUnavailableError extends ModelHubError {
  constructor(options?: ErrorOptions) {
    super('the webhook secret cannot be read; the delivery was neither verified nor queued', options);
  }
}

/** The repository is already added. */
export class RepositoryExistsError extends ModelHubError {}

/** The repository is not added (or was removed meanwhile): there is no configuration to update. */
export class RepositoryNotAddedError extends ModelHubError {}
