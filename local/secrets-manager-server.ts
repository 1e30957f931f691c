// A Secrets Manager stand-in, so handlers keep their real secret-reading code locally.
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LocalCredentials } from './local-credentials';
import { sigV4Refusal } from './sigv4-check';

/**
 * A local stand-in for AWS Secrets Manager: speaks the SDK's JSON protocol (GetSecretValue, CreateSecret,
 * PutSecretValue, DescribeSecret, DeleteSecret) over HTTP and keeps the secrets in one JSON file with mode 0600.
 * Handlers keep their real Secrets Manager code; only `AWS_ENDPOINT_URL_SECRETS_MANAGER` points here.
 *
 * It answers only the local runtime's own processes: a request must carry a SigV4 signature made with the runtime's
 * keys (checked in full with the secret key, which never travels: the access key id alone, shown by every signed
 * request, is not enough), at most 5 minutes old, and name a loopback `Host` (a web page in a browser cannot then
 * reach it through DNS rebinding). Anything else gets 403 and no secret, so the file's 0600 mode is not undone by
 * the port.
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

export interface LocalSecretsManagerOptions {
  readonly file: string;
  readonly port?: number;
  /** The only keys requests may be signed with (the local runtime's own, see `local-credentials.ts`). */
  readonly credentials: LocalCredentials;
}

export async function startLocalSecretsManager(options: LocalSecretsManagerOptions): Promise<LocalSecretsManager> {
  const { file } = options;
  if (options.credentials.accessKeyId.length < 16 || options.credentials.secretAccessKey.length < 16)
    throw new RangeError('the local Secrets Manager needs generated credentials (16+ characters each)');
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
    const hostRefusal = refuseHost(request, port);
    if (hostRefusal) {
      request.resume();
      return reply(response, 403, { __type: 'AccessDeniedException', message: hostRefusal });
    }
    const body = await readBody(request);
    if (!body) return reply(response, 413, { __type: 'InvalidRequestException', message: `body larger than ${MAX_BODY_BYTES} bytes` });
    const refusal = await sigV4Refusal(
      { method: request.method ?? 'GET', url: request.url ?? '/', headers: request.headers, body },
      options.credentials,
    );
    if (refusal) return reply(response, 403, { __type: 'AccessDeniedException', message: refusal });
    const target = String(request.headers['x-amz-target'] ?? '').replace('secretsmanager.', '');
    let input: Record<string, unknown>;
    try {
      input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
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
  const port = (server.address() as AddressInfo).port;
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

/** Hosts a request to this server may name: the loopback addresses (a rebinding attack names the attacker's domain). */
const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** Why a request's `Host` is refused (not this server on a loopback name), or undefined when it is fine. */
function refuseHost(request: IncomingMessage, port: number): string | undefined {
  const host = request.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!match || !LOOPBACK_HOSTS.has(match[1]!) || (match[2] !== undefined && Number(match[2]) !== port))
    return 'requests must name a loopback host';
  return undefined;
}

/** Secrets Manager takes at most 64 KiB per secret; a request body beyond this is no request of the runtime. */
const MAX_BODY_BYTES = 1024 * 1024;

/** The request's body, or undefined when it exceeds MAX_BODY_BYTES (the rest is not read). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    total += chunk.length;
    if (total > MAX_BODY_BYTES) {
      request.resume();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
