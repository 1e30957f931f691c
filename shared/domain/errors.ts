/**
 * Errors of the hub's domain. They carry no HTTP status: the verifier handler maps them to responses, and the
 * worker reuses the same domain without HTTP.
 */
export class ModelHubError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A configuration value is missing or invalid; the function cannot start until an admin fixes it. */
export class ConfigError extends ModelHubError {
  constructor(readonly problems: readonly string[]) {
    super(`Invalid configuration: ${problems.join('; ')}`);
  }
}

/** A queue message is not one the worker understands; it cannot succeed on retry. */
export class MalformedMessageError extends ModelHubError {}
