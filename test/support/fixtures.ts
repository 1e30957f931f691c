import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSecret } from './secret-hygiene';

const WEBHOOKS_DIR = join(__dirname, '..', 'fixtures', 'bitbucket-cloud-webhooks');

/** The six real repo:push deliveries, by file name without `.json`. */
export const WEBHOOK_FIXTURES = [
  'signed_payload__branch-created',
  'branch_deleted',
  'commit_created__forced-truncated',
  'annotated_tag_created',
  'multipleChangesPayload',
  'updatePayload__normal-push',
] as const;
export type WebhookFixture = (typeof WEBHOOK_FIXTURES)[number];

/** The exact bytes of a recorded delivery body. */
export function readWebhookFixture(name: WebhookFixture): Buffer {
  return readFileSync(join(WEBHOOKS_DIR, `${name}.json`));
}

/**
 * The public known-answer vector from jenkinsci/bitbucket-branch-source-plugin (see signature-vectors.md): a
 * real Bitbucket Cloud delivery signed with a test secret published in that plugin's tests.
 */
export const SIGNED_DELIVERY_VECTOR = {
  fixture: 'signed_payload__branch-created' as const,
  secret: 'Gkvl$k$wyNpQAF42',
  signature: 'sha256=f205c729821c6954aff2afe72b965c34015b4baf96ea8ddc2cc44999c014a035',
};

/**
 * A fresh random secret, as each test should use (never a secret from documentation). It is registered with the
 * secrets-hygiene scan, so the test file fails if the secret ever shows up in its output.
 */
export function generateSecret(): string {
  return registerSecret(randomBytes(24).toString('base64url'));
}
