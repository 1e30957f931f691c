// Verifies the AWS SigV4 signature of a request to a local stand-in with the runtime's own keys, so that knowing
// the access key id (which every signed request shows, to dynalite and the local SQS too) is not enough: the
// signature proves the sender holds the secret key, which never travels.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '../client/sha256';

/** How far a signature's time may be from the clock, either way, as AWS allows (AWS says 15 minutes; locally 5 do). */
export const MAX_SIGNATURE_SKEW_MS = 5 * 60_000;

/** The keys requests must be signed with. */
export interface SigningKeys {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** A received request, its body read. */
export interface ReceivedRequest {
  readonly method: string;
  /** Path and query as received (`IncomingMessage.url`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

// `AWS4-HMAC-SHA256 Credential=<key id>/<yyyymmdd>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>`
const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{8})\/([\w-]+)\/([\w-]+)\/aws4_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** Why the request's signature is not one made with `keys` within the allowed skew, or undefined when it is. */
export async function sigV4Refusal(request: ReceivedRequest, keys: SigningKeys, now: Date = new Date()): Promise<string | undefined> {
  const refusal = "requests must be signed with the local runtime's credentials";
  const match = AUTHORIZATION.exec(String(request.headers.authorization ?? ''));
  if (!match || !sameText(match[1]!, keys.accessKeyId)) return refusal;
  const [, , day, region, service, signedList, signature] = match as unknown as string[];
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const signedAt = parseAmzDate(amzDate);
  if (!signedAt || !amzDate.startsWith(day!)) return refusal;
  if (Math.abs(now.getTime() - signedAt.getTime()) > MAX_SIGNATURE_SKEW_MS) return 'the request was signed more than 5 minutes from now';
  const signedNames = signedList!.split(';');
  if (!signedNames.includes('host') || signedNames.some((name) => request.headers[name] === undefined)) return refusal;
  // A signed payload hash must be the body's: the signer takes the header's word for it.
  const payloadHash = request.headers['x-amz-content-sha256'];
  if (payloadHash !== undefined && payloadHash !== createHash('sha256').update(request.body).digest('hex')) return refusal;

  const expected = await signatureOf(request, keys, { signedAt, region: region!, service: service!, signedNames });
  return sameText(expected, signature!) ? undefined : refusal;
}

/** The signature the request would carry if it had been signed with `keys`, over exactly its signed headers. */
async function signatureOf(
  request: ReceivedRequest,
  keys: SigningKeys,
  scope: { signedAt: Date; region: string; service: string; signedNames: string[] },
): Promise<string> {
  const url = new URL(request.url, 'http://stand-in');
  const headers = Object.fromEntries(scope.signedNames.map((name) => [name, String(request.headers[name])]));
  const signer = new SignatureV4({
    credentials: { accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey },
    region: scope.region,
    service: scope.service,
    sha256: Sha256,
    applyChecksum: false,
  });
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: 'http:',
      hostname: url.hostname,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers,
      body: request.body,
    },
    { signingDate: scope.signedAt, signableHeaders: new Set(scope.signedNames) },
  );
  return /Signature=([0-9a-f]+)$/.exec(String(signed.headers.authorization))?.[1] ?? '';
}

/** `x-amz-date` (`20261205T080000Z`) as a Date, or undefined when it is not one. */
function parseAmzDate(value: string): Date | undefined {
  const parts = AMZ_DATE.exec(value);
  if (!parts) return undefined;
  const [, year, month, date, hours, minutes, seconds] = parts.map(Number) as number[];
  const time = Date.UTC(year!, month! - 1, date!, hours!, minutes!, seconds!);
  return Number.isNaN(time) ? undefined : new Date(time);
}

/** Compares in constant time (for equal lengths), so a signature cannot be guessed byte by byte from timings. */
export function sameText(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
