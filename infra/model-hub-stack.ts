// The one stack of the hub: composes the constructs and publishes the outputs an admin needs after a deploy.
import { CfnOutput, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { join } from 'node:path';
import type { HubConfig } from './config';
import { AdminApi } from './constructs/admin-api';
import { ChangeEvents } from './constructs/change-events';
import { DataTables } from './constructs/data-tables';
import { createLogEncryptionKey } from './constructs/log-encryption-key';
import { Monitoring } from './constructs/monitoring';
import { ReadApi } from './constructs/read-api';
import { ReconciliationSchedule } from './constructs/reconciliation-schedule';
import { SyncWorker } from './constructs/sync-worker';
import { WebhookIngest } from './constructs/webhook-ingest';

/** The repository root, where `functions/` and `package-lock.json` live. */
export const PROJECT_ROOT = join(__dirname, '..');

/** Entry files of the functions. */
export interface HandlerEntries {
  /** Entry of the webhook verifier. */
  readonly verifier: string;
  /** Entry of the sync worker. */
  readonly worker: string;
  /** Entry of the reconciler. */
  readonly reconciler: string;
  /** Entry of the read API's function. */
  readonly reader: string;
  /** Entry of the admin API's function. */
  readonly admin: string;
  /** Entry of the change-events pipe's enrichment. @default functions/change-events/handler.ts */
  readonly changeEvents?: string;
}

/** The application's handler files, each exporting `handler`. */
export const DEFAULT_HANDLER_ENTRIES: HandlerEntries = {
  verifier: join(PROJECT_ROOT, 'functions', 'verifier', 'handler.ts'),
  worker: join(PROJECT_ROOT, 'functions', 'worker', 'handler.ts'),
  reconciler: join(PROJECT_ROOT, 'functions', 'reconciler', 'handler.ts'),
  reader: join(PROJECT_ROOT, 'functions', 'reader', 'handler.ts'),
  admin: join(PROJECT_ROOT, 'functions', 'admin', 'handler.ts'),
  changeEvents: join(PROJECT_ROOT, 'functions', 'change-events', 'handler.ts'),
};

/** Where the console's build puts the static assets the stack deploys. */
export const DEFAULT_CONSOLE_ASSETS_DIR = join(PROJECT_ROOT, 'dist', 'console');

/** Worker timeout; the queue's visibility timeout is derived from it. */
export const WORKER_TIMEOUT = Duration.minutes(10);

/** Properties of {@link ModelHubStack}. */
export interface ModelHubStackProps extends StackProps {
  /** Validated configuration (see `readHubConfig`). */
  readonly config: HubConfig;
  /**
   * Handler entry files.
   * @default DEFAULT_HANDLER_ENTRIES
   */
  readonly entries?: HandlerEntries;
  /**
   * Repository root used for bundling.
   * @default PROJECT_ROOT
   */
  readonly projectRoot?: string;
  /**
   * Folder of the built admin console (index.html and its assets).
   * @default DEFAULT_CONSOLE_ASSETS_DIR
   */
  readonly consoleAssetsDir?: string;
}

/** The model hub: webhook ingest, sync worker, reconciliation schedule, data tables and monitoring. */
export class ModelHubStack extends Stack {
  /** The DynamoDB tables. */
  public readonly tables: DataTables;
  /** HTTP API, verifier, queues and webhook secret. */
  public readonly ingest: WebhookIngest;
  /** The queue consumer. */
  public readonly sync: SyncWorker;
  /** The scheduled reconciler. */
  public readonly reconciliation: ReconciliationSchedule;
  /** Alarms, dashboard and saved queries. */
  public readonly monitoring: Monitoring;
  /** The read API (reader function, route, reader policy). */
  public readonly readApi: ReadApi;
  /** The admin API, its sign-in and the console. */
  public readonly adminApi: AdminApi;
  /** The change-events bus and the pipe that feeds it from the changes table. */
  public readonly changeEvents: ChangeEvents;

  constructor(scope: Construct, id: string, props: ModelHubStackProps) {
    super(scope, id, { description: 'Model hub: replicates Hackolade models from Bitbucket Cloud into DynamoDB', ...props });
    const { config } = props;
    const entries = props.entries ?? DEFAULT_HANDLER_ENTRIES;
    const projectRoot = props.projectRoot ?? PROJECT_ROOT;
    const logRetention = config.logRetention;
    // One key for all four log groups (Control Tower requires KMS-encrypted log groups).
    const logEncryptionKey = createLogEncryptionKey(this, 'LogEncryptionKey');

    this.tables = new DataTables(this, 'Tables', { removalPolicy: config.removalPolicy });

    this.ingest = new WebhookIngest(this, 'Ingest', {
      tables: this.tables,
      entry: entries.verifier,
      projectRoot,
      queueVisibilityTimeout: Duration.seconds(WORKER_TIMEOUT.toSeconds() * 6),
      verifierReservedConcurrency: config.verifierReservedConcurrency,
      logRetention,
      logEncryptionKey,
    });

    this.sync = new SyncWorker(this, 'Sync', {
      tables: this.tables,
      queue: this.ingest.queue,
      entry: entries.worker,
      projectRoot,
      timeout: WORKER_TIMEOUT,
      bitbucketApiUrl: config.bitbucketApiUrl,
      gitMinChangedModels: config.gitMinChangedModels,
      // Per stack, like the webhook secret: two hubs in one account never share (or delete) each other's tokens.
      tokenSecretPrefix: `${this.stackName}/tokens/`,
      logRetention,
      logEncryptionKey,
    });

    this.reconciliation = new ReconciliationSchedule(this, 'Reconciliation', {
      tables: this.tables,
      queue: this.ingest.queue,
      entry: entries.reconciler,
      projectRoot,
      intervalMinutes: config.reconcileMinutes,
      verifySchedule: config.verifySchedule,
      logRetention,
      logEncryptionKey,
    });

    this.monitoring = new Monitoring(this, 'Monitoring', {
      namePrefix: this.stackName,
      stage: this.ingest.stage,
      verifier: this.ingest.verifier,
      worker: this.sync.worker,
      reconciler: this.reconciliation.reconciler,
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      alarmEmail: config.alarmEmail,
    });

    const access = this.createAccessApis(props, { entries, projectRoot, logRetention, logEncryptionKey });
    this.readApi = access.readApi;
    this.adminApi = access.adminApi;
    this.changeEvents = new ChangeEvents(this, 'ChangeEvents', {
      table: this.tables.changes,
      entry: entries.changeEvents ?? DEFAULT_HANDLER_ENTRIES.changeEvents!,
      projectRoot,
      alarmTopic: this.monitoring.alarmTopic,
      logRetention,
      logEncryptionKey,
    });

    this.createOutputs();
    this.createAccessOutputs(props);
  }

  /** The read API and the admin API with its sign-in and console, on the webhook's HTTP API. */
  private createAccessApis(
    props: ModelHubStackProps,
    shared: { entries: HandlerEntries; projectRoot: string; logRetention: HubConfig['logRetention']; logEncryptionKey: kms.IKey },
  ): { readApi: ReadApi; adminApi: AdminApi } {
    const { config } = props;
    const { entries, projectRoot, logRetention, logEncryptionKey } = shared;
    const readApi = new ReadApi(this, 'Read', {
      api: this.ingest.api,
      stage: this.ingest.stage,
      tables: this.tables,
      entry: entries.reader,
      projectRoot,
      jwt: config.readJwt,
      corsOrigins: config.corsOrigins,
      logRetention,
      logEncryptionKey,
    });

    const adminApi = new AdminApi(this, 'Admin', {
      api: this.ingest.api,
      stage: this.ingest.stage,
      tables: this.tables,
      queue: this.ingest.queue,
      deadLetterQueue: this.ingest.deadLetterQueue,
      webhookSecret: this.ingest.webhookSecret,
      webhookUrl: this.ingest.webhookUrl,
      tokenSecretPrefix: this.sync.tokenSecretPrefix,
      bitbucketApiUrl: config.bitbucketApiUrl,
      entry: entries.admin,
      projectRoot,
      jwt: config.adminJwt,
      adminGroup: config.adminGroup,
      loginDomainPrefix: config.adminLoginDomainPrefix,
      consoleAssetsDir: props.consoleAssetsDir ?? DEFAULT_CONSOLE_ASSETS_DIR,
      consoleDomain: config.consoleDomain,
      readApiUrl: readApi.url,
      removalPolicy: config.removalPolicy,
      logRetention,
      logEncryptionKey,
    });
    return { readApi, adminApi };
  }

  /** Where the read API, the console and its sign-in are, and the policy a reader attaches. */
  private createAccessOutputs(props: ModelHubStackProps): void {
    const output = (id: string, value: string, description: string): CfnOutput => new CfnOutput(this, id, { value, description });
    output('ReadApiUrl', this.readApi.url, 'Base URL of the read API (docs/CONSUMERS.md)');
    if (this.readApi.readerPolicy) {
      output(
        'ReaderPolicyArn',
        this.readApi.readerPolicy.managedPolicyArn,
        'Managed policy to attach to a reader (role or user): execute-api:Invoke on the read API only',
      );
    }
    output('ConsoleUrl', this.adminApi.console.consoleUrl, 'The admin console');
    if (props.config.consoleDomain) {
      output(
        'ConsoleDnsTarget',
        this.adminApi.console.distribution.distributionDomainName,
        `Point ${props.config.consoleDomain.domainName} here (CNAME, or a Route 53 alias)`,
      );
    }
    const { userPool } = this.adminApi.auth;
    if (userPool) {
      output('AdminUserPoolId', userPool.userPoolId, 'Cognito user pool of the console admins (create the first admin: docs/DEPLOY.md)');
    }
    output('AdminIssuer', this.adminApi.auth.login.issuer, 'Issuer of the tokens the admin API accepts');
    output('ConsoleClientId', this.adminApi.auth.consoleClientId(this.adminApi.console.consoleUrl), 'OAuth client id of the console');
  }

  private createOutputs(): void {
    const secret = this.ingest.webhookSecret;
    const output = (id: string, value: string, description: string): CfnOutput => new CfnOutput(this, id, { value, description });
    output('WebhookUrl', this.ingest.webhookUrl, 'URL to paste into the Bitbucket repository webhook ("Repository push")');
    output(
      'WebhookSecretName',
      this.ingest.webhookSecretName,
      'Secrets Manager secret holding the webhook secret (JSON: current, previous)',
    );
    output('WebhookSecretArn', secret.secretArn, 'ARN of the webhook secret');
    output(
      'ReadWebhookSecretCommand',
      `aws secretsmanager get-secret-value --secret-id ${secret.secretArn} --query SecretString --output text`,
      'Prints the webhook secret JSON; paste the "current" value into Bitbucket',
    );
    output(
      'TokenSecretPrefix',
      this.sync.tokenSecretPrefix,
      'Name prefix of the per-repository access-token secrets (created by the admin CLI)',
    );
    output('SyncQueueUrl', this.ingest.queue.queueUrl, 'FIFO queue of sync requests');
    output('DeadLetterQueueUrl', this.ingest.deadLetterQueue.queueUrl, 'Dead-letter queue of failed sync requests');
    output('DeadLetterQueueArn', this.ingest.deadLetterQueue.queueArn, 'ARN of the dead-letter queue (for start-message-move-task)');
    output('ModelsTableName', this.tables.models.tableName, 'DynamoDB table of replicated models');
    output('RepositoriesTableName', this.tables.repositories.tableName, 'DynamoDB table of added repositories');
    output('EventsTableName', this.tables.events.tableName, 'DynamoDB table of deliveries and sync runs');
    output('ChangeEventBusName', this.changeEvents.bus.eventBusName, 'EventBridge bus of the change events (docs/EVENTS.md)');
    output('ChangeEventBusArn', this.changeEvents.bus.eventBusArn, 'ARN of the change-events bus (for rules of consumers)');
    output('ChangesTableName', this.tables.changes.tableName, 'DynamoDB table of the change records (the /changes feed)');
    output('DashboardName', this.monitoring.dashboard.dashboardName, 'CloudWatch dashboard');
    output(
      'AlarmTopicArn',
      this.monitoring.alarmTopic.topicArn,
      'SNS topic every alarm notifies (subscribe to it; confirm an e-mail subscription)',
    );
  }
}
