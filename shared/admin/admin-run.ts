// What a use case of the admin layer needs from whoever runs it (the CLI's command kit, one admin API request): a
// clock, a place for progress notes in the CLI's wording, and how long verifiers cache the webhook secret.

/** The caller's side of a use case: the CLI prints the notes on standard error, the API returns them as `messages`. */
export interface AdminRun {
  now(): Date;
  /** A line of progress or a warning for the admin (never a secret). */
  note(text: string): void;
  /** How long a verifier may keep serving a cached webhook secret (WEBHOOK_SECRET_MAX_AGE_SECONDS). */
  readonly secretCacheSeconds: number;
}
