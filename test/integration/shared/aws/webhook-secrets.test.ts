/**
 * The webhook secret and access token readers against the local Secrets Manager stand-in (the SDK's real JSON
 * protocol over HTTP), with Powertools' caching. Secrets are random and registered with the hygiene scan.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';
import { accessTokenSecretName, createAccessTokenReader } from '../../../../shared/aws/access-tokens';
import { createWebhookSecretReader, parseWebhookSecret } from '../../../../shared/aws/webhook-secrets';
import { SecretFormatError } from '../../../../shared/aws/errors';
import { generateLocalCredentials } from '../../../../local/local-credentials';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../../local/secrets-manager-server';
import { generateSecret } from '../../../support/fixtures';

const credentials = generateLocalCredentials();
let directory: string;
let secrets: LocalSecretsManager;
let client: SecretsManagerClient;

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'webhook-secrets-test-'));
  secrets = await startLocalSecretsManager({ file: join(directory, 'secrets.json'), credentials });
  client = new SecretsManagerClient({
    endpoint: secrets.endpoint,
    region: 'us-east-1',
    credentials,
  });
});
afterAll(async () => {
  client.destroy();
  await secrets.close();
  rmSync(directory, { recursive: true, force: true });
});

const provider = () => new SecretsProvider({ awsSdkV3Client: client });

describe('createWebhookSecretReader', () => {
  it('yields the current secret, then the previous one during a rotation', async () => {
    const current = generateSecret();
    const previous = generateSecret();
    secrets.putSecret('hub/webhook-rotating', JSON.stringify({ current, previous }));
    secrets.putSecret('hub/webhook-steady', JSON.stringify({ current, previous: '' }));
    expect(await createWebhookSecretReader('hub/webhook-rotating', { provider: provider() })()).toEqual([current, previous]);
    expect(await createWebhookSecretReader('hub/webhook-steady', { provider: provider() })()).toEqual([current]);
  });

  it('keeps a read secret for its cache age, and reads a rotated one once that has passed', async () => {
    const first = generateSecret();
    const second = generateSecret();
    secrets.putSecret('hub/webhook-cached', JSON.stringify({ current: first }));
    const cached = createWebhookSecretReader('hub/webhook-cached', { provider: provider() });
    const uncached = createWebhookSecretReader('hub/webhook-cached', { provider: provider(), maxAgeSeconds: 0 });
    expect(await cached()).toEqual([first]);
    secrets.putSecret('hub/webhook-cached', JSON.stringify({ current: second, previous: first }));
    expect(await cached()).toEqual([first]);
    expect(await uncached()).toEqual([second, first]);
  });

  it('names the secret, never its content, when the stored value is malformed', async () => {
    const leaked = generateSecret();
    secrets.putSecret('hub/webhook-plain', leaked);
    const error = await createWebhookSecretReader('hub/webhook-plain', { provider: provider() })().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SecretFormatError);
    expect((error as Error).message).toBe('secret hub/webhook-plain is not JSON of the form {"current": "...", "previous": "..."}');
  });

  it('fails when the secret does not exist', async () => {
    await expect(createWebhookSecretReader('hub/no-such-secret', { provider: provider() })()).rejects.toThrow();
  });
});

describe('parseWebhookSecret', () => {
  it('refuses a value without a current secret', () => {
    for (const value of ['{}', '{"current":""}', '{"current":42}', 'null', undefined]) {
      expect(() => parseWebhookSecret('hub/x', value)).toThrow(SecretFormatError);
    }
    expect(() => parseWebhookSecret('hub/x', '{"previous":"only-previous-0123"}')).toThrow('secret hub/x has no "current" value');
  });
});

describe('createAccessTokenReader', () => {
  it("reads a repository's token by its uuid without braces, trimmed", async () => {
    const token = generateSecret();
    const uuid = '{0f1e2d3c-0000-4000-8000-00000000beef}';
    expect(accessTokenSecretName('hub/tokens/', uuid)).toBe('hub/tokens/0f1e2d3c-0000-4000-8000-00000000beef');
    secrets.putSecret(accessTokenSecretName('hub/tokens/', uuid), `  ${token}\n`);
    expect(await createAccessTokenReader('hub/tokens/', { provider: provider() })(uuid)).toBe(token);
  });

  it('refuses an empty token, naming the secret only', async () => {
    const uuid = '{0f1e2d3c-0000-4000-8000-0000000e3e3e}';
    secrets.putSecret(accessTokenSecretName('hub/tokens/', uuid), '   ');
    await expect(createAccessTokenReader('hub/tokens/', { provider: provider() })(uuid)).rejects.toThrow(
      new SecretFormatError(`secret hub/tokens/0f1e2d3c-0000-4000-8000-0000000e3e3e holds no access token`),
    );
  });
});
