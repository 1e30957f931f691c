// Who may call the read and admin APIs, from CDK context: the JWT issuers and audiences, the admin group, the CORS
// origins, the Cognito login domain and the console's own domain, validated in one place so a bad value stops the
// synth with a clear message.
import { ModelHubConfigError } from './config';

/** The CDK context keys this module reads. Documented in docs/DEPLOY.md. */
export const ACCESS_CONTEXT_KEYS = [
  'readJwtIssuer',
  'readJwtAudience',
  'adminJwtIssuer',
  'adminJwtAudience',
  'adminGroup',
  'adminLoginDomainPrefix',
  'corsOrigins',
  'consoleDomainName',
  'consoleCertificateArn',
] as const;

/** The admin group when `adminGroup` is not set. */
export const DEFAULT_ADMIN_GROUP = 'model-hub-admins';

/** An OIDC issuer and the audiences (client ids) an HTTP API JWT authorizer accepts. */
export interface JwtSettings {
  /** The `iss` of the tokens; API Gateway fetches `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  /** Accepted `aud` (or `client_id`) values; at least one. */
  readonly audience: readonly string[];
}

/** Authentication of the read and admin APIs. Neither can be turned off: only its kind is chosen. */
export interface AccessConfig {
  /** JWT authorizer of the read routes, or `undefined` for AWS IAM (SigV4), the default. */
  readonly readJwt?: JwtSettings;
  /** JWT authorizer of the admin routes, or `undefined` for a Cognito user pool the stack creates. */
  readonly adminJwt?: JwtSettings;
  /** Group whose members may use the admin API (`cognito:groups` or `groups` claim). */
  readonly adminGroup: string;
  /** Prefix of the Cognito hosted login domain, or `undefined` for `<stackname>-<account id>`. */
  readonly adminLoginDomainPrefix?: string;
  /** Browser origins allowed to call the API cross-origin; empty (the default) configures no CORS at all. */
  readonly corsOrigins: readonly string[];
  /** The console's own domain and its ACM certificate (us-east-1), or `undefined` for its cloudfront.net name. */
  readonly consoleDomain?: ConsoleDomain;
}

/** A custom domain of the console's distribution. */
export interface ConsoleDomain {
  readonly domainName: string;
  /** ARN of an ACM certificate in us-east-1 (CloudFront's region) covering `domainName`. */
  readonly certificateArn: string;
}

type ContextReader = (key: (typeof ACCESS_CONTEXT_KEYS)[number]) => unknown;

/** Reads the access settings through `get` (which maps "" and null to undefined, as readHubConfig's does). */
export function readAccessConfig(get: ContextReader): AccessConfig {
  const adminGroupRaw = get('adminGroup');
  const adminGroup = typeof adminGroupRaw === 'string' ? adminGroupRaw.trim() : adminGroupRaw === undefined ? DEFAULT_ADMIN_GROUP : '';
  // Cognito's group-name rule, narrowed to characters that survive a JWT claim and a shell unquoted.
  if (!/^[\w+=,.@-]{1,128}$/.test(adminGroup)) {
    throw new ModelHubConfigError('adminGroup', adminGroupRaw, 'a group name of 1 to 128 letters, digits or + = , . @ _ -');
  }
  return {
    readJwt: readJwt(get, 'readJwtIssuer', 'readJwtAudience'),
    adminJwt: readJwt(get, 'adminJwtIssuer', 'adminJwtAudience'),
    adminGroup,
    adminLoginDomainPrefix: readDomainPrefix(get('adminLoginDomainPrefix')),
    corsOrigins: readCorsOrigins(get('corsOrigins')),
    consoleDomain: readConsoleDomain(get('consoleDomainName'), get('consoleCertificateArn')),
  };
}

