/**
 * @jest-environment node
 */
// The console's download of a model's exact bytes against a scripted read API: whole, in parts, changed midway, corrupt.
import { ApiError, type BytesAnswer } from '../../console/api/client';
import { downloadModel } from '../../console/api/download';
import { scriptedApi } from './support';

const ROUTE = 'GET /read/repositories/%7Bu%7D/content';
const MAX_PART = 10;
const model = new TextEncoder().encode('{"modelName":"A model in parts"}');
/** Hex SHA-256 with Web Crypto (Node.js has it as the browser does). */
const sha256 = async (bytes: Uint8Array<ArrayBuffer>) =>
  [...new Uint8Array(await crypto.subtle.digest('SHA-256', bytes))].map((byte) => byte.toString(16).padStart(2, '0')).join('');
let modelSha256: string;
beforeAll(async () => {
  modelSha256 = await sha256(model);
});

const answer = (status: number, bytes: Uint8Array, headers: Record<string, string>): BytesAnswer => ({
  status,
  bytes,
  header: (name) => headers[name] ?? null,
});

const rangeRequired = () =>
  new ApiError('the content is 39 bytes; one answer carries at most 10', 'ask for it in parts', 'range-required' as never, 413);

/** The read API's content route as it answers a model over what one answer carries, at `version` (its ETag). */
function readApi(content: Uint8Array, options: { version?: () => string; recorded?: string } = {}) {
  const version = options.version ?? (() => '"b10b"');
  return (headers?: Record<string, string>) => {
    if (!headers?.range) return rangeRequired();
    if (headers['if-match'] && headers['if-match'] !== version())
      return new ApiError('the model changed since the first part', 'start the download again', 'model-changed' as never, 412);
    const start = Number(/^bytes=(\d+)-$/.exec(headers.range)![1]);
    const end = Math.min(start + MAX_PART, content.byteLength) - 1;
    return answer(206, content.slice(start, end + 1), {
      etag: version(),
      'content-range': `bytes ${start}-${end}/${content.byteLength}`,
      'x-model-sha256': options.recorded ?? modelSha256,
      'x-model-size': String(content.byteLength),
    });
  };
}

describe('downloading a model’s exact bytes', () => {
  it('takes the whole content in one answer when it fits, and checks it', async () => {
    const api = scriptedApi({ [ROUTE]: answer(200, model, { 'x-model-sha256': modelSha256, 'x-model-size': String(model.byteLength) }) });

    const downloaded = await downloadModel(api, '/read/repositories/%7Bu%7D/content', { path: 'a.hck.json' });

    expect(new Uint8Array(await downloaded.blob.arrayBuffer())).toEqual(model);
    expect(downloaded).toMatchObject({ sha256: modelSha256, parts: 1 });
  });

  it('joins the ranged parts of one version when the content is over what one answer carries', async () => {
    const api = scriptedApi({ [ROUTE]: readApi(model) });

    const downloaded = await downloadModel(api, '/read/repositories/%7Bu%7D/content', { path: 'a.hck.json' });

    expect(new Uint8Array(await downloaded.blob.arrayBuffer())).toEqual(model);
    expect(downloaded.parts).toBe(4);
    expect(api.calls.map((call) => call.body)).toEqual([
      undefined,
      { range: 'bytes=0-' },
      { range: 'bytes=10-', 'if-match': '"b10b"' },
      { range: 'bytes=20-', 'if-match': '"b10b"' },
      { range: 'bytes=30-', 'if-match': '"b10b"' },
    ]);
    expect(api.calls.every((call) => (call.query as { path: string }).path === 'a.hck.json')).toBe(true);
  });

  it('starts over when the model changes between its parts, never joining two versions', async () => {
    let requests = 0;
    const api = scriptedApi({ [ROUTE]: readApi(model, { version: () => (++requests <= 2 ? '"old"' : '"new"') }) });

    const downloaded = await downloadModel(api, '/read/repositories/%7Bu%7D/content', { path: 'a.hck.json' });

    expect(new Uint8Array(await downloaded.blob.arrayBuffer())).toEqual(model);
    expect(api.calls.filter((call) => call.body === undefined)).toHaveLength(2);
  });

  it('refuses bytes that do not match the recorded SHA-256, saying what to do', async () => {
    const api = scriptedApi({ [ROUTE]: readApi(model, { recorded: 'ab'.repeat(32) }) });

    const refusal = await downloadModel(api, '/read/repositories/%7Bu%7D/content', { path: 'a.hck.json' }).catch((error: unknown) => error);

    expect(refusal).toBeInstanceOf(ApiError);
    expect((refusal as ApiError).message).toMatch(/do not match the model the hub recorded .*nothing was saved/);
    expect((refusal as ApiError).hint).toMatch(/^download it again/);
  });

  it('refuses a part that is not the one asked for', async () => {
    const api = scriptedApi({
      [ROUTE]: (headers?: Record<string, string>) =>
        headers?.range ? answer(206, model.slice(5, 15), { 'content-range': `bytes 5-14/${model.byteLength}` }) : rangeRequired(),
    });

    await expect(downloadModel(api, '/read/repositories/%7Bu%7D/content', { path: 'a.hck.json' })).rejects.toThrow(
      `the hub sent an unexpected part of the model (Content-Range “bytes 5-14/${model.byteLength}” for bytes 0-)`,
    );
  });
});
