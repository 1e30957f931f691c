/** The verifier's answers to Bitbucket: what each decision looks like in the webhook's "Recent events". */
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { DeliveryOutcome } from '../../shared/domain/accept-delivery';

/** Maps a decision to the status Bitbucket shows in "Recent events". Only 5xx makes Bitbucket retry. */
export function toHttpResponse(outcome: DeliveryOutcome): APIGatewayProxyStructuredResultV2 {
  switch (outcome.outcome) {
    case 'queued':
      return text(202, 'queued');
    case 'duplicate':
      return text(202, 'duplicate');
    case 'ignored':
      return text(202, `ignored: ${outcome.reason}`);
    case 'rejected':
      switch (outcome.reason) {
        case 'invalid signature':
          return text(401, 'invalid signature');
        case 'payload too large':
          return text(413, 'payload too large');
        case 'repository not added':
          return text(403, `repository ${outcome.repository?.fullName} ${outcome.repository?.uuid} is not added to this Model Hub`);
        default:
          return text(400, outcome.detail ? `${outcome.reason}: ${outcome.detail}` : outcome.reason);
      }
  }
}

/** The answer when the hub's own infrastructure fails: a fixed text, no internals; Bitbucket retries. */
export function internalErrorResponse(): APIGatewayProxyStructuredResultV2 {
  return text(500, 'internal error; see the verifier logs');
}

/**
 * The answer when the webhook secret cannot be read: no delivery can be verified, so none is refused for good
 * either. A 5xx makes Bitbucket retry the genuine ones, and the 5xx alarm is right: every delivery is failing.
 */
export function secretUnavailableResponse(): APIGatewayProxyStructuredResultV2 {
  return text(503, 'webhook secret unavailable; Bitbucket retries');
}

function text(statusCode: number, body: string): APIGatewayProxyStructuredResultV2 {
  return { statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body };
}
