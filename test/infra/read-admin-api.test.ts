// The read and admin APIs as deployed with the default context: every route but the webhook is authenticated, the
// reader policy names exactly the read route, the routes are throttled, CORS is off, and the admin sign-in is a
// Cognito pool with MFA required and no self sign-up.
import { type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ModelHubStack } from '../../infra/model-hub-stack';
import { CHANGES_TABLE, EVENTS_TABLE, MODELS_TABLE, REPOSITORIES_TABLE } from '../../shared/aws/tables';
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
const resourcesOf = (type: string): Array<Record<string, any>> => Object.values(template.findResources(type)).map((r) => r.Properties);

describe('routes', () => {
  test('every route but the webhook has an authorizer: IAM on the read routes, JWT on each admin route', () => {
    const routes = Object.fromEntries(resourcesOf('AWS::ApiGatewayV2::Route').map((r) => [r.RouteKey as string, r]));
    expect(Object.keys(routes).sort()).toEqual([
      'DELETE /gateway/admin/v1/{proxy+}',
      'GET /gateway/admin/v1/{proxy+}',
      'GET /gateway/api/v1/{proxy+}',
      'HEAD /gateway/admin/v1/{proxy+}',
      'HEAD /gateway/api/v1/{proxy+}',
      'PATCH /gateway/admin/v1/{proxy+}',
      'POST /gateway/admin/v1/{proxy+}',
      'POST /gateway/public/sync',
      'PUT /gateway/admin/v1/{proxy+}',
    ]);
    const unauthenticated = Object.entries(routes).filter(([, route]) => route.AuthorizationType === 'NONE');
    expect(unauthenticated.map(([key]) => key)).toEqual(['POST /gateway/public/sync']);
    expect(routes['GET /gateway/api/v1/{proxy+}']!.AuthorizationType).toBe('AWS_IAM');
    expect(routes['HEAD /gateway/api/v1/{proxy+}']!.AuthorizationType).toBe('AWS_IAM');
    const authorizerId = Object.keys(template.findResources('AWS::ApiGatewayV2::Authorizer'))[0];
    for (const [key, route] of Object.entries(routes).filter(([k]) => k.includes('/gateway/admin/'))) {
      expect([key, route.AuthorizationType, route.AuthorizerId]).toEqual([key, 'JWT', { Ref: authorizerId }]);
    }
  });

  test('the admin authorizer accepts only tokens of the Cognito pool issued to the console client', () => {
    const pool = stack.adminApi.auth.userPool!;
    template.resourceCountIs('AWS::ApiGatewayV2::Authorizer', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: {
        Audience: [{ Ref: Match.stringLikeRegexp('ConsoleClient') }],
        Issuer: {
          'Fn::Join': [
            '',
            ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: logicalId(stack, pool.node.defaultChild) }],
          ],
        },
      },
    });
  });

  test('read and admin routes go to their own functions', () => {
    const integrationOf = (fn: { node: { defaultChild?: unknown } }) =>
      template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [logicalId(stack, fn.node.defaultChild), 'Arn'] },
      });
    integrationOf(stack.readApi.reader.function);
    integrationOf(stack.adminApi.admin.function);
  });

  test('each route has its own throttling on the stage', () => {
    const [stage] = resourcesOf('AWS::ApiGatewayV2::Stage');
    const throttled = (rate: number, burst: number) => ({ ThrottlingRateLimit: rate, ThrottlingBurstLimit: burst });
    expect(stage!.RouteSettings).toEqual({
      'POST /gateway/public/sync': throttled(25, 50),
      'GET /gateway/api/v1/{proxy+}': throttled(50, 100),
      'HEAD /gateway/api/v1/{proxy+}': throttled(50, 100),
      ...Object.fromEntries(
        ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map((m) => [`${m} /gateway/admin/v1/{proxy+}`, throttled(10, 20)]),
      ),
    });
  });

  test('no CORS configuration unless corsOrigins is set', () => {
    const [api] = resourcesOf('AWS::ApiGatewayV2::Api');
    expect(api!.CorsConfiguration).toBeUndefined();
  });
});

describe('the reader policy', () => {
  test('allows execute-api:Invoke on GET and HEAD /gateway/api/v1/* of the $default stage and nothing else', () => {
    const apiId = logicalId(stack, stack.ingest.api.node.defaultChild);
    const readArn = (method: string) => ({
      'Fn::Join': [
        '',
        [
          'arn:',
          { Ref: 'AWS::Partition' },
          ':execute-api:',
          { Ref: 'AWS::Region' },
          ':',
          { Ref: 'AWS::AccountId' },
          ':',
          { Ref: apiId },
          `/$default/${method}/gateway/api/v1/*`,
        ],
      ],
    });
    expect(resourcesOf('AWS::IAM::ManagedPolicy')).toEqual([
      expect.objectContaining({
        ManagedPolicyName: 'ModelHubSync-model-reader',
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {
              Effect: 'Allow',
              Action: 'execute-api:Invoke',
              Resource: [readArn('GET'), readArn('HEAD')],
            },
          ],
        },
      }),
    ]);
  });

  test('is a stack output, with the read API URL', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.ReaderPolicyArn!.Value).toEqual({ Ref: logicalId(stack, stack.readApi.readerPolicy!.node.defaultChild) });
    expect(JSON.stringify(outputs.ReadApiUrl!.Value)).toMatch(/execute-api.*\/gateway\/api\/v1"/);
  });
});

