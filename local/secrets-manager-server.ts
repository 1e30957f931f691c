// A Secrets Manager stand-in, so handlers keep their real secret-reading code locally.
import { timingSafeEqual } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A local stand-in for AWS Secrets Manager: speaks the SDK's JSON protocol (GetSecretValue, CreateSecret,
 * PutSecretValue, DescribeSecret, DeleteSecret) over HTTP and keeps the secrets in one JSON file with mode 0600.
 * Handlers keep their real Secrets Manager code; only `AWS_ENDPOINT_URL_SECRETS_MANAGER` points here.
 *
 * It answers only the local runtime's own processes: a request must carry the SigV4 `Authorization` header the SDK
 * signs with the runtime's access key id, and a loopback `Host` (a web page in a browser cannot then reach it
 * through DNS rebinding). Anything else gets 403 and no secret, so the file's 0600 mode is not undone by the port.
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
  /** The only access key id accepted (the local runtime's own, see `local-credentials.ts`). */
  readonly accessKeyId: string;
}

export async function startLocalSecretsManager(options: LocalSecretsManagerOptions): Promise<LocalSecretsManager> {
  const { file } = options;
  if (options.accessKeyId.length < 16) throw new RangeError('the local Secrets Manager needs a generated access key id (16+ characters)');
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
    const refusal = refuse(request, options.accessKeyId, port);
    if (refusal) {
      request.resume();
      return reply(response, 403, { __type: 'AccessDeniedException', message: refusal });
    }
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

/** Why a request is refused, or undefined for a request of the runtime itself. */
function refuse(request: IncomingMessage, accessKeyId: string, port: number): string | undefined {
  const host = request.headers.host ?? '';
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(host.toLowerCase());
  if (!match || !LOOPBACK_HOSTS.has(match[1]!) || (match[2] !== undefined && Number(match[2]) !== port))
    return 'requests must name a loopback host';
  // SigV4: `AWS4-HMAC-SHA256 Credential=<access key id>/<date>/<region>/<service>/aws4_request, SignedHeaders=…, Signature=…`
  const credential = /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\//.exec(String(request.headers.authorization ?? ''));
  if (!credential || !sameText(credential[1]!, accessKeyId)) return "requests must be signed with the local runtime's credentials";
  return undefined;
}

function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

function reply(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/x-amz-json-1.1' });
  response.end(JSON.stringify(body));
}
