// Who calls the admin API and whether they may: the JWT authorizer's claims deployed (admin group required), or a
// local session. Every route asks for a principal first, so no route answers an unauthenticated or non-admin caller.
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { AdminError } from '../errors';

/** An authenticated admin. */
export interface Principal {
  /** For the events log and `GET /session`: the JWT's email / username / sub, or `local user <name>`. */
  readonly user: string;
  readonly via: 'local' | 'jwt';
  /** A local session's CSRF token (the local layer checks it); null for bearer tokens. */
  readonly csrfToken: string | null;
  readonly expiresAt: string | null;
  /** Ends a local session (`POST /session/logout`); absent for bearer tokens (the identity provider ends those). */
  logout?(): void;
}

/** Finds the principal of a request, or throws an AdminError `unauthenticated` (401) or `forbidden` (403). */
export type Authorize = (event: APIGatewayProxyEventV2) => Principal;

/** The claims API Gateway's JWT authorizer put on the event (payload 2.0), if any. */
type Claims = Readonly<Record<string, string | number | boolean | readonly string[]>>;

/**
 * Deployed authorization: API Gateway's JWT authorizer has validated the token (signature, issuer, audience,
 * expiry); the handler requires `adminGroup` among the token's groups (`cognito:groups`, else `groups`).
 */
export function jwtAuthorizer(adminGroup: string): Authorize {
  return (event) => {
    const claims = (event.requestContext as { authorizer?: { jwt?: { claims?: Claims } } }).authorizer?.jwt?.claims;
    if (!claims || Object.keys(claims).length === 0)
      throw new AdminError('not signed in: the request carries no validated token', {
        hint: 'sign in to the console again (the token may have expired)',
        code: 'unauthenticated',
      });
    const groups = [...groupsOf(claims['cognito:groups']), ...groupsOf(claims.groups)];
    const user = String(claims.email ?? claims['cognito:username'] ?? claims.username ?? claims.sub ?? 'unknown');
    if (!groups.includes(adminGroup))
      throw new AdminError(`${user} is not in the admin group ${adminGroup}`, {
        hint: `ask an administrator of the identity provider to add you to the group ${adminGroup}, then sign in again`,
        code: 'forbidden',
      });
    return { user: `jwt ${user}`, via: 'jwt', csrfToken: null, expiresAt: null };
  };
}

/**
 * The groups of a claim. API Gateway's HTTP API hands array claims to the function as one string, `[a b c]`
 * (space-separated in brackets); other callers pass an array, a comma-separated string or a single name.
 */
export function groupsOf(claim: Claims[string] | undefined): string[] {
  if (claim === undefined || claim === null) return [];
  if (Array.isArray(claim)) return claim.map(String).filter(Boolean);
  const text = String(claim).trim();
  const inner = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  return inner
    .split(/[\s,]+/)
    .map((group) => group.replace(/^"|"$/g, ''))
    .filter(Boolean);
}
