import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { registerSecret } from './secret-hygiene';
import { SHARED_REFERENCE_DIR } from './shared-reference';

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

/** The real delivery whose published signature the known-answer test checks (when the vector can be read). */
export const SIGNED_DELIVERY_FIXTURE = 'signed_payload__branch-created' as const;

/** Where the team's reference notes keep that delivery's published secret and signature (outside this repository). */
export const SHARED_SIGNATURE_VECTORS = join(SHARED_REFERENCE_DIR, 'bitbucket-cloud-webhooks', 'signature-vectors.md');

/**
 * The public known-answer vector of jenkinsci/bitbucket-branch-source-plugin (a real Bitbucket Cloud delivery and
 * the signature made with the test secret published there), read from ../shared rather than committed: this
 * repository holds no secret, not even a published one. Undefined where ../shared is absent (a bare clone).
 */
export function readSignedDeliveryVector(): { secret: string; signature: string } | undefined {
  if (!existsSync(SHARED_SIGNATURE_VECTORS)) return undefined;
  const text = readFileSync(SHARED_SIGNATURE_VECTORS, 'utf8');
  const vector = text.slice(text.indexOf('## Vector 1'), text.indexOf('## Vector 2'));
  const secret = /^- secret \(UTF-8\): `([^`]+)`/m.exec(vector)?.[1];
  const signature = /^- header: `X-Hub-Signature: (sha256=[0-9a-f]{64})`/m.exec(vector)?.[1];
  if (!secret || !signature) throw new Error(`${SHARED_SIGNATURE_VECTORS}: the Cloud vector's secret or header was not found`);
  return { secret: registerSecret(secret), signature };
}

/**
 * A fresh random secret, as each test should use (never a secret from documentation). It is registered with the
 * secrets-hygiene scan, so the test file fails if the secret ever shows up in its output.
 */
export function generateSecret(): string {
  return registerSecret(randomBytes(24).toString('base64url'));
}
