// The local Secrets Manager answers the local runtime's own processes only: its credentials and a loopback Host.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLocalCredentials } from '../../../local/local-credentials';
import { startLocalSecretsManager, type LocalSecretsManager } from '../../../local/secrets-manager-server';
import { generateSecret } from '../../support/fixtures';

const SECRET_NAME = 'test-hub/webhook-secret';

/** Sends a GetSecretValue by hand, with exactly the given headers. */
function rawGet(endpoint: string, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const body = JSON.stringify({ SecretId: SECRET_NAME });
  return new Promise((resolve, reject) => {
    const req = request(
      endpoint,
      {
        method: 'POST',
        headers: {
          'content-type': 'application/x-amz-json-1.1',
          'x-amz-target': 'secretsmanager.GetSecretValue',
          'content-length': String(Buffer.byteLength(body)),
          ...headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

describe('local Secrets Manager: who may read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-hub-sm-'));
  const credentials = generateLocalCredentials();
  const secretValue = generateSecret();
  let server: LocalSecretsManager;
  const clients: SecretsManagerClient[] = [];
  const clientWith = (accessKeyId: string) => {
    const client = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId, secretAccessKey: credentials.secretAccessKey },
    });
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    server = await startLocalSecretsManager({ file: join(dir, 'secrets.json'), accessKeyId: credentials.accessKeyId });
    server.putSecret(SECRET_NAME, secretValue);
  });
  afterAll(async () => {
    for (const client of clients) client.destroy();
    await server.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("answers the SDK signing with the runtime's credentials", async () => {
    const answer = await clientWith(credentials.accessKeyId).send(new GetSecretValueCommand({ SecretId: SECRET_NAME }));
    expect(answer.SecretString === secretValue).toBe(true);
  });

  it('refuses the SDK signing with other credentials: 403, no secret', async () => {
    const other = generateLocalCredentials();
    const failure = await clientWith(other.accessKeyId)
      .send(new GetSecretValueCommand({ SecretId: SECRET_NAME }))
      .then(
        () => undefined,
        (error: unknown) => error as { name: string; $metadata?: { httpStatusCode?: number } },
      );
    expect(failure?.$metadata?.httpStatusCode).toBe(403);
    expect(failure?.name).toBe('AccessDeniedException');
  });

  it('refuses a request without credentials, with a non-loopback Host, or with a foreign port: 403, no secret', async () => {
    const port = new URL(server.endpoint).port;
    const signed = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20261130/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00`;
    const answers = [
      await rawGet(server.endpoint, {}),
      await rawGet(server.endpoint, { authorization: 'AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/secretsmanager/aws4_request' }),
      await rawGet(server.endpoint, { authorization: signed, host: `attacker.example:${port}` }),
      await rawGet(server.endpoint, { authorization: signed, host: `127.0.0.1.attacker.example:${port}` }),
      await rawGet(server.endpoint, { authorization: signed, host: '127.0.0.1:1' }),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403]);
    expect(answers.some((answer) => answer.body.includes(secretValue))).toBe(false);
    // The same hand-made request with the loopback host and the runtime's key id is answered (the check is not vacuous).
    const allowed = await rawGet(server.endpoint, { authorization: signed, host: `localhost:${port}` });
    expect(allowed.status).toBe(200);
    expect(allowed.body.includes(secretValue)).toBe(true);
  });

  it('needs a generated access key id to start', async () => {
    await expect(startLocalSecretsManager({ file: join(dir, 'other.json'), accessKeyId: 'local' })).rejects.toThrow(RangeError);
  });
});
