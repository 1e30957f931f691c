// The admin side of the hub in AWS: the admin function behind `/gateway/admin/v1/{proxy+}` with a JWT authorizer on
// every route, the sign-in it trusts (admin-auth.ts) and the console that calls it (console-hosting.ts), with
// exactly the permissions the CLI's use cases need.
import { ArnFormat, Duration, Stack, Validations, type RemovalPolicy } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { WEBHOOK_SECRET_MAX_AGE_SECONDS } from '../../shared/aws/webhook-secret-cache';
import type { ConsoleDomain, JwtSettings } from '../access-config';
import { CONSOLE_CONFIG_SCHEMA_VERSION, type ConsoleConfig } from '../console-config';
import { AdminAuth, CONSOLE_SCOPES } from './admin-auth';
import { ConsoleHosting } from './console-hosting';
import type { DataTables } from './data-tables';
import { NodeFunction } from './node-function';
import { RoleInvokedLambdaIntegration } from './role-invoked-lambda-integration';
import { throttleRoutes, type RouteThrottle } from './route-throttle';
import { grantModelsIndexQueries, grantTableAccess, MODELS_INDEX_QUERIES, TABLE_ACCESS } from './table-access';

/** Base path of the admin API; the admin function serves everything under it. */
export const ADMIN_API_BASE_PATH = '/gateway/admin/v1';

/**
 * The methods the admin routes accept (HEAD for the console's reads through `/read/…`; OPTIONS is not one: the
 * console calls the API on its own origin).
 */
export const ADMIN_METHODS = [
  apigwv2.HttpMethod.GET,
  apigwv2.HttpMethod.HEAD,
  apigwv2.HttpMethod.POST,
  apigwv2.HttpMethod.PUT,
  apigwv2.HttpMethod.PATCH,
  apigwv2.HttpMethod.DELETE,
] as const;

/** Properties of {@link AdminApi}. */
export interface AdminApiProps {
  readonly api: apigwv2.HttpApi;
  readonly stage: apigwv2.HttpStage;
  readonly tables: DataTables;
  /** The sync queue: the admin function queues syncs and redriven requests on it. */
  readonly queue: sqs.IQueue;
  /** The dead-letter queue: listed and redriven by the admin function. */
  readonly deadLetterQueue: sqs.IQueue;
  /** The webhook secret: read (status) and rotated by the admin function. */
  readonly webhookSecret: secretsmanager.ISecret;
  /** The webhook URL, shown in the provider screen. */
  readonly webhookUrl: string;
  /** Name prefix of the access-token secrets the admin function stores, reads and deletes. */
  readonly tokenSecretPrefix: string;
  readonly bitbucketApiUrl: string;
  /** Absolute path of the admin function's entry file. */
  readonly entry: string;
  readonly projectRoot: string;
  /** An OIDC issuer and audience, or undefined for a Cognito user pool of the stack. */
  readonly jwt?: JwtSettings;
  readonly adminGroup: string;
  readonly loginDomainPrefix?: string;
  /** Folder of the built console. */
  readonly consoleAssetsDir: string;
  /** The console's own domain and certificate, or undefined for its cloudfront.net name. */
  readonly consoleDomain?: ConsoleDomain;
  /** The read API's URL, for the console's config.json. */
  readonly readApiUrl: string;
  /** Removal policy of the Cognito user pool. */
  readonly removalPolicy?: RemovalPolicy;
  /**
   * Throttling of each admin route.
   * @default { rateLimit: 10, burstLimit: 20 }
   */
  readonly throttle?: RouteThrottle;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/** Admin function, its JWT-authorized routes, the sign-in (Cognito or OIDC) and the console. */
export class AdminApi extends Construct {
  public readonly admin: NodeFunction;
  public readonly auth: AdminAuth;
  public readonly console: ConsoleHosting;
  public readonly routes: apigwv2.HttpRoute[];
  /** What the stack writes to `/console/config.json` (deploy-time values as tokens). */
  public readonly consoleConfig: ConsoleConfig;

