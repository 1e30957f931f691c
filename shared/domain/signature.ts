// Bitbucket's webhook signature (HMAC-SHA256), checked in constant time: the only proof a delivery is genuine.
import { createHmac, timingSafeEqual } from 'node:crypto';

const SIGNATURE_PREFIX = 'sha256=';
const SIGNATURE_PATTERN = /^sha256=[0-9a-f]{64}$/;

/**
 * Signs a raw webhook body the way Bitbucket Cloud does: `sha256=` and the lower-case hex HMAC-SHA256 of the
 * exact bytes, keyed with the webhook secret's UTF-8 bytes.
 */
export function signBody(secret: string, rawBody: Uint8Array): string {
  return SIGNATURE_PREFIX + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * Tells whether `signatureHeader` is a valid signature of `rawBody` under any of `secrets` (the current secret
 * and, during a rotation, the previous one). Never throws for bad input: a missing, malformed or wrong-length
 * header is simply not valid. Every secret is tried, so timing does not reveal which one matched.
 */
export function verifySignature(secrets: readonly string[], rawBody: Uint8Array, signatureHeader: string | undefined): boolean {
  if (typeof signatureHeader !== 'string') return false;
  const received = signatureHeader.trim().toLowerCase();
  if (!SIGNATURE_PATTERN.test(received)) return false;
  const receivedBytes = Buffer.from(received.slice(SIGNATURE_PREFIX.length), 'hex');
  let valid = false;
  for (const secret of secrets) {
    if (secret.length === 0) continue;
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    // Equal lengths are guaranteed by the pattern check; timingSafeEqual compares in constant time.
    valid = timingSafeEqual(expected, receivedBytes) || valid;
  }
  return valid;
}
