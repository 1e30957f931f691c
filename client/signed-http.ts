// SigV4-signed HTTP GETs for the typed client: the AWS SDK's own signer (@smithy/signature-v4) over node:http(s),
// which hands over the bytes exactly as sent (fetch would decode a `br` body itself, and a partial one fails).
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { SignatureV4 } from '@smithy/signature-v4';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@smithy/types';
import { Sha256 } from './sha256';

export interface SignedHttpOptions {
  /** AWS credentials, or a provider of them (e.g. `fromNodeProviderChain()` of @aws-sdk/credential-providers). */
  readonly credentials: AwsCredentialIdentity | AwsCredentialIdentityProvider;
  /** The API's region (taken from an `execute-api.<region>.amazonaws.com` host when omitted). */
  readonly region?: string;
}

export interface RawResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  /** The body exactly as sent (still compressed when `content-encoding` says so). */
  readonly body: Buffer;
}

/** Signs a GET of `url` (its query given as decoded `query`) for service execute-api and sends it. */
export async function signedGet(
  options: SignedHttpOptions,
  url: URL,
  query: Readonly<Record<string, string>>,
  headers: Readonly<Record<string, string>> = {},
): Promise<RawResponse> {
  const signer = new SignatureV4({
    credentials: options.credentials,
    region: regionOf(options, url),
    service: 'execute-api',
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: 'GET',
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: { ...query },
    headers: { host: url.host },
  });
  const wireQuery = Object.entries(query)
    .map(([name, value]) => `${encodeRfc3986(name)}=${encodeRfc3986(value)}`)
    .join('&');
  return send(url, `${url.pathname}${wireQuery ? `?${wireQuery}` : ''}`, { ...(signed.headers as Record<string, string>), ...headers });
}

/** Percent-encodes everything but RFC 3986's unreserved characters, as SigV4's canonical query does. */
export function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

function regionOf(options: SignedHttpOptions, url: URL): string {
  const region = options.region ?? /\.execute-api\.([a-z0-9-]+)\.amazonaws\.com$/.exec(url.hostname)?.[1];
  if (!region) throw new Error(`the region of ${url.host} is unknown: pass the region option (e.g. eu-west-1)`);
  return region;
}

function send(url: URL, pathAndQuery: string, headers: Record<string, string>): Promise<RawResponse> {
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = request(
      { protocol: url.protocol, hostname: url.hostname, port: url.port || undefined, method: 'GET', path: pathAndQuery, headers },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('error', reject);
        response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks) }));
      },
    );
    outgoing.on('error', reject);
    outgoing.end();
  });
}
