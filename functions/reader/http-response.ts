/**
 * The reader's answers: JSON documents with `schemaVersion`, errors as `{ error: { message, hint, code } }` with the
 * status each kind of ReadError means, and a model's bytes with their entity tag, coding and range headers.
 */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { ContentAnswer } from '../../shared/domain/read/content';
import { ReadError, type ReadErrorKind } from '../../shared/domain/read/errors';
import { ALLOWED_METHODS, type RouteResult } from './routes';

/** The version of the read contract (docs/CONSUMERS.md); it changes only with a breaking change. */
export const SCHEMA_VERSION = 1;

const STATUS: Record<ReadErrorKind, number> = {
  'invalid-request': 400,
  'not-found': 404,
  'not-stored': 404,
  'method-not-allowed': 405,
  'precondition-failed': 412,
  'too-large': 413,
  'range-not-satisfiable': 416,
  unavailable: 503,
};

/** Bytes of JSON one answer may carry: Lambda answers at most 6 MB, headers and envelope included. */
const MAX_JSON_BYTES = 5_500_000;

/** The answer to a route's result; `head` leaves the body out (same headers). */
export function toHttpResponse(result: RouteResult, head: boolean): APIGatewayProxyStructuredResultV2 {
  if (!('json' in result)) return contentResponse(result.content, head);
  const response = json(200, result.json, false);
  if (Buffer.byteLength(response.body!, 'utf8') > MAX_JSON_BYTES)
    return errorResponse(
      new ReadError(
        'too-large',
        'response-too-large',
        'the answer is larger than one response may carry',
        'ask for fewer items with a smaller limit',
      ),
      head,
    );
  return head ? { ...response, body: '' } : response;
}

export function errorResponse(error: ReadError, head = false): APIGatewayProxyStructuredResultV2 {
  const response = json(
    STATUS[error.kind],
    { error: { message: error.message, hint: error.hint, code: error.code, ...error.details } },
    head,
  );
  const headers = response.headers as Record<string, string>;
  if (error.kind === 'method-not-allowed') headers.allow = ALLOWED_METHODS.join(', ');
  if (error.kind === 'range-not-satisfiable') headers['content-range'] = `bytes */${error.details.size}`;
  if (error.kind === 'unavailable') headers['retry-after'] = '2';
  return response;
}

/** The answer when the hub itself fails: a fixed text, no internals. */
export function internalErrorResponse(): APIGatewayProxyStructuredResultV2 {
  return json(
    500,
    {
      error: {
        message: 'internal error',
        hint: 'try again; if it persists, the hub admin finds the cause in the reader logs',
        code: 'internal',
      },
    },
    false,
  );
}

function json(statusCode: number, document: Record<string, unknown>, head: boolean): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-schema-version': String(SCHEMA_VERSION) },
    body: head ? '' : JSON.stringify({ schemaVersion: SCHEMA_VERSION, ...document }),
  };
}

function contentResponse(answer: ContentAnswer, head: boolean): APIGatewayProxyStructuredResultV2 {
  const { record } = answer;
  const headers: Record<string, string> = {
    etag: `"${answer.etag}"`,
    vary: 'accept-encoding',
    'cache-control': 'private, no-cache',
    'accept-ranges': 'bytes',
    'x-schema-version': String(SCHEMA_VERSION),
    'x-model-commit': record.commit,
    'x-model-size': String(record.size),
    ...(record.sha256 ? { 'x-model-sha256': record.sha256 } : {}),
  };
  if (answer.kind === 'not-modified') return { statusCode: 304, headers, body: '' };
  headers['content-type'] = record.status === 'valid' ? 'application/json' : 'application/octet-stream';
  if (answer.encoding !== 'identity') headers['content-encoding'] = answer.encoding;
  headers['content-length'] = String(answer.bytes.byteLength);
  if (answer.range) headers['content-range'] = `bytes ${answer.range.start}-${answer.range.end}/${answer.totalBytes}`;
  return {
    statusCode: answer.range ? 206 : 200,
    headers,
    body: head ? '' : answer.bytes.toString('base64'),
    isBase64Encoded: !head,
  };
}
