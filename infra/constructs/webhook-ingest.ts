// The public half of the stack: the HTTP API Bitbucket posts to, the verifier, its secret and the queue it
// feeds, with the throttling and access logs a public endpoint needs.
import { Duration, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DataTables } from './data-tables';
import { NodeFunction } from './node-function';
import { RoleInvokedLambdaIntegration } from './role-invoked-lambda-integration';
import { throttleRoutes } from './route-throttle';
import { stackLogGroupName } from './log-encryption-key';
import { grantTableAccess, TABLE_ACCESS } from './table-access';

/** The only route of the public API: where Bitbucket Cloud posts push events. */
export const WEBHOOK_ROUTE_PATH = '/gateway/public/sync';

/** Properties of {@link WebhookIngest}. */
export interface WebhookIngestProps {
  /** The hub's tables; the verifier reads repositories and writes events. */
  readonly tables: DataTables;
  /** Absolute path of the verifier's entry file. */
  readonly entry: string;
  /** Repository root, for bundling. */
  readonly projectRoot: string;
  /**
   * Visibility timeout of the sync queue. Must be at least six times the worker's timeout (AWS guidance for
   * SQS event sources), so a message is not redelivered while a worker still processes it.
   */
  readonly queueVisibilityTimeout: Duration;
  /**
   * Name of the webhook secret in Secrets Manager. Must not start with the token secret prefix, or the worker
   * could read it.
   * @default `${stackName}/webhook-secret`
   */
  readonly webhookSecretName?: string;
  /**
   * Reserved concurrency of the verifier: a cost guard against a flood of (forged) deliveries.
   * @default - none; the verifier uses the account's unreserved pool
   */
  readonly verifierReservedConcurrency?: number;
  /**
   * Steady-state request rate (per second) of the webhook route.
   * @default 25
   */
  readonly throttleRateLimit?: number;
  /**
   * Burst capacity of the webhook route.
   * @default 50
   */
  readonly throttleBurstLimit?: number;
  /**
   * Days the events table keeps delivery records.
   * @default 30
   */
  readonly eventsTtlDays?: number;
  /**
   * Days the verifier remembers accepted bodies to drop redeliveries.
   * @default 7
   */
  readonly dedupeTtlDays?: number;
  /**
   * Powertools log level of the verifier.
   * @default 'INFO'
   */
  readonly logLevel?: string;
  /**
   * Retention of the verifier and access log groups.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key that encrypts the verifier and access log groups (see `createLogEncryptionKey`). */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * Receives Bitbucket webhooks: HTTP API with the single route `POST /gateway/public/sync` → verifier Lambda,
 * which checks the HMAC signature against the webhook secret and enqueues a sync on the FIFO queue.
 */
export class WebhookIngest extends Construct {
  /** The public HTTP API. */
  public readonly api: apigwv2.HttpApi;
  /** The API's `$default` stage (auto-deployed). */
  public readonly stage: apigwv2.HttpStage;
  /** Access log group of the stage. */
  public readonly accessLogGroup: logs.LogGroup;
  /** The verifier function. */
  public readonly verifier: NodeFunction;
  /** FIFO queue of sync requests, consumed by the worker. */
  public readonly queue: sqs.Queue;
  /** FIFO dead-letter queue of the sync queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** Shared webhook secret: JSON `{"current": "...", "previous": ""}`. */
  public readonly webhookSecret: secretsmanager.Secret;
  /** Name of the webhook secret (without the random suffix Secrets Manager adds to the ARN). */
  public readonly webhookSecretName: string;
  /** Full URL to paste into Bitbucket's webhook settings. */
  public readonly webhookUrl: string;

