// Who may use the admin API: an OIDC provider the deployer names (Entra ID, Okta, Google…), or else an Amazon
// Cognito user pool created here (MFA required, no self sign-up, the admin group). Either way every admin route
// gets a JWT authorizer; the admin function then requires the group claim.
import { Aws, Duration, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer, HttpUserPoolAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import { Construct } from 'constructs';
import type { JwtSettings } from '../access-config';

/** Scopes the console asks for; the admin group travels in the tokens' `cognito:groups` (or `groups`) claim. */
export const CONSOLE_SCOPES = ['openid', 'email', 'profile'] as const;

/** Properties of {@link AdminAuth}. */
export interface AdminAuthProps {
  /** An OIDC issuer and audience; when absent a Cognito user pool is created. */
  readonly jwt?: JwtSettings;
  /** Members of this group may use the admin API (created in the Cognito pool; mapped by the deployer with OIDC). */
  readonly adminGroup: string;
  /**
   * Prefix of the Cognito hosted login domain (`https://<prefix>.auth.<region>.amazoncognito.com`).
   * @default `<stack name in lowercase>-<account id>`
   */
  readonly loginDomainPrefix?: string;
  /**
   * What happens to the user pool when the stack is deleted (RETAIN also turns on deletion protection).
   * @default RemovalPolicy.RETAIN
   */
  readonly removalPolicy?: RemovalPolicy;
}

/** The identity provider's endpoints the console talks to, for its config.json and its Content Security Policy. */
export interface AdminLogin {
  /** The tokens' issuer. */
  readonly issuer: string;
  /** Origins the console's scripts fetch from (discovery document, token endpoint); for `connect-src`. */
  readonly connectOrigins: readonly string[];
  /** Cognito's endpoints, so the console needs no discovery; undefined with OIDC (the console reads the discovery document). */
  readonly endpoints?: { readonly authorization: string; readonly token: string; readonly endSession: string };
}

/** The admin API's authentication: an OIDC issuer from context, or a Cognito user pool with the admin group. */
export class AdminAuth extends Construct {
  /** The Cognito user pool; undefined with an OIDC issuer. */
  public readonly userPool?: cognito.UserPool;
  /** The admin group of the Cognito pool; undefined with an OIDC issuer. */
  public readonly adminGroup?: cognito.CfnUserPoolGroup;
  /** Hosted login domain of the Cognito pool; undefined with an OIDC issuer. */
  public readonly loginDomain?: cognito.UserPoolDomain;
  /** Where the console signs in. */
  public readonly login: AdminLogin;
  private readonly jwt?: JwtSettings;
  private consoleClient?: cognito.UserPoolClient;

  constructor(scope: Construct, id: string, props: AdminAuthProps) {
    super(scope, id);
    this.jwt = props.jwt;
    if (props.jwt) {
      this.login = { issuer: props.jwt.issuer, connectOrigins: [new URL(props.jwt.issuer).origin] };
      return;
    }
    const removalPolicy = props.removalPolicy ?? RemovalPolicy.RETAIN;
    this.userPool = this.createUserPool(removalPolicy);
    this.adminGroup = new cognito.CfnUserPoolGroup(this, 'AdminGroup', {
      userPoolId: this.userPool.userPoolId,
      groupName: props.adminGroup,
      description: 'Members may use the model hub admin console and API',
    });
    const domainPrefix = props.loginDomainPrefix ?? defaultDomainPrefix(this);
    this.loginDomain = this.userPool.addDomain('LoginDomain', { cognitoDomain: { domainPrefix } });
    const loginOrigin = `https://${domainPrefix}.auth.${Aws.REGION}.amazoncognito.com`;
    this.login = {
      issuer: `https://cognito-idp.${Aws.REGION}.amazonaws.com/${this.userPool.userPoolId}`,
      // Not the issuer itself: the pool id in it would make the console's headers depend on the pool.
      connectOrigins: [loginOrigin, `https://cognito-idp.${Aws.REGION}.amazonaws.com`],
      endpoints: {
        authorization: `${loginOrigin}/oauth2/authorize`,
        token: `${loginOrigin}/oauth2/token`,
        endSession: `${loginOrigin}/logout`,
      },
    };
  }

  /**
   * The console's client id: with Cognito a public app client (authorization code with PKCE, no secret) created
   * for `consoleUrl`; with OIDC the first configured audience (register the console there as a SPA).
   */
  consoleClientId(consoleUrl: string): string {
    if (!this.userPool) return this.jwt!.audience[0]!;
    this.consoleClient ??= this.userPool.addClient('ConsoleClient', {
      userPoolClientName: 'model-hub-console',
      // A browser cannot keep a secret: a public client, whose code exchange PKCE protects.
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true, implicitCodeGrant: false, clientCredentials: false },
        scopes: [cognito.OAuthScope.OPENID, cognito.OAuthScope.EMAIL, cognito.OAuthScope.PROFILE],
        callbackUrls: [consoleUrl],
        logoutUrls: [consoleUrl],
      },
      supportedIdentityProviders: [cognito.UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      enableTokenRevocation: true,
      accessTokenValidity: Duration.hours(1),
      idTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
    });
    return this.consoleClient.userPoolClientId;
  }

  /** The JWT authorizer of the admin routes (Cognito: tokens of the console client only). */
  authorizer(): apigwv2.IHttpRouteAuthorizer {
    if (this.jwt) return new HttpJwtAuthorizer('AdminJwtAuthorizer', this.jwt.issuer, { jwtAudience: [...this.jwt.audience] });
    if (!this.consoleClient) throw new Error('AdminAuth: create the console client (consoleClientId) before the authorizer');
    return new HttpUserPoolAuthorizer('AdminJwtAuthorizer', this.userPool!, { userPoolClients: [this.consoleClient] });
  }

  private createUserPool(removalPolicy: RemovalPolicy): cognito.UserPool {
    return new cognito.UserPool(this, 'AdminUsers', {
      userPoolName: `${Stack.of(this).stackName}-admins`,
      // Admins are invited by an administrator (docs/DEPLOY.md); nobody signs up.
      selfSignUpEnabled: false,
      signInAliases: { email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      mfa: cognito.Mfa.REQUIRED,
      // An authenticator app only: SMS needs an SNS sandbox exit and is the weaker factor.
      mfaSecondFactor: { otp: true, sms: false },
      passwordPolicy: {
        minLength: 14,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      accountRecovery: cognito.AccountRecovery.EMAIL_ONLY,
      // Plus: threat protection (compromised credentials, risky sign-ins) enforced; cdk-nag COG8.
      featurePlan: cognito.FeaturePlan.PLUS,
      standardThreatProtectionMode: cognito.StandardThreatProtectionMode.FULL_FUNCTION,
      deletionProtection: removalPolicy === RemovalPolicy.RETAIN,
      removalPolicy,
      userInvitation: {
        emailSubject: 'Your model hub admin account',
        emailBody:
          'You can now administer the model hub. User name: {username} Temporary password: {####} ' +
          'Sign in through the console URL your administrator gave you; you will set a password and an authenticator app.',
      },
    });
  }
}

/** `<stack name>-<account id>`, lowercased: unique per account and region, as Cognito requires of a prefix. */
function defaultDomainPrefix(scope: Construct): string {
  const stackName = Stack.of(scope).stackName;
  const base = Token.isUnresolved(stackName) ? 'model-hub' : stackName.toLowerCase();
  if (/aws|amazon|cognito/.test(base)) {
    throw new Error(
      `The stack name "${stackName}" contains a word Cognito reserves (aws, amazon, cognito), so it cannot prefix the admin login domain. ` +
        'Set the context value adminLoginDomainPrefix (docs/DEPLOY.md).',
    );
  }
  return `${base}-${Aws.ACCOUNT_ID}`;
}
