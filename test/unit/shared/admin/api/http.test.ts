import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { accessToken, errorResponse, jsonBody, MAX_BODY_BYTES } from '../../../../../shared/admin/api/http';
import { AdminError } from '../../../../../shared/admin/errors';

const withBody = (body: string, contentType = 'application/json', isBase64Encoded = false) =>
  ({ headers: { 'content-type': contentType }, body, isBase64Encoded }) as unknown as APIGatewayProxyEventV2;

const codeOf = (action: () => unknown): string => {
  try {
    action();
  } catch (error) {
    return (error as AdminError).code;
  }
  return 'none';
};

describe('admin API request bodies', () => {
  it('reads a JSON object, plain or base64', () => {
    expect(jsonBody(withBody('{"a":1}'))).toEqual({ a: 1 });
    expect(jsonBody(withBody(Buffer.from('{"b":true}').toString('base64'), 'application/json; charset=utf-8', true))).toEqual({ b: true });
    expect(jsonBody({ headers: {} } as unknown as APIGatewayProxyEventV2)).toEqual({});
  });

  it('refuses what is not a small JSON object, each with its own code', () => {
    expect(codeOf(() => jsonBody(withBody('a=1', 'application/x-www-form-urlencoded')))).toBe('unsupported-media-type');
    expect(codeOf(() => jsonBody(withBody(`"${'x'.repeat(MAX_BODY_BYTES)}"`)))).toBe('payload-too-large');
    expect(codeOf(() => jsonBody(withBody('{nope')))).toBe('invalid-request');
    expect(codeOf(() => jsonBody(withBody('[1,2]')))).toBe('invalid-request');
  });

  it('takes one access token and never quotes it back in an error', () => {
    const token = 'ATCTT3xFfGN0-generated-in-test';
    expect(accessToken({ token: ` ${token} ` }, true)).toBe(token);
    expect(accessToken({}, false)).toBeUndefined();
    for (const body of [{ token: `${token} second-word` }, { token: 42 }, {}]) {
      const answer = (() => {
        try {
          accessToken(body, true);
        } catch (error) {
          return errorResponse(error);
        }
        throw new Error('accepted');
      })();
      expect(answer.statusCode).toBe(400);
      expect(answer.body).not.toContain(token);
    }
  });
});

describe('admin API error answers', () => {
  it('map codes to statuses, keep the hint, add Retry-After to waits, and never carry a stack', () => {
    const wait = errorResponse(new AdminError('too early', { hint: 'wait', code: 'conflict', retryAfterSeconds: 42 }));
    const unexpected = errorResponse(new TypeError('x is undefined'));

    expect(wait.statusCode).toBe(409);
    expect(wait.headers).toEqual(expect.objectContaining({ 'retry-after': '42', 'cache-control': 'no-store' }));
    expect(JSON.parse(wait.body!)).toEqual({ error: { message: 'too early', hint: 'wait', code: 'conflict', retryAfterSeconds: 42 } });
    expect(unexpected.statusCode).toBe(500);
    expect(JSON.parse(unexpected.body!)).toEqual({ error: { message: 'TypeError: x is undefined', code: 'failed' } });
    expect(unexpected.body).not.toMatch(/\bat\b.*:\d+:\d+/);
  });
});