  constructor(scope: Construct, id: string, props: WebhookIngestProps) {
    super(scope, id);
    const logRetention = props.logRetention ?? logs.RetentionDays.ONE_YEAR;

    const queues = this.createQueues(props.queueVisibilityTimeout);
    this.queue = queues.queue;
    this.deadLetterQueue = queues.deadLetterQueue;

    // A fixed, readable name: admins look it up by name, and Secret.secretName of a generated name cannot be
    // parsed reliably when the name contains hyphens.
    this.webhookSecretName = props.webhookSecretName ?? `${Stack.of(this).stackName}/webhook-secret`;
    this.webhookSecret = this.createWebhookSecret(this.webhookSecretName);

    const tables = props.tables;
    this.verifier = new NodeFunction(this, 'Verifier', {
      description: 'Verifies Bitbucket webhook signatures and enqueues syncs',
      entry: props.entry,
      projectRoot: props.projectRoot,
      logRetention,
      logEncryptionKey: props.logEncryptionKey,
      memorySize: 256,
      // Bitbucket waits at most 10 s for a response; the API Gateway integration limit is 30 s.
      timeout: Duration.seconds(10),
      reservedConcurrentExecutions: props.verifierReservedConcurrency,
      environment: {
        QUEUE_URL: this.queue.queueUrl,
        ...tables.environmentFor(tables.repositories, tables.events),
        WEBHOOK_SECRET_ID: this.webhookSecret.secretArn,
        EVENTS_TTL_DAYS: String(props.eventsTtlDays ?? 30),
        DEDUPE_TTL_DAYS: String(props.dedupeTtlDays ?? 7),
        POWERTOOLS_SERVICE_NAME: 'model-hub-verifier',
        POWERTOOLS_LOG_LEVEL: props.logLevel ?? 'INFO',
      },
    });
    const role = this.verifier.role;
    // Hand-written rather than secret.grantRead(): the verifier needs the value only, not DescribeSecret.
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [this.webhookSecret.secretArn] }));
    // Rather than grantSendMessages(): the queue URL comes from the environment, so no GetQueueUrl/GetQueueAttributes.
    this.queue.grant(role, 'sqs:SendMessage');
    grantTableAccess(tables, role, TABLE_ACCESS.verifier);

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      logGroupName: stackLogGroupName(this, 'api-access'),
      retention: logRetention,
      encryptionKey: props.logEncryptionKey,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    const throttle = { rateLimit: props.throttleRateLimit ?? 25, burstLimit: props.throttleBurstLimit ?? 50 };
    this.api = new apigwv2.HttpApi(this, 'Api', {
      description: 'Bitbucket webhook endpoint of the model hub',
      createDefaultStage: false,
    });
    this.stage = new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      // Stage-wide default; the route gets the same limits explicitly below.
      throttle,
      // Per-route metrics are billed as custom metrics and add nothing with a single route.
      detailedMetricsEnabled: false,
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(this.accessLogGroup),
        format: accessLogFormat(),
      },
    });

    const routes = this.api.addRoutes({
      path: WEBHOOK_ROUTE_PATH,
      methods: [apigwv2.HttpMethod.POST],
      integration: new RoleInvokedLambdaIntegration('VerifierIntegration', this.verifier.function),
    });
    throttleRoutes(this.stage, routes, throttle);
    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions-APIG4',
      reason:
        'Bitbucket Cloud webhooks cannot present IAM, JWT or Lambda-authorizer credentials; the verifier authenticates every ' +
        'request by its HMAC-SHA256 signature (X-Hub-Signature) before doing anything else.',
    });

    // The $default stage's URL ends with "/"; the route path starts with one.
    this.webhookUrl = `${this.stage.url}${WEBHOOK_ROUTE_PATH.slice(1)}`;
  }

  /** The FIFO sync queue and its dead-letter queue. */
  private createQueues(visibilityTimeout: Duration): { queue: sqs.Queue; deadLetterQueue: sqs.Queue } {
    const deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      fifo: true,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      // Long enough for someone to notice the alarm, investigate and redrive after a holiday.
      retentionPeriod: Duration.days(14),
    });

    const queue = new sqs.Queue(this, 'SyncQueue', {
      fifo: true,
      // The verifier sets MessageDeduplicationId itself, so deduplication follows its notion of "the same
      // delivery" rather than a hash of the body (two pushes can produce identical bodies).
      contentBasedDeduplication: false,
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: Duration.days(4),
      deadLetterQueue: { queue: deadLetterQueue, maxReceiveCount: 5 },
    });
    return { queue, deadLetterQueue };
  }

  /** The webhook HMAC secret, generated at deploy time; rotated by hand (see the acknowledgement). */
  private createWebhookSecret(secretName: string): secretsmanager.Secret {
    const secret = new secretsmanager.Secret(this, 'WebhookSecret', {
      secretName,
      description: 'Bitbucket webhook HMAC secret. "current" signs new deliveries; "previous" is still accepted during a rotation.',
      generateSecretString: {
        secretStringTemplate: JSON.stringify({ previous: '' }),
        generateStringKey: 'current',
        // Admins paste this into Bitbucket's form; punctuation invites quoting mistakes.
        excludePunctuation: true,
        passwordLength: 64,
      },
    });
    Validations.of(secret).acknowledge({
      id: 'AwsSolutions-SMG4',
      reason:
        'The webhook secret is shared with Bitbucket, where it must be changed by hand; an automatic rotation would break deliveries. ' +
        'Rotation is manual: move "current" to "previous", set a new "current", update Bitbucket, then clear "previous".',
    });
    return secret;
  }
}

/** One JSON line per request in the stage's access log. */
function accessLogFormat(): AccessLogFormat {
  return AccessLogFormat.custom(
    JSON.stringify({
      requestId: '$context.requestId',
      ip: '$context.identity.sourceIp',
      userAgent: '$context.identity.userAgent',
      requestTime: '$context.requestTime',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLength: '$context.responseLength',
      integrationLatency: '$context.integrationLatency',
      integrationError: '$context.integrationErrorMessage',
      error: '$context.error.message',
    }),
  );
}
