// The sync worker function and its least-privilege access (tables, queue, token secrets), wired to the FIFO queue.
import { ArnFormat, Duration, Stack, Token, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsEventSource } from 'aws-cdk-lib/aws-lambda-event-sources';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { DEFAULT_TOKEN_SECRET_PREFIX } from '../../shared/aws/access-tokens';
import { DEFAULT_BITBUCKET_API_URL } from '../../shared/bitbucket/bitbucket-endpoints';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../../shared/domain/sync/derive-plan';
import type { DataTables } from './data-tables';
import { NodeFunction } from './node-function';
import { grantTableAccess, TABLE_ACCESS } from './table-access';
import { WORKER_NODE_OPTIONS } from './worker-node-options';

/** Name prefix of the per-repository access-token secrets, which the admin CLI creates (the stack sets its own). */
export { DEFAULT_TOKEN_SECRET_PREFIX };

/** Properties of {@link SyncWorker}. */
export interface SyncWorkerProps {
  /** The hub's tables; the worker reads and writes all three. */
  readonly tables: DataTables;
  /** The FIFO sync queue: the worker consumes it and re-enqueues continuations of long syncs on it. */
  readonly queue: sqs.IQueue;
  /** Absolute path of the worker's entry file. */
  readonly entry: string;
  /** Repository root, for bundling. */
  readonly projectRoot: string;
  /**
   * Worker timeout. The queue's visibility timeout must be at least six times this.
   * @default Duration.minutes(10)
   */
  readonly timeout?: Duration;
  /**
   * Worker memory. Models up to 32 MB are decompressed and parsed in memory.
   * @default 1024
   */
  readonly memorySize?: number;
  /**
   * Messages per invocation.
   * @default 10
   */
  readonly batchSize?: number;
  /**
   * Maximum concurrent worker invocations the event source starts: a cost guard and a cap on Bitbucket API load.
   * @default 5
   */
  readonly maxConcurrency?: number;
  /**
   * Name prefix of the access-token secrets; the worker may read only secrets under it.
   * @default DEFAULT_TOKEN_SECRET_PREFIX
   */
  readonly tokenSecretPrefix?: string;
  /**
   * Base URL of the Bitbucket Cloud REST API.
   * @default 'https://api.bitbucket.org/2.0'
   */
  readonly bitbucketApiUrl?: string;
  /**
   * A push whose diff plans more model changes than this is read with one shallow git fetch (`GIT_MIN_CHANGED_MODELS`).
   * @default DEFAULT_GIT_MIN_CHANGED_MODELS
   */
  readonly gitMinChangedModels?: number;
  /**
   * Days the events table keeps sync-run records.
   * @default 30
   */
  readonly eventsTtlDays?: number;
  /**
   * Retention of the worker's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key that encrypts the worker's log group (see `createLogEncryptionKey`). */
  readonly logEncryptionKey?: kms.IKey;
}

/** The worker: consumes the sync queue, reads repository access tokens, calls Bitbucket, writes DynamoDB. */
export class SyncWorker extends Construct {
  /** The worker function. */
  public readonly worker: NodeFunction;
  /** The SQS event source mapping the worker to the queue. */
  public readonly eventSource: SqsEventSource;
  /** Name prefix of the token secrets the worker can read. */
  public readonly tokenSecretPrefix: string;

  constructor(scope: Construct, id: string, props: SyncWorkerProps) {
    super(scope, id);
    const timeout = props.timeout ?? Duration.minutes(10);
    assertVisibilityCoversRetries(props.queue, timeout);
    this.tokenSecretPrefix = props.tokenSecretPrefix ?? DEFAULT_TOKEN_SECRET_PREFIX;
    const tables = props.tables;

    this.worker = new NodeFunction(this, 'Worker', {
      description: 'Replicates Hackolade models from Bitbucket into DynamoDB',
      entry: props.entry,
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      timeout,
      memorySize: props.memorySize ?? 1024,
      environment: {
        QUEUE_URL: props.queue.queueUrl,
        ...tables.environmentFor(tables.models, tables.repositories, tables.events, tables.changes),
        TOKEN_SECRET_PREFIX: this.tokenSecretPrefix,
        BITBUCKET_API_URL: props.bitbucketApiUrl ?? DEFAULT_BITBUCKET_API_URL,
        EVENTS_TTL_DAYS: String(props.eventsTtlDays ?? 30),
        GIT_MIN_CHANGED_MODELS: String(props.gitMinChangedModels ?? DEFAULT_GIT_MIN_CHANGED_MODELS),
        POWERTOOLS_SERVICE_NAME: 'model-hub-worker',
        POWERTOOLS_METRICS_NAMESPACE: 'ModelHub',
        // Replaces the construct's default, so it keeps its source maps too.
        NODE_OPTIONS: `--enable-source-maps ${WORKER_NODE_OPTIONS}`,
      },
    });
    const role = this.worker.role;

    this.eventSource = new SqsEventSource(props.queue, {
      batchSize: props.batchSize ?? 10,
      // The worker reports failed messages individually, so one bad repository does not redeliver the batch.
      reportBatchItemFailures: true,
      maxConcurrency: props.maxConcurrency ?? 5,
    });
    this.worker.function.addEventSource(this.eventSource);
    // Continuations of long syncs go back on the same queue.
    props.queue.grant(role, 'sqs:SendMessage');
    grantTableAccess(tables, role, TABLE_ACCESS.worker);

    // Secrets Manager appends a random 6-character suffix to secret ARNs, so the namespace needs a trailing "*".
    const tokenSecretsArn = Stack.of(this).formatArn({
      service: 'secretsmanager',
      resource: 'secret',
      resourceName: `${this.tokenSecretPrefix}*`,
      arnFormat: ArnFormat.COLON_RESOURCE_NAME,
    });
    role.addToPolicy(new iam.PolicyStatement({ actions: ['secretsmanager:GetSecretValue'], resources: [tokenSecretsArn] }));
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:secretsmanager:<AWS::Region>:<AWS::AccountId>:secret:${this.tokenSecretPrefix}*]`,
      reason:
        `"${this.tokenSecretPrefix}*" is the namespace of per-repository access tokens, which are added after deployment by the admin CLI; ` +
        'the worker may read any of them (and only them, read-only).',
    });
  }
}

/**
 * AWS recommends a visibility timeout of at least six times the function timeout for SQS event sources: with
 * less, a message still being processed (or waiting out a throttled retry) becomes visible and runs twice.
 */
function assertVisibilityCoversRetries(queue: sqs.IQueue, timeout: Duration): void {
  const cfnQueue = queue.node.defaultChild;
  if (!(cfnQueue instanceof sqs.CfnQueue)) return; // imported queue: nothing to check
  const visibility = cfnQueue.visibilityTimeout;
  const required = timeout.toSeconds() * 6;
  if (visibility === undefined || Token.isUnresolved(visibility) || visibility < required) {
    throw new Error(
      `The sync queue's visibility timeout (${String(visibility ?? 'default 30')} s) must be at least 6 × the worker timeout (${required} s).`,
    );
  }
}
