// A model's exact bytes in the browser, whatever their size (up to the hub's 32 MiB): one read API answer carries at
// most 4 MiB, so a larger model comes in ranged parts of one version (If-Match), joined and checked against the
// SHA-256 the hub recorded before anything is saved — the typed client's download (client/model-hub-client.ts) for
// a browser, which cannot sign SigV4 and reads through the admin API's read proxy instead.
import { ApiError, type AdminApi, type BytesAnswer } from './client';

/** A download is started over at most this many times when the model changes between its parts. */
const MAX_RESTARTS = 3;

const AGAIN = 'download it again; if it keeps failing, the model may be changing: wait for its sync to finish';

/** The model's bytes with what the hub recorded of them, after the check. */
export interface DownloadedModel {
  readonly blob: Blob;
  readonly sha256: string;
  /** Answers it took (1 when the whole model, or its brotli form the browser decoded, fitted in one). */
  readonly parts: number;
}

type Query = Record<string, string | number | boolean | undefined>;

/** Downloads the content at `path` (a read API content route) with `query`, in parts when it must. */
export async function downloadModel(api: AdminApi, path: string, query: Query): Promise<DownloadedModel> {
  for (let restart = 0; ; restart++) {
    try {
      return await downloadOnce(api, path, query);
    } catch (error) {
      if (!(error instanceof ApiError && readCode(error) === 'model-changed') || restart >= MAX_RESTARTS) throw error;
    }
  }
}

/**
 * Asks for the whole content first: the browser accepts brotli by itself, so most models arrive in one answer,
 * decoded. Over 4 MiB even so, the read API answers 413 `range-required`, and the parts follow.
 */
async function downloadOnce(api: AdminApi, path: string, query: Query): Promise<DownloadedModel> {
  let whole: BytesAnswer;
  try {
    whole = await api.bytes(path, query);
  } catch (error) {
    if (!(error instanceof ApiError && readCode(error) === 'range-required')) throw error;
    const { first, parts } = await inParts(api, path, query);
    return verified(first, parts);
  }
  return verified(whole, [whole.bytes]);
}

/**
 * Asks `Range: bytes=<received>-` until Content-Range's total (a ranged request travels uncoded: the browser sends
 * `Accept-Encoding: identity` with it), every part after the first only if the model is still the first's version.
 */
async function inParts(api: AdminApi, path: string, query: Query): Promise<{ first: BytesAnswer; parts: Uint8Array[] }> {
  const parts: Uint8Array[] = [];
  let first: BytesAnswer | undefined;
  let received = 0;
  let total: number;
  do {
    const condition: Record<string, string> = first ? { 'if-match': first.header('etag') ?? '' } : {};
    const answer = await api.bytes(path, query, { range: `bytes=${received}-`, ...condition });
    const coding = answer.header('content-encoding') ?? 'identity';
    if (coding !== 'identity')
      throw new ApiError(
        `the hub sent a part of the model with content coding ${coding}, which cannot be joined`,
        AGAIN,
        'bad-response',
        answer.status,
      );
    total = answer.status === 206 ? totalOfPart(answer, received) : answer.bytes.byteLength;
    first ??= answer;
    parts.push(answer.bytes);
    received += answer.bytes.byteLength;
  } while (received < total);
  return { first, parts };
}

/** The total a 206 part announces, after checking it starts where the download stands and holds what it says. */
function totalOfPart(answer: BytesAnswer, expectedStart: number): number {
  const contentRange = answer.header('content-range') ?? '';
  const range = /^bytes (\d+)-(\d+)\/(\d+)$/.exec(contentRange);
  if (!range || Number(range[1]) !== expectedStart || answer.bytes.byteLength !== Number(range[2]) - Number(range[1]) + 1)
    throw new ApiError(
      `the hub sent an unexpected part of the model (Content-Range “${contentRange}” for bytes ${expectedStart}-)`,
      AGAIN,
      'bad-response',
      answer.status,
    );
  return Number(range[3]);
}

/** Joins the parts and checks them against the SHA-256 and size the hub recorded (`x-model-sha256`, `x-model-size`). */
async function verified(first: BytesAnswer, parts: readonly Uint8Array[]): Promise<DownloadedModel> {
  const bytes = new Uint8Array(parts.reduce((sum, part) => sum + part.byteLength, 0));
  let offset = 0;
  for (const part of parts) {
    bytes.set(part, offset);
    offset += part.byteLength;
  }
  const sha256 = hex(await crypto.subtle.digest('SHA-256', bytes));
  const expected = first.header('x-model-sha256');
  const size = first.header('x-model-size');
  if (sha256 !== expected || (size !== null && Number(size) !== bytes.byteLength))
    throw new ApiError(
      `the downloaded bytes (${bytes.byteLength} bytes, SHA-256 ${sha256}) do not match the model the hub recorded (${size ?? '?'} bytes, SHA-256 ${expected ?? 'not sent'}); nothing was saved`,
      AGAIN,
      'bad-response',
      first.status,
    );
  return { blob: new Blob([bytes], { type: 'application/json' }), sha256, parts: parts.length };
}

function hex(digest: ArrayBuffer): string {
  return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** The read API's own error code (range-required, model-changed…), which the admin API's codes do not list. */
function readCode(error: ApiError): string {
  return error.code;
}