describe('the functions', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
  const propsOf = (fn: { node: { defaultChild?: unknown } }): Record<string, any> =>
    template.toJSON().Resources[logicalId(stack, fn.node.defaultChild)].Properties;
  const ref = (construct: { node: { defaultChild?: unknown } }) => ({ Ref: logicalId(stack, construct.node.defaultChild) });

  test('the reader knows the four tables and answers within the API timeout', () => {
    const props = propsOf(stack.readApi.reader.function);
    expect(props.Timeout).toBe(29);
    expect(props.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      [MODELS_TABLE.envVar]: ref(stack.tables.models),
      [REPOSITORIES_TABLE.envVar]: ref(stack.tables.repositories),
      [EVENTS_TABLE.envVar]: ref(stack.tables.events),
      [CHANGES_TABLE.envVar]: ref(stack.tables.changes),
      POWERTOOLS_SERVICE_NAME: 'model-hub-reader',
    });
  });

  test('the admin function gets everything the CLI finds through the stack outputs, and the admin group', () => {
    const props = propsOf(stack.adminApi.admin.function);
    expect(props.Timeout).toBe(29);
    expect(props.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      [MODELS_TABLE.envVar]: ref(stack.tables.models),
      [REPOSITORIES_TABLE.envVar]: ref(stack.tables.repositories),
      [EVENTS_TABLE.envVar]: ref(stack.tables.events),
      [CHANGES_TABLE.envVar]: ref(stack.tables.changes),
      QUEUE_URL: ref(stack.ingest.queue),
      DEAD_LETTER_QUEUE_URL: ref(stack.ingest.deadLetterQueue),
      WEBHOOK_SECRET_ID: ref(stack.ingest.webhookSecret),
      WEBHOOK_URL: expect.objectContaining({ 'Fn::Join': expect.any(Array) }),
      WEBHOOK_SECRET_MAX_AGE_SECONDS: '300',
      TOKEN_SECRET_PREFIX: 'ModelHubSync/tokens/',
      BITBUCKET_API_URL: 'https://api.bitbucket.org/2.0',
      ADMIN_GROUP: 'model-hub-admins',
      HUB_DESCRIPTION: 'stack ModelHubSync',
      POWERTOOLS_SERVICE_NAME: 'model-hub-admin',
    });
    expect(JSON.stringify(props.Environment.Variables.WEBHOOK_URL)).toContain('/gateway/public/sync');
  });
});

describe('the Cognito user pool (no adminJwtIssuer)', () => {
  test('requires MFA (authenticator app), allows no self sign-up, enforces a strong password and threat protection', () => {
    const [pool] = resourcesOf('AWS::Cognito::UserPool');
    expect(pool).toMatchObject({
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      Policies: {
        PasswordPolicy: {
          MinimumLength: 14,
          RequireLowercase: true,
          RequireUppercase: true,
          RequireNumbers: true,
          RequireSymbols: true,
          TemporaryPasswordValidityDays: 3,
        },
      },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      DeletionProtection: 'ACTIVE',
    });
    expect(
      template.findResources('AWS::Cognito::UserPool')[logicalId(stack, stack.adminApi.auth.userPool!.node.defaultChild)],
    ).toMatchObject({
      DeletionPolicy: 'Retain',
    });
  });

  test('has the admin group and a hosted login domain', () => {
    template.hasResourceProperties('AWS::Cognito::UserPoolGroup', { GroupName: 'model-hub-admins' });
    template.hasResourceProperties('AWS::Cognito::UserPoolDomain', {
      Domain: { 'Fn::Join': ['', ['modelhubsync-', { Ref: 'AWS::AccountId' }]] },
    });
  });

  test('the console client is public, uses the authorization code flow only, and returns to the console URL', () => {
    const [client] = resourcesOf('AWS::Cognito::UserPoolClient');
    expect(client).toMatchObject({
      GenerateSecret: false,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthScopes: ['openid', 'email', 'profile'],
      SupportedIdentityProviders: ['COGNITO'],
      PreventUserExistenceErrors: 'ENABLED',
      EnableTokenRevocation: true,
      ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    });
    const distribution = logicalId(stack, stack.adminApi.console.distribution.node.defaultChild);
    const consoleUrl = { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [distribution, 'DomainName'] }, '/console/']] };
    expect(client!.CallbackURLs).toEqual([consoleUrl]);
    expect(client!.LogoutURLs).toEqual([consoleUrl]);
  });

  test('outputs name the pool, the client, the issuer and the console', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(outputs.AdminUserPoolId!.Value).toEqual({ Ref: logicalId(stack, stack.adminApi.auth.userPool!.node.defaultChild) });
    expect(outputs.ConsoleClientId!.Value).toEqual({ Ref: expect.stringMatching(/ConsoleClient/) });
    expect(JSON.stringify(outputs.AdminIssuer!.Value)).toContain('cognito-idp.');
    expect(JSON.stringify(outputs.ConsoleUrl!.Value)).toContain('/console/');
  });
});
