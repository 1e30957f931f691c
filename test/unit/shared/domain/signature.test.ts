import { createHmac } from 'node:crypto';
import { signBody, verifySignature } from '../../../../shared/domain/signature';
import {
  generateSecret,
  readSignedDeliveryVector,
  readWebhookFixture,
  SHARED_SIGNATURE_VECTORS,
  SIGNED_DELIVERY_FIXTURE,
} from '../../../support/fixtures';
import { itWithReference } from '../../../support/shared-reference';

/** Bitbucket's published known-answer vector, read from ../shared (absent in a bare clone: that test is skipped). */
const vector = readSignedDeliveryVector();
const itWithVector = itWithReference(SHARED_SIGNATURE_VECTORS);

describe('verifySignature', () => {
  // A real Bitbucket Cloud delivery, signed here with a secret of this run.
  const body = readWebhookFixture(SIGNED_DELIVERY_FIXTURE);
  const secret = generateSecret();
  const signature = signBody(secret, body);

  it('signs as HMAC-SHA256 in lower-case hex after "sha256=" (RFC 4231 test case 2)', () => {
    const rfc4231 = { key: 'Jefe', data: 'what do ya want for nothing?' };
    const expected = '5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843';
    expect(createHmac('sha256', rfc4231.key).update(rfc4231.data).digest('hex')).toBe(expected);
    expect(signBody(rfc4231.key, Buffer.from(rfc4231.data))).toBe(`sha256=${expected}`);
  });

  itWithVector('accepts the real signed Bitbucket Cloud delivery with its published secret (known-answer vector)', () => {
    expect(body.length).toBe(14515);
    expect(signBody(vector!.secret, body)).toBe(vector!.signature);
    expect(verifySignature([vector!.secret], body, vector!.signature)).toBe(true);
  });

  it('accepts the real delivery signed with the configured secret', () => {
    expect(verifySignature([secret], body, signature)).toBe(true);
  });

  it('rejects the same body when one hex digit of the signature changes', () => {
    // Another last hex digit (the signature is random here, so not a fixed one).
    const tampered = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0');
    expect(verifySignature([secret], body, tampered)).toBe(false);
  });

  it('rejects a body changed by one byte', () => {
    const changed = Buffer.from(body);
    changed[100] = changed[100]! ^ 1;
    expect(verifySignature([secret], changed, signature)).toBe(false);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['no algorithm prefix', signature.slice('sha256='.length)],
    ['a sha1 prefix', `sha1=${signature.slice(7)}`],
    ['a short signature', signature.slice(0, 40)],
    ['a long signature', `${signature}00`],
    ['non-hex characters', `sha256=${'z'.repeat(64)}`],
    ['two signatures joined', `${signature},${signature}`],
  ])('returns false, without throwing, for %s', (_case, header) => {
    expect(verifySignature([secret], body, header)).toBe(false);
  });

  it('accepts the previous secret during a rotation, and not a secret that was never configured', () => {
    const [current, previous, stranger] = [generateSecret(), generateSecret(), generateSecret()];
    const payload = Buffer.from('{"push":{}}');
    expect(verifySignature([current, previous], payload, signBody(previous, payload))).toBe(true);
    expect(verifySignature([current, previous], payload, signBody(current, payload))).toBe(true);
    expect(verifySignature([current, previous], payload, signBody(stranger, payload))).toBe(false);
  });

  it('never accepts anything when no secret is configured', () => {
    const payload = Buffer.from('{}');
    expect(verifySignature([], payload, signBody('', payload))).toBe(false);
    expect(verifySignature([''], payload, signBody('', payload))).toBe(false);
  });

  it('accepts an upper-case hex signature (hex case is not part of the MAC)', () => {
    const secret = generateSecret();
    const payload = Buffer.from('{"a":1}');
    expect(verifySignature([secret], payload, signBody(secret, payload).toUpperCase().replace('SHA256=', 'sha256='))).toBe(true);
  });
});
