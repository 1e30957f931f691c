import { internalErrorResponse, secretUnavailableResponse, toHttpResponse } from '../../../../functions/verifier/http-response';

const CLOUDBEERS = '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}';

describe("the verifier's answers to Bitbucket", () => {
  it('maps every outcome to the status Bitbucket should see', () => {
    const repository = { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' };
    expect(
      toHttpResponse({ outcome: 'queued', reason: 'queued', repository: { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' } }),
    ).toMatchObject({ statusCode: 202, body: 'queued' });
    expect(
      toHttpResponse({ outcome: 'duplicate', reason: 'duplicate', repository: { uuid: CLOUDBEERS, fullName: 'cloudbeers/temp' } }),
    ).toMatchObject({ statusCode: 202, body: 'duplicate' });
    expect(toHttpResponse({ outcome: 'ignored', reason: 'tag push only' })).toMatchObject({
      statusCode: 202,
      body: 'ignored: tag push only',
    });
    expect(toHttpResponse({ outcome: 'rejected', reason: 'invalid signature' })).toMatchObject({
      statusCode: 401,
      body: 'invalid signature',
    });
    expect(toHttpResponse({ outcome: 'rejected', reason: 'malformed payload', detail: 'push.changes is missing' })).toMatchObject({
      statusCode: 400,
      body: 'malformed payload: push.changes is missing',
    });
    expect(toHttpResponse({ outcome: 'rejected', reason: 'malformed JSON' })).toMatchObject({ statusCode: 400, body: 'malformed JSON' });
    expect(toHttpResponse({ outcome: 'rejected', reason: 'payload too large' })).toMatchObject({ statusCode: 413 });
    expect(toHttpResponse({ outcome: 'rejected', reason: 'repository not added', repository })).toMatchObject({
      statusCode: 403,
      body: `repository cloudbeers/temp ${CLOUDBEERS} is not added to this Model Hub`,
    });
  });

  it('answers plain text, and a fixed text without internals when the hub itself fails', () => {
    expect(toHttpResponse({ outcome: 'ignored', reason: 'tag push only' }).headers).toEqual({
      'content-type': 'text/plain; charset=utf-8',
    });
    expect(internalErrorResponse()).toEqual({
      statusCode: 500,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'internal error; see the verifier logs',
    });
    expect(secretUnavailableResponse()).toEqual({
      statusCode: 503,
      headers: { 'content-type': 'text/plain; charset=utf-8' },
      body: 'webhook secret unavailable; Bitbucket retries',
    });
  });
});
