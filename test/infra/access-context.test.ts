// The access context keys: JWT authorizers instead of IAM and Cognito, CORS when origins are given, the admin group
// and login domain, and clear errors for values that cannot work. Authentication can be changed, never turned off.
import { App } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { ModelHubConfigError, readHubConfig } from '../../infra/config';
import type { ModelHubStack } from '../../infra/model-hub-stack';
import { synthOutdir, synthTemplate } from '../support/infra-stack';

const configFor = (context: Record<string, unknown>) => readHubConfig(new App({ context, outdir: synthOutdir() }));
/** A well-formed ACM certificate ARN in us-east-1 (CloudFront's region); nothing is looked up at synth. */
const CERTIFICATE = 'arn:aws:acm:us-east-1:123456789012:certificate/0b8e5a3c-1f2d-4e6f-9a7b-2c3d4e5f6a7b';

describe('access context parsing', () => {
  test('lists come as comma-separated strings (-c) or JSON arrays (cdk.json) alike', () => {
    const fromCli = configFor({
      readJwtIssuer: 'https://login.example.com/t/v2.0',
      readJwtAudience: 'a, b',
      corsOrigins: 'https://x.example.com,http://localhost:5173',
    });
    const fromJson = configFor({
      readJwtIssuer: 'https://login.example.com/t/v2.0',
      readJwtAudience: ['a', 'b'],
      corsOrigins: ['https://x.example.com', 'http://localhost:5173'],
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({
      readJwt: { issuer: 'https://login.example.com/t/v2.0', audience: ['a', 'b'] },
      adminJwt: undefined,
      corsOrigins: ['https://x.example.com', 'http://localhost:5173'],
    });
  });

  test.each([
    ['readJwtIssuer', { readJwtIssuer: 'https://idp.example.com' }, /readJwtAudience.*set together with readJwtIssuer/],
    ['readJwtAudience', { readJwtAudience: 'client' }, /readJwtIssuer.*https:\/\/ issuer URL/],
    ['adminJwtIssuer', { adminJwtIssuer: 'http://idp.example.com', adminJwtAudience: 'c' }, /adminJwtIssuer.*https:\/\//],
    ['adminJwtAudience', { adminJwtIssuer: 'https://idp.example.com', adminJwtAudience: 'has space' }, /adminJwtAudience/],
    ['adminGroup', { adminGroup: 'admins with spaces' }, /adminGroup.*1 to 128/],
    ['adminLoginDomainPrefix', { adminLoginDomainPrefix: 'Upper' }, /adminLoginDomainPrefix.*lowercase/],
    ['adminLoginDomainPrefix', { adminLoginDomainPrefix: 'my-cognito-hub' }, /without "aws", "amazon" or "cognito"/],
    ['corsOrigins', { corsOrigins: '*' }, /corsOrigins.*no "\*"/],
    ['corsOrigins', { corsOrigins: 'https://x.example.com/path' }, /corsOrigins.*no path/],
    ['corsOrigins', { corsOrigins: 'http://catalog.example.com' }, /corsOrigins.*http only for localhost/],
    ['corsOrigins', { corsOrigins: 42 }, /corsOrigins/],
    ['consoleDomainName', { consoleCertificateArn: CERTIFICATE }, /consoleDomainName.*set together with consoleCertificateArn/],
    ['consoleDomainName', { consoleDomainName: 'https://hub.example.com', consoleCertificateArn: CERTIFICATE }, /consoleDomainName/],
    ['consoleCertificateArn', { consoleDomainName: 'hub.example.com' }, /consoleCertificateArn.*us-east-1/],
    [
      'consoleCertificateArn',
      { consoleDomainName: 'hub.example.com', consoleCertificateArn: CERTIFICATE.replace('us-east-1', 'eu-west-1') },
      /consoleCertificateArn.*us-east-1/,
    ],
  ])('%s: %j is rejected', (_key, context, message) => {
    expect(() => configFor(context)).toThrow(ModelHubConfigError);
    expect(() => configFor(context)).toThrow(message);
  });

  test('a stack name with a word Cognito reserves needs an explicit login domain prefix', () => {
    expect(() => synthTemplate({ stackName: 'AwsModelHub' })).toThrow(/adminLoginDomainPrefix/);
    const { template } = synthTemplate({ stackName: 'AwsModelHub', adminLoginDomainPrefix: 'acme-model-hub' });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', { Domain: 'acme-model-hub' });
  });
});

describe('stack with JWT authorizers, CORS and a custom admin group', () => {
  let template: Template;
  let stack: ModelHubStack;

  beforeAll(() => {
    const synth = synthTemplate({
      readJwtIssuer: 'https://login.example.com/tenant/v2.0',
      readJwtAudience: 'catalog-reader,ci-reader',
      adminJwtIssuer: 'https://idp.example.org/oauth2/default',
      adminJwtAudience: 'hub-console',
      adminGroup: 'data-platform-admins',
      corsOrigins: 'https://catalog.example.com',
    });
    template = synth.template;
    stack = synth.stack as ModelHubStack;
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
  const routes = (): Array<Record<string, any>> =>
    Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map((r) => r.Properties);
  const authorizerNamed = (name: string): string =>
    Object.entries(template.findResources('AWS::ApiGatewayV2::Authorizer')).find(([, a]) => a.Properties.Name === name)![0];

  test('read routes use the read JWT authorizer instead of IAM; still no route without one but the webhook', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'ReadJwtAuthorizer',
      AuthorizerType: 'JWT',
      JwtConfiguration: { Issuer: 'https://login.example.com/tenant/v2.0', Audience: ['catalog-reader', 'ci-reader'] },
    });
    const read = routes().filter((r) => r.RouteKey.includes('/gateway/api/v1/'));
    expect(read.map((r) => [r.RouteKey, r.AuthorizationType, r.AuthorizerId])).toEqual([
      ['GET /gateway/api/v1/{proxy+}', 'JWT', { Ref: authorizerNamed('ReadJwtAuthorizer') }],
      ['HEAD /gateway/api/v1/{proxy+}', 'JWT', { Ref: authorizerNamed('ReadJwtAuthorizer') }],
    ]);
    expect(
      routes()
        .filter((r) => r.AuthorizationType === 'NONE')
        .map((r) => r.RouteKey),
    ).toEqual(['POST /gateway/public/sync']);
  });

  test('no reader policy and no ReaderPolicyArn output: readers present tokens, not IAM credentials', () => {
    template.resourceCountIs('AWS::IAM::ManagedPolicy', 0);
    expect(template.toJSON().Outputs.ReaderPolicyArn).toBeUndefined();
  });

  test('admin routes use the OIDC issuer; no Cognito resources are created', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      Name: 'AdminJwtAuthorizer',
      JwtConfiguration: { Issuer: 'https://idp.example.org/oauth2/default', Audience: ['hub-console'] },
    });
    const admin = routes().filter((r) => r.RouteKey.includes('/gateway/admin/'));
    expect(admin).toHaveLength(6);
    for (const route of admin)
      expect(route).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerNamed('AdminJwtAuthorizer') } });
    for (const type of ['UserPool', 'UserPoolClient', 'UserPoolDomain', 'UserPoolGroup'])
      template.resourceCountIs(`AWS::Cognito::${type}`, 0);
    expect(template.toJSON().Outputs.AdminUserPoolId).toBeUndefined();
  });

  test("the admin group reaches the function and the console's config; the console signs in at the OIDC provider", () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ADMIN_GROUP: 'data-platform-admins', POWERTOOLS_SERVICE_NAME: 'model-hub-admin' }) },
    });
    const config = stack.resolve(stack.adminApi.consoleConfig);
    expect(config.auth).toEqual({
      issuer: 'https://idp.example.org/oauth2/default',
      clientId: 'hub-console',
      redirectUri: expect.anything(),
      scopes: ['openid', 'email', 'profile'],
      adminGroup: 'data-platform-admins',
    });
    const csp = JSON.stringify(
      Object.values(template.findResources('AWS::CloudFront::ResponseHeadersPolicy'))[0]!.Properties.ResponseHeadersPolicyConfig,
    );
    expect(csp).toContain("connect-src 'self' https://idp.example.org;");
  });

  test('CORS allows exactly the configured origin, for reads, without credentials', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: ['https://catalog.example.com'],
        AllowMethods: ['GET', 'HEAD'],
        AllowCredentials: false,
        AllowHeaders: Match.arrayWith(['authorization', 'x-amz-date', 'x-amz-security-token', 'if-none-match', 'range']),
        ExposeHeaders: Match.arrayWith(['etag', 'content-encoding', 'content-range']),
        MaxAge: 600,
      },
    });
  });
});

