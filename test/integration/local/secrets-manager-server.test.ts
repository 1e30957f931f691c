// The local Secrets Manager answers the local runtime's own processes only: its credentials and a loopback Host.
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SignatureV4 } from '@smithy/signature-v4';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateLocalCredentials } from '../../../local/local-credentials';
import { Sha256 } from '../../../client/sha256';
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

/**
 * The headers of {@link rawGet}'s request signed with SigV4 for `host` with the runtime's keys, as the SDK signs;
 * `body` signs another body than the one sent, `at` another time than now.
 */
async function signedWith(
  keys: { accessKeyId: string; secretAccessKey: string },
  host: string,
  options: { body?: string; at?: Date } = {},
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: keys, region: 'us-east-1', service: 'secretsmanager', sha256: Sha256 });
  const body = options.body ?? JSON.stringify({ SecretId: SECRET_NAME });
  const headers = {
    host,
    'content-type': 'application/x-amz-json-1.1',
    'x-amz-target': 'secretsmanager.GetSecretValue',
    'content-length': String(Buffer.byteLength(body)),
  };
  const [hostname, port] = host.split(/:(?=\d+$)/);
  const signed = await signer.sign(
    { method: 'POST', protocol: 'http:', hostname: hostname!, port: Number(port), path: '/', query: {}, headers, body },
    { signingDate: options.at ?? new Date() },
  );
  return signed.headers;
}

describe('local Secrets Manager: who may read', () => {
  const dir = mkdtempSync(join(tmpdir(), 'model-hub-sm-'));
  const credentials = generateLocalCredentials();
  const secretValue = generateSecret();
  let server: LocalSecretsManager;
  const signedHeaders = (host: string, options?: { body?: string; at?: Date }) => signedWith(credentials, host, options);
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
    server = await startLocalSecretsManager({ file: join(dir, 'secrets.json'), credentials });
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

  it("refuses the SDK signing with the runtime's access key id but another secret key: 403, no secret", async () => {
    const forger = new SecretsManagerClient({
      endpoint: server.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: credentials.accessKeyId, secretAccessKey: generateLocalCredentials().secretAccessKey },
    });
    clients.push(forger);
    const failure = await forger.send(new GetSecretValueCommand({ SecretId: SECRET_NAME })).then(
      () => undefined,
      (error: unknown) => error as { name: string; $metadata?: { httpStatusCode?: number } },
    );
    expect(failure?.$metadata?.httpStatusCode).toBe(403);
    expect(failure?.name).toBe('AccessDeniedException');
  });

  it('refuses a request without credentials, with a made-up signature, a non-loopback Host or a foreign port: 403, no secret', async () => {
    const port = new URL(server.endpoint).port;
    const madeUp = `AWS4-HMAC-SHA256 Credential=${credentials.accessKeyId}/20261130/us-east-1/secretsmanager/aws4_request, SignedHeaders=host, Signature=00`;
    const answers = [
      await rawGet(server.endpoint, {}),
      await rawGet(server.endpoint, { authorization: 'AWS4-HMAC-SHA256 Credential=local/20261130/us-east-1/secretsmanager/aws4_request' }),
      await rawGet(server.endpoint, { authorization: madeUp, host: `localhost:${port}` }),
      await rawGet(server.endpoint, await signedHeaders(`attacker.example:${port}`)),
      await rawGet(server.endpoint, await signedHeaders(`127.0.0.1.attacker.example:${port}`)),
      await rawGet(server.endpoint, await signedHeaders('127.0.0.1:1')),
    ];
    expect(answers.map((answer) => answer.status)).toEqual([403, 403, 403, 403, 403, 403]);
    expect(answers.some((answer) => answer.body.includes(secretValue))).toBe(false);
    // The same hand-made request, signed with the runtime's keys for the loopback host, is answered (the check is not vacuous).
    const allowed = await rawGet(server.endpoint, await signedHeaders(`localhost:${port}`));
    expect(allowed.status).toBe(200);
    expect(allowed.body.includes(secretValue)).toBe(true);
  });

  it('refuses a signed request whose body was changed, or whose signature is more than 5 minutes old: 403, no secret', async () => {
    const port = new URL(server.endpoint).port;
    // Signed over another body of the same length (a changed length would end the request early instead).
    const tampered = await rawGet(
      server.endpoint,
      await signedHeaders(`localhost:${port}`, { body: JSON.stringify({ SecretId: SECRET_NAME.toUpperCase() }) }),
    );
    const stale = await rawGet(server.endpoint, await signedHeaders(`localhost:${port}`, { at: new Date(Date.now() - 6 * 60_000) }));
    expect([tampered.status, stale.status]).toEqual([403, 403]);
    expect([tampered.body, stale.body].some((body) => body.includes(secretValue))).toBe(false);
  });

  it('needs generated credentials to start', async () => {
    for (const weak of [
      { ...credentials, accessKeyId: 'local' },
      { ...credentials, secretAccessKey: 'local' },
    ])
      await expect(startLocalSecretsManager({ file: join(dir, 'other.json'), credentials: weak })).rejects.toThrow(RangeError);
  });
});
