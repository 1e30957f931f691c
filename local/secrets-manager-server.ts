// A Secrets Manager stand-in, so handlers keep their real secret-reading code locally.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for AWS Secrets Manager: speaks the SDK's JSON protocol (GetSecretValue, CreateSecret,
 * PutSecretValue, DescribeSecret, DeleteSecret) over HTTP and keeps the secrets in one JSON file with mode 0600.
 * Handlers keep their real Secrets Manager code; only `AWS_ENDPOINT_URL_SECRETS_MANAGER` points here.
 */
export interface LocalSecretsManager {
  readonly endpoint: string;
  /** Writes a secret directly (used to seed the webhook secret from the environment). */
  putSecret(name: string, value: string): void;
  /** Reads a secret directly (the local CLI and demo; on AWS they go through Secrets Manager). */
  getSecret(name: string): string | undefined;
  close(): Promise<void>;
}

type SecretFile = Record<string, { value: string; version: number }>;

export async function startLocalSecretsManager(options: { file: string; port?: number }): Promise<LocalSecretsManager> {
  const { file } = options;
  const read = (): SecretFile => (existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as SecretFile) : {});
  const write = (secrets: SecretFile): void => {
    const temporary = `${file}.tmp`;
    writeFileSync(temporary, JSON.stringify(secrets, null, 2), { mode: 0o600 });
    chmodSync(temporary, 0o600);
    renameSync(temporary, file);
  };
  const putSecret = (name: string, value: string): void => {
    const secrets = read();
    secrets[name] = { value, version: (secrets[name]?.version ?? 0) + 1 };
    write(secrets);
  };
  const arnOf = (name: string): string => `arn:aws:secretsmanager:us-east-1:000000000000:secret:${name}`;

  const server: Server = createServer((request, response) => {
    void handle(request, response).catch(() => reply(response, 500, { __type: 'InternalServiceError', message: 'internal error' }));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const target = String(request.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>;
    } catch {
      return reply(response, 400, { __type: 'InvalidRequestException', message: 'body is not JSON' });
    }
    const name = String(input.SecretId ?? input.Name ?? '');
    const secrets = read();
    const existing = secrets[name];
    const notFound = () =>
      reply(response, 400, { __type: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret." });
    switch (target) {
      case 'GetSecretValue':
        if (!existing) return notFound();
        return reply(response, 200, {
          ARN: arnOf(name),
          Name: name,
          SecretString: existing.value,
          VersionId: `v${existing.version}`,
          VersionStages: ['AWSCURRENT'],
          CreatedDate: Date.now() / 1000,
        });
      case 'DescribeSecret':
        if (!existing) return notFound();
        return reply(response, 200, { ARN: arnOf(name), Name: name });
      case 'CreateSecret':
        if (existing) return reply(response, 400, { __type: 'ResourceExistsException', message: `The secret ${name} already exists.` });
        putSecret(name, String(input.SecretString ?? ''));
        return reply(response, 200, { ARN: arnOf(name), Name: name, VersionId: 'v1' });
      case 'PutSecretValue':
        if (!existing) return notFound();
        putSecret(name, String(input.SecretString ?? ''));
        return reply(response, 200, { ARN: arnOf(name), Name: name, VersionId: `v${existing.version + 1}` });
      case 'DeleteSecret': {
        if (!existing) return notFound();
        delete secrets[name];
        write(secrets);
        return reply(response, 200, { ARN: arnOf(name), Name: name, DeletionDate: Date.now() / 1000 });
      }
      default:
        return reply(response, 400, { __type: 'InvalidAction', message: `unsupported action ${target}` });
    }
  }

  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    putSecret,
    getSecret: (name) => read()[name]?.value,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
