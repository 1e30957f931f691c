// The deployed console: a private bucket CloudFront reads through origin access control, HTTPS, a strict Content
// Security Policy, access logs, the admin API on the same origin, and a config.json naming the API and the sign-in.
import { type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { runInNewContext } from 'node:vm';
import { ROUTING_FUNCTION } from '../../infra/constructs/console-hosting';
import type { ModelHubStack } from '../../infra/model-hub-stack';
import { sharedSynth } from '../support/infra-stack';

let stack: ModelHubStack;
let template: Template;

beforeAll(async () => {
  const synth = await sharedSynth();
  stack = synth.stack;
  template = synth.template;
});

const logicalId = (s: Stack, element: unknown): string => s.getLogicalId(element as CfnElement);
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
const propsOf = (construct: { node: { defaultChild?: unknown } }): Record<string, any> =>
  template.toJSON().Resources[logicalId(stack, construct.node.defaultChild)].Properties;
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- as above
const distributionConfig = (): Record<string, any> => propsOf(stack.adminApi.console.distribution).DistributionConfig;

describe('the console bucket', () => {
  test('blocks every kind of public access, is TLS-only, versioned and logs its access to the log bucket', () => {
    const { bucket, logBucket } = stack.adminApi.console;
    for (const each of [bucket, logBucket]) {
      expect(propsOf(each)).toMatchObject({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        VersioningConfiguration: { Status: 'Enabled' },
        ObjectLockEnabled: true,
        NotificationConfiguration: { EventBridgeConfiguration: { EventBridgeEnabled: true } },
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
      });
      expect(propsOf(each).AccessControl).toBeUndefined();
    }
    expect(propsOf(bucket).LoggingConfiguration).toEqual({
      DestinationBucketName: { Ref: logicalId(stack, logBucket.node.defaultChild) },
      LogFilePrefix: 's3-console/',
    });
    // No destination: S3 writes the log bucket's own access logs into it.
    expect(propsOf(logBucket).LoggingConfiguration).toEqual({ LogFilePrefix: 's3-access-logs/' });
  });

  test('its policy lets only this distribution read it (origin access control), and refuses plain HTTP', () => {
    const bucketId = logicalId(stack, stack.adminApi.console.bucket.node.defaultChild);
    const [policy] = Object.values(template.findResources('AWS::S3::BucketPolicy', { Properties: { Bucket: { Ref: bucketId } } }));
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized policy is untyped JSON
    const statements = policy!.Properties.PolicyDocument.Statement as Record<string, any>[];
    const allows = statements.filter((st) => st.Effect === 'Allow');
    expect(allows).toEqual([
      expect.objectContaining({
        Principal: { Service: 'cloudfront.amazonaws.com' },
        Action: 's3:GetObject',
        Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
      }),
    ]);
    expect(JSON.stringify(allows[0]!.Condition)).toContain(logicalId(stack, stack.adminApi.console.distribution.node.defaultChild));
    expect(statements).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ Effect: 'Deny', Action: 's3:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      ]),
    );
  });
});

describe('the distribution', () => {
  test('reads the bucket through an origin access control (signed requests), never publicly', () => {
    template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always', SigningProtocol: 'sigv4' },
    });
    const s3Origin = (distributionConfig().Origins as Array<Record<string, unknown>>).find((o) => o.S3OriginConfig);
    expect(s3Origin).toMatchObject({
      OriginAccessControlId: { 'Fn::GetAtt': [expect.any(String), 'Id'] },
      S3OriginConfig: { OriginAccessIdentity: '' },
    });
  });

  test('serves HTTPS only, logs every request, and answers / with the console', () => {
    const config = distributionConfig();
    expect(config.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(config.CacheBehaviors.map((b: Record<string, unknown>) => b.ViewerProtocolPolicy)).toEqual(['https-only']);
    expect(config.Logging).toEqual({
      Bucket: { 'Fn::GetAtt': [logicalId(stack, stack.adminApi.console.logBucket.node.defaultChild), 'RegionalDomainName'] },
      Prefix: 'cloudfront/',
    });
    expect(config.DefaultRootObject).toBe('console/index.html');
  });

  test('forwards /gateway/admin/* to the HTTP API over TLS 1.2, uncached, with every header but Host', () => {
    const [behavior] = distributionConfig().CacheBehaviors;
    expect(behavior).toMatchObject({
      PathPattern: '/gateway/admin/*',
      AllowedMethods: ['GET', 'HEAD', 'OPTIONS', 'PUT', 'PATCH', 'POST', 'DELETE'],
      // The managed CachingDisabled and AllViewerExceptHostHeader policies.
      CachePolicyId: '4135ea2d-6df8-44a3-9df3-4b5a84be39ad',
      OriginRequestPolicyId: 'b689b0a8-53d0-40ab-baf2-68738e2966ac',
    });
    const apiOrigin = (distributionConfig().Origins as Array<Record<string, unknown>>).find((o) => o.Id === behavior.TargetOriginId);
    expect(apiOrigin).toMatchObject({ CustomOriginConfig: { OriginProtocolPolicy: 'https-only', OriginSSLProtocols: ['TLSv1.2'] } });
    expect(JSON.stringify(apiOrigin!.DomainName)).toContain(logicalId(stack, stack.ingest.api.node.defaultChild));
  });

  test('every response carries a strict Content Security Policy and the other security headers', () => {
    const headerPolicy = logicalId(stack, stack.adminApi.console.securityHeaders.node.defaultChild);
    const config = distributionConfig();
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toEqual({ Ref: headerPolicy });
    expect(config.CacheBehaviors[0].ResponseHeadersPolicyId).toEqual({ Ref: headerPolicy });
    const headers = propsOf(stack.adminApi.console.securityHeaders).ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    const csp = stack.resolve(headers.ContentSecurityPolicy.ContentSecurityPolicy) as { 'Fn::Join': [string, unknown[]] };
    const text = csp['Fn::Join'][1].map((part) => (typeof part === 'string' ? part : '<token>')).join('');
    expect(text).toBe(
      "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self' https://modelhubsync-<token>.auth.<token>.amazoncognito.com https://cognito-idp.<token>.amazonaws.com; " +
        "manifest-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'; object-src 'none'",
    );
    expect(headers).toMatchObject({
      StrictTransportSecurity: { AccessControlMaxAgeSec: 63072000, IncludeSubdomains: true, Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
    });
  });
});

