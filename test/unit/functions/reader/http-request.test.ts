import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { acceptedEncodings, byteRange, entityTags, ifRangeTag, parseRequest } from '../../../../functions/reader/http-request';

const event = (rawPath: string, rawQueryString = ''): APIGatewayProxyEventV2 =>
  ({ rawPath, rawQueryString, headers: { Host: 'x' }, requestContext: { http: { method: 'get' } } }) as unknown as APIGatewayProxyEventV2;

describe('reader: reading the HTTP request', () => {
  it('decodes path segments and the query exactly (+ is a space, %2B a plus), and refuses a parameter given twice', () => {
    const request = parseRequest(event('/gateway/api/v1/repositories/%7Babc%7D/model', 'path=a%20b%2B%23%25%2F%E6%A8%A1+c'));

    expect(request).toMatchObject({ method: 'GET', segments: ['repositories', '{abc}', 'model'], headers: { host: 'x' } });
    expect(request!.query.get('path')).toBe('a b+#%/模 c');
    expect(parseRequest(event('/gateway/public/sync'))).toBeUndefined();
    expect(() => parseRequest(event('/gateway/api/v1/repositories', 'limit=1&limit=2'))).toThrow('parameter limit is given more than once');
    expect(() => parseRequest(event('/gateway/api/v1/%E0%A4'))).toThrow(/not valid percent-encoding/);
  });

  it('reads Accept-Encoding with q-values and *', () => {
    expect(acceptedEncodings('gzip, deflate, br')).toEqual(['gzip', 'deflate', 'br']);
    expect(acceptedEncodings('br;q=0, gzip;q=0.5')).toEqual(['gzip']);
    expect(acceptedEncodings('*')).toEqual(['br', 'gzip']);
    expect(acceptedEncodings(undefined)).toEqual([]);
  });

  it('reads entity tag lists (weak or strong, or *) and a strong If-Range tag', () => {
    expect(entityTags('"a", W/"b.br"')).toEqual(['a', 'b.br']);
    expect(entityTags(' * ')).toEqual(['*']);
    expect(entityTags(undefined)).toBeUndefined();
    expect(ifRangeTag('"a"')).toBe('a');
    expect(ifRangeTag('W/"a"')).not.toBe('a');
    expect(ifRangeTag('Sat, 05 Dec 2026 10:00:00 GMT')).not.toBe('a');
  });

  it('reads one byte range, ignores other units, and refuses several ranges or a malformed one with a hint', () => {
    expect(byteRange('bytes=0-99')).toEqual({ start: 0, end: 99 });
    expect(byteRange('bytes=100-')).toEqual({ start: 100 });
    expect(byteRange('bytes=-10')).toEqual({ suffix: 10 });
    expect(byteRange('items=0-1')).toBeUndefined();
    expect(byteRange(undefined)).toBeUndefined();
    expect(() => byteRange('bytes=0-1,5-6')).toThrow('only one byte range per request is served');
    expect(() => byteRange('bytes=5-1')).toThrow(/ends before it starts/);
    expect(() => byteRange('bytes=x-')).toThrow(/is not a byte range/);
  });
});
