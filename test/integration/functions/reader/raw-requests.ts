/**
 * Requests to the local read API below the typed client: unsigned, or signed by hand with the AWS SDK's signer for
 * any method (the way docs/CONSUMERS.md shows a raw call), so tests can send what the client never would.
 */
import { request, type IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { encodeRfc3986 } from '../../../../client/signed-http';
import { Sha256 } from '../../../../client/sha256';
import type { CliTestBed } from '../../cli/cli-harness';

export interface RawAnswer {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

export function rawRequest(method: string, url: string, headers: Record<string, string> = {}): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const outgoing = request(url, { method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
    });
    outgoing.on('error', reject);
    outgoing.end();
  });
}

/** A request to `route` (below the base path, already encoded) signed with the hub's credentials. */
export async function signedRequest(
  bed: CliTestBed,
  route: string,
  query: Record<string, string>,
  headers: Record<string, string> = {},
  options: { method?: string; tamperPath?: boolean; service?: string } = {},
): Promise<RawAnswer> {
  const url = new URL(`${bed.hub.readApiUrl}/${route}`);
  const env = bed.hub.standIns.env;
  const signer = new SignatureV4({
    credentials: { accessKeyId: env.AWS_ACCESS_KEY_ID!, secretAccessKey: env.AWS_SECRET_ACCESS_KEY! },
    region: 'us-east-1',
    service: options.service ?? 'execute-api',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: options.method ?? 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    port: Number(url.port),
    path: url.pathname,
    query,
    headers: { host: url.host },
  });
  const wireQuery = Object.entries(query)
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
    .join('&');
  const path = options.tamperPath ? url.pathname.replace('repositories', 'repositorieS') : url.pathname;
  return rawRequest(options.method ?? 'GET', `${url.origin}${path}${wireQuery ? `?${wireQuery}` : ''}`, {
    ...(signed.headers as Record<string, string>),
    ...headers,
  });
}
