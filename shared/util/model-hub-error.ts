/**
 * The base of every error the hub names, so a log or a catch can tell the hub's own failures from a library's.
 * It lives here, below the domain, because the model codec (shared/models) needs it too and must not load the domain.
 */
export class ModelHubError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = new.target.name;
  }
}
