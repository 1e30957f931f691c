import { signBody, verifySignature } from '../../../../shared/domain/signature';
import { generateSecret, readWebhookFixture, SIGNED_DELIVERY_VECTOR } from '../../../support/fixtures';

describe('verifySignature', () => {
  const body = readWebhookFixture(SIGNED_DELIVERY_VECTOR.fixture);

  it('accepts the real signed Bitbucket Cloud delivery with its secret (known-answer vector)', () => {
    expect(body.length).toBe(14515);
    expect(signBody(SIGNED_DELIVERY_VECTOR.secret, body)).toBe(SIGNED_DELIVERY_VECTOR.signature);
    expect(verifySignature([SIGNED_DELIVERY_VECTOR.secret], body, SIGNED_DELIVERY_VECTOR.signature)).toBe(true);
  });

  it('rejects the same body when one hex digit of the signature changes', () => {
    const tampered = SIGNED_DELIVERY_VECTOR.signature.slice(0, -1) + '6';
    expect(verifySignature([SIGNED_DELIVERY_VECTOR.secret], body, tampered)).toBe(false);
  });

  it('rejects a body changed by one byte', () => {
    const changed = Buffer.from(body);
    changed[100] = changed[100]! ^ 1;
    expect(verifySignature([SIGNED_DELIVERY_VECTOR.secret], changed, SIGNED_DELIVERY_VECTOR.signature)).toBe(false);
  });

  it.each([
    ['a missing header', undefined],
    ['an empty header', ''],
    ['no algorithm prefix', SIGNED_DELIVERY_VECTOR.signature.slice('sha256='.length)],
    ['a sha1 prefix', `sha1=${SIGNED_DELIVERY_VECTOR.signature.slice(7)}`],
    ['a short signature', SIGNED_DELIVERY_VECTOR.signature.slice(0, 40)],
    ['a long signature', `${SIGNED_DELIVERY_VECTOR.signature}00`],
    ['non-hex characters', `sha256=${'z'.repeat(64)}`],
    ['two signatures joined', `${SIGNED_DELIVERY_VECTOR.signature},${SIGNED_DELIVERY_VECTOR.signature}`],
  ])('returns false, without throwing, for %s', (_case, header) => {
    expect(verifySignature([SIGNED_DELIVERY_VECTOR.secret], body, header)).toBe(false);
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
