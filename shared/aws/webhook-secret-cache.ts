// How long a verifier may serve a cached webhook secret, in a module of its own: the verifier's reader caches for this
// long, and the CLI waits it out after a rotation without loading the reader's Secrets Manager client.

/** Cache the webhook secret for minutes: rotations propagate quickly, and most deliveries cost no API call. */
export const WEBHOOK_SECRET_MAX_AGE_SECONDS = 300;
