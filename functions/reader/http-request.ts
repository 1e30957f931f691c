/**
 * What the reader reads of an HTTP request: the route's own path, strict query parameters, and the conditional,
 * range and encoding headers, parsed as RFC 9110 spells them. Bad input becomes a ReadError with a next step.
 */
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { ByteRange } from '../../shared/domain/read/content';
import { ReadError, invalidParameter } from '../../shared/domain/read/errors';

/** The read API's base path; routes are matched below it. */
export const BASE_PATH = '/gateway/api/v1';

export interface ReadRequest {
  readonly method: string;
  /** Path segments below the base path, percent-decoded (`['repositories', '{…}', 'models']`). */
  readonly segments: readonly string[];
  readonly headers: Readonly<Record<string, string | undefined>>;
  /** Query parameters, each given at most once. */
  readonly query: ReadonlyMap<string, string>;
}

/** The request's route segments, headers and query; undefined when its path is not under the base path. */
export function parseRequest(event: APIGatewayProxyEventV2): ReadRequest | undefined {
  const rawPath = event.rawPath ?? event.requestContext?.http?.path ?? '';
  if (rawPath !== BASE_PATH && !rawPath.startsWith(`${BASE_PATH}/`)) return undefined;
  const segments = rawPath
    .slice(BASE_PATH.length + 1)
    .split('/')
    .filter((segment, index, all) => segment !== '' || index < all.length - 1)
    .map(decodeSegment);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  return { method: (event.requestContext?.http?.method ?? 'GET').toUpperCase(), segments, headers, query: parseQuery(event) };
}

/** Checks that only `allowed` parameters were given, so a misspelt filter is not silently ignored. */
export function onlyParameters(request: ReadRequest, allowed: readonly string[]): void {
  for (const name of request.query.keys())
    if (!allowed.includes(name))
      throw invalidParameter(
        name,
        'is not a parameter of this route',
        allowed.length ? `its parameters are ${allowed.join(', ')}` : 'it takes none',
      );
}

/** A whole-number parameter, or undefined when absent (NaN when not a number: the use case says what is allowed). */
export function numberParameter(request: ReadRequest, name: string): number | undefined {
  const value = request.query.get(name);
  return value === undefined ? undefined : /^\d{1,9}$/.test(value) ? Number(value) : Number.NaN;
}

/** Content codings the client accepts besides identity, from `Accept-Encoding` (q=0 excluded, `*` meaning br and gzip). */
export function acceptedEncodings(header: string | undefined): string[] {
  const accepted = new Set<string>();
  for (const part of (header ?? '').split(',')) {
    const [coding, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((param) => /^\s*q=([\d.]+)\s*$/.exec(param)?.[1]).find((value) => value !== undefined);
    if (!coding || (q !== undefined && Number(q) === 0)) continue;
    if (coding === '*') ['br', 'gzip'].forEach((each) => accepted.add(each));
    else accepted.add(coding);
  }
  return [...accepted];
}

/** The entity tags of `If-None-Match` or `If-Match` without quotes and `W/`; `['*']` for any; undefined when absent. */
export function entityTags(header: string | undefined): string[] | undefined {
  if (header === undefined || header.trim() === '') return undefined;
  if (header.trim() === '*') return ['*'];
  return [...header.matchAll(/(?:W\/)?"([^"]*)"/g)].map((match) => match[1]!);
}

/** `If-Range`'s entity tag; a date (or a weak tag, which never matches strongly) reads as a tag that matches nothing. */
export function ifRangeTag(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const strong = /^\s*"([^"]*)"\s*$/.exec(header);
  return strong ? strong[1] : '\0';
}

/** One byte range of a `Range` header; undefined without one, or for a unit other than bytes (ignored, as RFC 9110 says). */
export function byteRange(header: string | undefined): ByteRange | undefined {
  if (header === undefined || !/^\s*bytes\s*=/i.test(header)) return undefined;
  const spec = header.replace(/^\s*bytes\s*=/i, '').trim();
  if (spec.includes(','))
    throw new ReadError(
      'invalid-request',
      'multiple-ranges',
      'only one byte range per request is served',
      'ask for the parts one request at a time',
    );
  const match = /^(\d{0,15})-(\d{0,15})$/.exec(spec);
  if (!match || (match[1] === '' && match[2] === ''))
    throw new ReadError(
      'invalid-request',
      'invalid-range',
      `Range ${JSON.stringify(header)} is not a byte range`,
      'send e.g. Range: bytes=0-4194303',
    );
  if (match[1] === '') return { suffix: Number(match[2]) };
  const start = Number(match[1]);
  const end = match[2] === '' ? undefined : Number(match[2]);
  if (end !== undefined && end < start)
    throw new ReadError(
      'invalid-request',
      'invalid-range',
      `Range ${JSON.stringify(header)} ends before it starts`,
      'send first-last with first <= last',
    );
  return end === undefined ? { start } : { start, end };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    throw new ReadError(
      'invalid-request',
      'invalid-path',
      `the path segment ${JSON.stringify(segment)} is not valid percent-encoding`,
      'encode path segments with encodeURIComponent',
    );
  }
}

/** The query as sent (`rawQueryString`; `+` is a space), or API Gateway's parsed parameters when the raw one is absent. */
function parseQuery(event: APIGatewayProxyEventV2): Map<string, string> {
  const query = new Map<string, string>();
  const pairs: Array<[string, string]> =
    event.rawQueryString !== undefined
      ? [...new URLSearchParams(event.rawQueryString)]
      : Object.entries(event.queryStringParameters ?? {}).map(([name, value]) => [name, value ?? '']);
  for (const [name, value] of pairs) {
    if (query.has(name)) throw invalidParameter(name, 'is given more than once', `give ${name} once`);
    query.set(name, value);
  }
  return query;
}
