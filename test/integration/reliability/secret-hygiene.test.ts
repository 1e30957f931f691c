import { randomBytes } from 'node:crypto';
import { createLogger } from '../../../shared/observability/logger';
import { capturedOutput, findSecretLeaks, muteOutput, registerSecret, registeredSecrets } from '../../support/secret-hygiene';

/** Secrets this file shows to the scanner on purpose: not registered (fixtures' generateSecret() would register them). */
const unregisteredSecret = () => randomBytes(24).toString('base64url');

describe('secrets hygiene: the scan that every suite runs after its last test', () => {
  afterEach(() => muteOutput(false));

  it('finds a secret in raw, base64, URL-encoded and JSON-escaped form, and never prints it', () => {
    // Prepare: secrets that are not registered, so this file's own scan stays clean.
    const plain = unregisteredSecret();
    const quoted = `${unregisteredSecret()}"/+`;
    const text = [
      `{"level":"DEBUG","message":"request","authorization":"Bearer ${plain}"}`,
      `basic ${Buffer.from(plain).toString('base64')}`,
      `GET /x?token=${encodeURIComponent(quoted)}`,
      JSON.stringify({ secret: quoted }),
      'nothing to see here',
    ].join('\n');

    // Act
    const leaks = findSecretLeaks(text, [plain, quoted]);

    // Assess
    expect(leaks).toHaveLength(4);
    expect(leaks.map((leak) => leak.slice(0, leak.indexOf(' in: ')))).toEqual([
      'secret #0 (raw)',
      'secret #0 (base64)',
      'secret #1 (url-encoded)',
      'secret #1 (json-escaped)',
    ]);
    for (const leak of leaks) expect(leak).not.toContain(plain);
    expect(leaks[0]).toContain('Bearer [secret #0]');
  });

  it('sees what the Powertools logger writes (it prints through its own Console on process.stdout)', () => {
    // Prepare: a DEBUG logger built like the handlers build theirs.
    const logger = createLogger('hygiene-probe', { POWERTOOLS_LOG_LEVEL: 'DEBUG' });
    const marker = `marker-${unregisteredSecret()}`;
    muteOutput();

    // Act
    logger.debug('probe', { marker });
    console.warn('a console line with %s', marker);

    // Assess
    const output = capturedOutput();
    expect(output).toContain(`"marker":"${marker}"`);
    expect(output).toContain(`a console line with ${marker}`);
  });

  it('refuses to register values short enough to match innocent output', () => {
    expect(() => registerSecret('abc')).toThrow(RangeError);
    expect(registeredSecrets()).toHaveLength(0);
  });
});
