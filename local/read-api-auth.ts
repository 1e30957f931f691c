// The local read API's authorizer: what AWS_IAM authorization is on the stack's route, SigV4 (service execute-api)
// checked with the data dir's own credentials, so no other process or browser page on the machine reads the models.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import type { HttpApiHandler } from './http-api';
import type { LocalCredentials } from './local-credentials';
import { sigV4Refusal } from './sigv4-check';

/** The SigV4 service name of API Gateway, which the stack's IAM-authorized routes check too. */
export const READ_API_SERVICE = 'execute-api';

/** `handler`, reached only by requests signed for `execute-api` with `credentials`; anything else gets 403. */
export function requireSigV4(handler: HttpApiHandler, credentials: LocalCredentials): HttpApiHandler {
  return async (event) => {
    const refusal = await refusalOf(event, credentials);
    if (!refusal) return handler(event);
    return {
      statusCode: 403,
      headers: { 'content-type': 'application/json; charset=utf-8', 'x-schema-version': '1' },
      body: JSON.stringify({
        schemaVersion: 1,
        error: {
          message: refusal,
          hint: `sign requests with SigV4 (service ${READ_API_SERVICE}) using the local hub's credentials (credentials.json in its data dir), e.g. with the typed client in client/`,
          code: 'forbidden',
        },
      }),
    };
  };
}

async function refusalOf(event: APIGatewayProxyEventV2, credentials: LocalCredentials): Promise<string | undefined> {
  const authorization = event.headers?.authorization ?? '';
  if (!new RegExp(`^AWS4-HMAC-SHA256 Credential=[^/]+/\\d{8}/[\\w-]+/${READ_API_SERVICE}/aws4_request,`).test(authorization))
    return `requests must be signed with SigV4 for the service ${READ_API_SERVICE}`;
  const body = Buffer.from(event.body ?? '', event.isBase64Encoded ? 'base64' : 'utf8');
  const url = event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath;
  return sigV4Refusal({ method: event.requestContext.http.method, url, headers: event.headers, body }, credentials);
}