  constructor(scope: Construct, id: string, props: AdminApiProps) {
    super(scope, id);
    this.admin = this.createFunction(props);
    this.grantUseCases(props);

    this.auth = new AdminAuth(this, 'Auth', {
      jwt: props.jwt,
      adminGroup: props.adminGroup,
      loginDomainPrefix: props.loginDomainPrefix,
      removalPolicy: props.removalPolicy,
    });
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;
    this.console = new ConsoleHosting(this, 'Console', {
      assetsDir: props.consoleAssetsDir,
      api: props.api,
      connectOrigins: this.auth.login.connectOrigins,
      domain: props.consoleDomain,
      logRetentionDays: logRetention,
      logRetention,
      logEncryptionKey: props.logEncryptionKey,
    });
    const clientId = this.auth.consoleClientId(this.console.consoleUrl);

    this.routes = props.api.addRoutes({
      path: `${ADMIN_API_BASE_PATH}/{proxy+}`,
      methods: [...ADMIN_METHODS],
      integration: new RoleInvokedLambdaIntegration('AdminIntegration', this.admin.function),
      authorizer: this.auth.authorizer(),
    });
    throttleRoutes(props.stage, this.routes, props.throttle ?? { rateLimit: 10, burstLimit: 20 });

    this.consoleConfig = {
      schemaVersion: CONSOLE_CONFIG_SCHEMA_VERSION,
      adminApiBaseUrl: ADMIN_API_BASE_PATH,
      readApiBaseUrl: props.readApiUrl,
      auth: {
        issuer: this.auth.login.issuer,
        clientId,
        redirectUri: this.console.consoleUrl,
        scopes: [...CONSOLE_SCOPES],
        adminGroup: props.adminGroup,
        ...(this.auth.login.endpoints ? { endpoints: this.auth.login.endpoints } : {}),
      },
    };
    this.console.deploy(this.consoleConfig);
  }

  private createFunction(props: AdminApiProps): NodeFunction {
    const tables = props.tables;
    return new NodeFunction(this, 'Admin', {
      description: 'Serves the admin API: the CLI use cases for the console',
      entry: props.entry,
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      memorySize: 512,
      // The HTTP API waits at most 30 s for an integration; longer actions run as syncs on the queue.
      timeout: Duration.seconds(29),
      environment: {
        // The changes table for the console's reads (the read proxy runs the read API's handler).
        ...tables.environmentFor(tables.models, tables.repositories, tables.events, tables.changes),
        QUEUE_URL: props.queue.queueUrl,
        DEAD_LETTER_QUEUE_URL: props.deadLetterQueue.queueUrl,
        WEBHOOK_SECRET_ID: props.webhookSecret.secretArn,
        WEBHOOK_URL: props.webhookUrl,
        // How long verifiers may serve a cached webhook secret: the rotation's safe wait.
        WEBHOOK_SECRET_MAX_AGE_SECONDS: String(WEBHOOK_SECRET_MAX_AGE_SECONDS),
        TOKEN_SECRET_PREFIX: props.tokenSecretPrefix,
        BITBUCKET_API_URL: props.bitbucketApiUrl,
        ADMIN_GROUP: props.adminGroup,
        // How messages name the hub, as the CLI names a deployed one.
        HUB_DESCRIPTION: `stack ${Stack.of(this).stackName}`,
        POWERTOOLS_SERVICE_NAME: 'model-hub-admin',
      },
    });
  }

  /** Exactly what the CLI's use cases call (shared/aws/hub-secrets.ts, sqs-dead-letter-queue.ts, sqs-sync-queue.ts). */
  private grantUseCases(props: AdminApiProps): void {
    const role = this.admin.role;
    grantTableAccess(props.tables, role, TABLE_ACCESS.admin);
    grantModelsIndexQueries(props.tables, role, MODELS_INDEX_QUERIES.admin);
    // Syncs, verifications and redriven requests go to the sync queue; the queue URL comes from the environment.
    props.queue.grant(role, 'sqs:SendMessage');
    // List (receive, then make visible again), count and redrive (receive, then delete) the dead letters.
    props.deadLetterQueue.grant(role, 'sqs:ReceiveMessage', 'sqs:ChangeMessageVisibility', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes');
    // The webhook secret: its status (read) and a rotation (write); it exists, so it is never created here.
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['secretsmanager:GetSecretValue', 'secretsmanager:PutSecretValue'],
        resources: [props.webhookSecret.secretArn],
      }),
    );
    // Access tokens: stored once (create, or put on an existing one), read to call Bitbucket, deleted with their last user.
    const tokenSecretsArn = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${props.tokenSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: [
          'secretsmanager:CreateSecret',
          'secretsmanager:PutSecretValue',
          'secretsmanager:GetSecretValue',
          'secretsmanager:DeleteSecret',
        ],
        resources: [tokenSecretsArn],
      }),
    );
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${props.tokenSecretPrefix}*]`,
      reason:
        `"${props.tokenSecretPrefix}*" is the namespace of the access tokens the admin stores, replaces and deletes; their names ` +
        'are made at run time (token ids), and Secrets Manager appends a random suffix to every secret ARN.',
    });
  }
}
