import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLocalCredentials } from '../../../../local/local-credentials';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../../local/secrets-manager-server';
import { MalformedWebhookSecretError } from '../../../../shared/aws/errors';
import { generateWebhookSecret, HubSecrets } from '../../../../shared/aws/hub-secrets';

const WEBHOOK_SECRET_ID = 'test-hub/webhook-secret';
const PREFIX = 'test-hub/tokens/';
const UUID = '{7c1ad3a6-05a1-4c8e-9a2b-0f4b1f1c2d3e}';
const credentials = generateLocalCredentials();

describe('HubSecrets against the local Secrets Manager', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-hub-secrets-'));
  let server: LocalSecretsManager;
  let client: SecretsManagerClient;
  let secrets: HubSecrets;

  beforeAll(async () => {
    server = await startLocalSecretsManager({ file: join(dir, 'secrets.json'), credentials });
    client = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials,
    });
    secrets = new HubSecrets(client, WEBHOOK_SECRET_ID, PREFIX);
  });
  afterAll(async () => {
    client.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('creates the webhook secret when absent, then replaces it, keeping the rotation bookkeeping', async () => {
    const before = await secrets.readWebhookSecret();

    await secrets.writeWebhookSecret({ current: 'first-value', previous: '' });
    const created = await secrets.readWebhookSecret();
    await secrets.writeWebhookSecret({ current: 'second-value', previous: 'first-value', rotatedAt: '2026-11-30T08:00:00.000Z' });
    const rotated = await secrets.readWebhookSecret();

    expect(before).toBeUndefined();
    expect(created).toEqual({ current: 'first-value', previous: '' });
    expect(rotated).toEqual({ current: 'second-value', previous: 'first-value', rotatedAt: '2026-11-30T08:00:00.000Z' });
    expect(JSON.parse(server.getSecret(WEBHOOK_SECRET_ID)!)).toEqual(rotated);
  });

  it('reads missing fields of a hand-written webhook secret as empty, and refuses one that is not JSON', async () => {
    server.putSecret(WEBHOOK_SECRET_ID, '{"current": "hand-written", "note": 1}');
    const partial = await secrets.readWebhookSecret();
    server.putSecret(WEBHOOK_SECRET_ID, 'not json');
    const error = await secrets.readWebhookSecret().catch((e: unknown) => e);

    expect(partial).toEqual({ current: 'hand-written', previous: '' });
    expect(error).toBeInstanceOf(MalformedWebhookSecretError);
    expect(error).toMatchObject({
      secretId: WEBHOOK_SECRET_ID,
      message: expect.stringContaining(`the webhook secret ${WEBHOOK_SECRET_ID} is not JSON`),
    });
    expect((error as Error).message).not.toContain('not json');
  });

  it('stores, replaces, reads and deletes a repository token under the prefix, without braces', async () => {
    await secrets.putToken(UUID, 'token-one');
    const first = await secrets.readToken(UUID);
    await secrets.putToken(UUID, 'token-two\n');
    const second = await secrets.readToken(UUID);
    const deleted = await secrets.deleteToken(UUID);
    const deletedAgain = await secrets.deleteToken(UUID);

    expect(secrets.tokenSecretName(UUID)).toBe('test-hub/tokens/7c1ad3a6-05a1-4c8e-9a2b-0f4b1f1c2d3e');
    expect(first).toBe('token-one');
    expect(second).toBe('token-two');
    expect([deleted, deletedAgain]).toEqual([true, false]);
    expect(await secrets.readToken(UUID)).toBeUndefined();
  });

  it('generates webhook secrets of 48 hex characters, a new one each time', () => {
    const [a, b] = [generateWebhookSecret(), generateWebhookSecret()];

    expect(a).toMatch(/^[0-9a-f]{48}$/);
    expect(b).not.toBe(a);
  });
});
