import { randomBytes } from 'node:crypto';
import { GitFetchError, redactSecrets } from '../../../../shared/git/errors';
import { registerSecret } from '../../../support/secret-hygiene';

describe('redactSecrets', () => {
  // Generated, with characters that URL encoding changes, so every form of it is checked.
  const token = registerSecret(`${randomBytes(24).toString('base64url')}/+=`);
  const basic = Buffer.from(`x-token-auth:${token}`).toString('base64');

  test('removes the token in raw, URL-encoded and Basic-credential forms, and user info in URLs', () => {
    const text = `GET https://x-token-auth:${encodeURIComponent(token)}@bitbucket.org/a/b.git token=${token} Authorization: Basic ${basic}`;
    const redacted = redactSecrets(text, [token, basic]);
    expect(redacted).not.toContain(token);
    expect(redacted).not.toContain(basic);
    expect(redacted).not.toContain(encodeURIComponent(token));
    expect(redacted).toContain('https://bitbucket.org/a/b.git');
  });
});

describe('GitFetchError', () => {
  test.each([
    ['unreachable', true],
    ['timeout', true],
    ['unavailable', true],
    ['unauthorized', false],
    ['not-found', false],
    ['protocol', false],
    ['deadline', false],
    ['too-large', false],
  ] as const)('a %s failure is transient: %s', (reason, transient) => {
    expect(new GitFetchError(reason, 'x').transient).toBe(transient);
  });
});