describe('stack with a console domain', () => {
  let template: Template;
  let stack: ModelHubStack;

  beforeAll(() => {
    const synth = synthTemplate({ consoleDomainName: 'Hub.Example.com', consoleCertificateArn: CERTIFICATE });
    template = synth.template;
    stack = synth.stack as ModelHubStack;
  });

  test("the distribution serves the domain with its certificate, SNI and TLS 1.2 at least (Control Tower's CloudFront rules)", () => {
    template.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        Aliases: ['hub.example.com'],
        ViewerCertificate: { AcmCertificateArn: CERTIFICATE, SslSupportMethod: 'sni-only', MinimumProtocolVersion: 'TLSv1.2_2021' },
      }),
    });
  });

  test('the console URL, the sign-in callback and config.json use the domain; an output names the DNS target', () => {
    expect(stack.adminApi.console.consoleUrl).toBe('https://hub.example.com/console/');
    template.hasResourceProperties('AWS::Cognito::UserPoolClient', { CallbackURLs: ['https://hub.example.com/console/'] });
    expect(stack.resolve(stack.adminApi.consoleConfig).auth.redirectUri).toBe('https://hub.example.com/console/');
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ConsoleUrl!.Value).toBe('https://hub.example.com/console/');
    expect(outputs.ConsoleDnsTarget!.Value).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/Distribution/), 'DomainName'] });
  });
});