describe('the deployment', () => {
  test('copies the assets and config.json under console/, pruning old files, revalidated on every request', () => {
    template.hasResourceProperties('Custom::CDKBucketDeployment', {
      DestinationBucketName: { Ref: logicalId(stack, stack.adminApi.console.bucket.node.defaultChild) },
      DestinationBucketKeyPrefix: 'console/',
      Prune: true,
      SystemMetadata: { 'cache-control': 'no-cache' },
      SourceObjectKeys: [Match.stringLikeRegexp('\\.zip$'), Match.stringLikeRegexp('\\.zip$')],
    });
  });

  test("config.json names the same-origin admin API, the read API and the Cognito sign-in of the console's client", () => {
    const config = stack.resolve(stack.adminApi.consoleConfig);
    const pool = logicalId(stack, stack.adminApi.auth.userPool!.node.defaultChild);
    expect(config).toMatchObject({
      schemaVersion: 1,
      adminApiBaseUrl: '/gateway/admin/v1',
      auth: {
        issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: pool }]] },
        clientId: { Ref: expect.stringMatching(/ConsoleClient/) },
        scopes: ['openid', 'email', 'profile'],
        adminGroup: 'model-hub-admins',
        endpoints: {
          authorization: { 'Fn::Join': ['', expect.arrayContaining(['.amazoncognito.com/oauth2/authorize'])] },
          token: { 'Fn::Join': ['', expect.arrayContaining(['.amazoncognito.com/oauth2/token'])] },
          endSession: { 'Fn::Join': ['', expect.arrayContaining(['.amazoncognito.com/logout'])] },
        },
      },
    });
    expect(JSON.stringify(config.readApiBaseUrl)).toContain('/gateway/api/v1');
    expect(JSON.stringify(config.auth.redirectUri)).toContain('/console/');
  });

  test('its function writes only to its own encrypted log group', () => {
    template.hasResourceProperties('AWS::Logs::LogGroup', {
      LogGroupName: '/model-hub/ModelHubSync/console-deploy',
      KmsKeyId: Match.anyValue(),
    });
  });
});

describe('the routing function', () => {
  const route = (uri: string) =>
    runInNewContext(`${ROUTING_FUNCTION}\nhandler({ request: { uri: ${JSON.stringify(uri)}, headers: {} } })`) as {
      uri?: string;
      statusCode?: number;
      headers?: { location: { value: string } };
    };

  test('sends / to the console', () => {
    expect(route('/')).toMatchObject({ statusCode: 302, headers: { location: { value: '/console/' } } });
    expect(route('/console')).toMatchObject({ statusCode: 302 });
  });

  test("answers the console's routes with its index.html and leaves files alone", () => {
    expect(route('/console/').uri).toBe('/console/index.html');
    expect(route('/console/repositories/acme/models').uri).toBe('/console/index.html');
    expect(route('/console/assets/app-3f2a.js').uri).toBe('/console/assets/app-3f2a.js');
    expect(route('/console/config.json').uri).toBe('/console/config.json');
    expect(route('/elsewhere').uri).toBe('/elsewhere');
  });
});
