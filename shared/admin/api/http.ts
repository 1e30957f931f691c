// The admin API's HTTP edges: reading a payload-2.0 event (path, query, JSON body, limits) and writing JSON answers
// and the `{error:{message,hint,code}}` body, with the headers every admin answer carries. Never a stack trace.
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { AdminErrorCode, ErrorBody } from '../api-types';
import { AdminError, explainError, usageError } from '../errors';

/** Larger JSON bodies are refused (the biggest request, an add of many repositories, is a few KiB). */
export const MAX_BODY_BYTES = 64 * 1024;

const STATUS_OF: Record<AdminErrorCode, number> = {
  'invalid-request': 400,
  unauthenticated: 401,
  forbidden: 403,
  'not-found': 404,
  conflict: 409,
  'payload-too-large': 413,
  'unsupported-media-type': 415,
  'bitbucket-refused': 422,
  'upstream-unavailable': 502,
  failed: 500,
};

const HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
};

/** A JSON answer. */
export function json(statusCode: number, body: unknown, headers: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { ...HEADERS, ...headers }, body: statusCode === 204 ? '' : JSON.stringify(body) };
}

/** The answer for any error: its explanation in the CLI's wording, the status of its code. */
export function errorResponse(error: unknown): APIGatewayProxyStructuredResultV2 {
  const explained = explainError(error);
  const body: ErrorBody = {
    error: {
      message: explained.message,
      ...(explained.hint ? { hint: explained.hint } : {}),
      code: explained.code,
      ...(explained.retryAfterSeconds !== undefined ? { retryAfterSeconds: explained.retryAfterSeconds } : {}),
    },
  };
  const retry: Record<string, string> =
    explained.retryAfterSeconds !== undefined ? { 'retry-after': String(explained.retryAfterSeconds) } : {};
  return json(STATUS_OF[explained.code], body, retry);
}

/** The body of an answer as `ErrorBody.error`, for answers that report a problem next to their results. */
export function errorJson(error: unknown): ErrorBody['error'] {
  const explained = explainError(error);
  return { message: explained.message, ...(explained.hint ? { hint: explained.hint } : {}), code: explained.code };
}

/** The JSON body of a request as an object (`{}` when empty); 413, 415 or 400 otherwise. */
export function jsonBody(event: APIGatewayProxyEventV2): Record<string, unknown> {
  if (!event.body) return {};
  const bytes = Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
  if (bytes.length > MAX_BODY_BYTES)
    throw new AdminError(`the request body is larger than ${MAX_BODY_BYTES / 1024} KiB`, { code: 'payload-too-large' });
  const type = headerOf(event, 'content-type') ?? '';
  if (!/^application\/json\b/i.test(type))
    throw new AdminError(`the request body must be JSON, got content type ${JSON.stringify(type.slice(0, 60))}`, {
      hint: 'send Content-Type: application/json',
      code: 'unsupported-media-type',
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(bytes.toString('utf8'));
  } catch {
    throw usageError('the request body is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw usageError('the request body must be a JSON object');
  return parsed as Record<string, unknown>;
}

/** A header of the request, whatever the case of its name. */
export function headerOf(event: APIGatewayProxyEventV2, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(event.headers ?? {})) if (key.toLowerCase() === wanted) return value;
  return undefined;
}

/** An optional string field of a body; a usage error when present and not a non-empty string. */
export function optionalString(body: Record<string, unknown>, name: string): string | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || value.trim() === '') throw usageError(`"${name}" must be a non-empty string`);
  return value.trim();
}

/** A required string field of a body. */
export function requiredString(body: Record<string, unknown>, name: string, hint?: string): string {
  const value = optionalString(body, name);
  if (value === undefined) throw usageError(`"${name}" is missing`, hint);
  return value;
}

/** An optional boolean field of a body. */
export function optionalBoolean(body: Record<string, unknown>, name: string): boolean | undefined {
  const value = body[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') throw usageError(`"${name}" must be true or false`);
  return value;
}

/**
 * An access token from a body: never quoted back, never in a URL. One word (tokens have no spaces), at most 4 KiB.
 */
export function accessToken(body: Record<string, unknown>, required: boolean): string | undefined {
  const value = body.token;
  if (value === undefined || value === null || value === '') {
    if (!required) return undefined;
    throw usageError(
      '"token" is missing: a repository, project or workspace access token is needed',
      'create it in Bitbucket (Repository settings → Security → Access tokens) with the scopes Repositories: Read and Webhooks: Read and write',
    );
  }
  if (typeof value !== 'string' || /\s/.test(value.trim()) || value.length > 4096)
    throw usageError('"token" must be one access token (a single word)');
  return value.trim();
}