/** Domain and certificate come together: CloudFront serves an alternate domain name only with a certificate for it. */
function readConsoleDomain(domainRaw: unknown, certificateRaw: unknown): ConsoleDomain | undefined {
  if (domainRaw === undefined && certificateRaw === undefined) return undefined;
  const domainName = typeof domainRaw === 'string' ? domainRaw.trim().toLowerCase() : '';
  if (!/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(domainName)) {
    throw new ModelHubConfigError(
      'consoleDomainName',
      domainRaw,
      'a domain name such as hub.example.com, set together with consoleCertificateArn',
    );
  }
  const certificateArn = typeof certificateRaw === 'string' ? certificateRaw.trim() : '';
  if (!/^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]{36}$/.test(certificateArn)) {
    throw new ModelHubConfigError(
      'consoleCertificateArn',
      certificateRaw,
      'the ARN of an ACM certificate in us-east-1 (CloudFront uses only that region) covering consoleDomainName',
    );
  }
  return { domainName, certificateArn };
}

/** Issuer and audience come together or not at all: one without the other is a half-made decision. */
function readJwt(get: ContextReader, issuerKey: 'readJwtIssuer' | 'adminJwtIssuer', audienceKey: 'readJwtAudience' | 'adminJwtAudience') {
  const issuerRaw = get(issuerKey);
  const audienceRaw = get(audienceKey);
  if (issuerRaw === undefined && audienceRaw === undefined) return undefined;
  if (typeof issuerRaw !== 'string' || !isHttpsUrl(issuerRaw.trim())) {
    throw new ModelHubConfigError(
      issuerKey,
      issuerRaw,
      `the https:// issuer URL of your identity provider (the "iss" of its tokens), set together with ${audienceKey}`,
    );
  }
  const audience = list(audienceRaw);
  if (audience === undefined || audience.length === 0 || audience.some((value) => !/^[^\s,]{1,256}$/.test(value))) {
    throw new ModelHubConfigError(
      audienceKey,
      audienceRaw,
      `the audience (client id) your identity provider puts in its tokens, or several separated by commas, set together with ${issuerKey}`,
    );
  }
  // API Gateway compares the issuer exactly; a trailing slash the provider does not use would reject every token.
  return { issuer: issuerRaw.trim(), audience };
}

/** Cognito's rule for a hosted-domain prefix, plus its reserved words. */
function readDomainPrefix(raw: unknown): string | undefined {
  if (raw === undefined) return undefined;
  const prefix = typeof raw === 'string' ? raw.trim() : '';
  if (!/^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/.test(prefix) || /aws|amazon|cognito/.test(prefix)) {
    throw new ModelHubConfigError(
      'adminLoginDomainPrefix',
      raw,
      'a Cognito domain prefix: 1 to 63 lowercase letters, digits and hyphens, not starting or ending with a hyphen, ' +
        'without "aws", "amazon" or "cognito"',
    );
  }
  return prefix;
}

/** Origins (scheme, host and optional port; no path): https anywhere, http only for a loopback host in development. */
function readCorsOrigins(raw: unknown): string[] {
  const origins = list(raw);
  for (const origin of origins ?? ['not a list']) {
    if (!isOrigin(origin)) {
      throw new ModelHubConfigError(
        'corsOrigins',
        raw,
        'browser origins separated by commas, such as "https://catalog.example.com" (no path, no "*"; http only for localhost)',
      );
    }
  }
  return [...new Set(origins!)];
}

function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1';
    return (url.protocol === 'https:' || (url.protocol === 'http:' && loopback)) && url.origin === value && !value.includes('*');
  } catch {
    return false;
  }
}

/** A list from `-c key=a,b` (a string) or cdk.json (an array of strings); anything else yields `undefined`. */
function list(raw: unknown): string[] | undefined {
  if (raw === undefined) return [];
  const items = typeof raw === 'string' ? raw.split(',') : Array.isArray(raw) && raw.every((v) => typeof v === 'string') ? raw : undefined;
  return items?.map((item: string) => item.trim()).filter((item: string) => item.length > 0);
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}
