/**
 * The change events of the hub on Amazon EventBridge, delivered by AWS's own machinery: the changes table's
 * DynamoDB stream → an EventBridge pipe (filtered to inserted feed records, enriched by a small function that
 * parses the stored detail) → the stack's event bus, with an archive for replays and a dead-letter queue for what
 * the pipe could not deliver. The stream keeps every record for 24 hours and the pipe retries, so a record the
 * worker committed is delivered at least once; consumers dedupe by `detail.idempotencyKey` (docs/EVENTS.md).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as actions from 'aws-cdk-lib/aws-cloudwatch-actions';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as pipes from 'aws-cdk-lib/aws-pipes';
import type * as sns from 'aws-cdk-lib/aws-sns';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { FEED_PARTITION } from '../../shared/aws/dynamodb-change-store';
import { PARTITION_KEY } from '../../shared/aws/tables';
import { CHANGE_EVENT_SOURCE } from '../../shared/domain/changes/change-records';
import { NodeFunction } from './node-function';

/** Properties of {@link ChangeEvents}. */
export interface ChangeEventsProps {
  /** The changes table (its stream must carry new images). */
  readonly table: dynamodb.ITable;
  /** Absolute path of the enrichment's entry file (`functions/change-events/handler.ts`). */
  readonly entry: string;
  /** Repository root, for bundling. */
  readonly projectRoot: string;
  /**
   * How long the archive keeps the events for replays.
   * @default Duration.days(14)
   */
  readonly archiveRetention?: Duration;
  /** Told when the pipe could not deliver a batch (a message in its dead-letter queue). */
  readonly alarmTopic?: sns.ITopic;
  readonly logRetention?: logs.RetentionDays;
  readonly logEncryptionKey?: kms.IKey;
}

/** The bus, the pipe that feeds it from the changes table's stream, and what keeps the pipe observable. */
export class ChangeEvents extends Construct {
  public readonly bus: events.EventBus;
  public readonly pipe: pipes.CfnPipe;
  /** The pipe's role: reads the stream, invokes the enrichment, puts events on the bus, sends failures to the DLQ. */
  public readonly role: iam.Role;
  public readonly enrichment: NodeFunction;
  public readonly deadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ChangeEventsProps) {
    super(scope, id);
    const streamArn = props.table.tableStreamArn;
    if (!streamArn) throw new Error('ChangeEvents needs a table with a DynamoDB stream');

    this.bus = new events.EventBus(this, 'Bus', { eventBusName: `${Stack.of(this).stackName}-changes` });
    this.bus.archive('Archive', {
      description: 'Change events of the model hub, for replays',
      eventPattern: { source: [CHANGE_EVENT_SOURCE] },
      retention: props.archiveRetention ?? Duration.days(14),
    });

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'AwsSolutions-SQS3',
      reason: 'It is the dead-letter queue of the change-events pipe (named on the pipe, which cdk-nag does not read).',
    });

    this.enrichment = new NodeFunction(this, 'Enrichment', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Turns change records of the changes table stream into EventBridge events (pipe enrichment)',
      memorySize: 256,
      timeout: Duration.seconds(10),
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
    });

    this.role = new iam.Role(this, 'PipeRole', {
      assumedBy: new iam.ServicePrincipal('pipes.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
      description: `Role of the change-events pipe of ${Stack.of(this).stackName}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [streamArn],
      }),
    );
    // The function itself, not its versions (grantInvoke would add `<arn>:*`).
    this.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.enrichment.function.functionArn] }),
    );
    this.bus.grantPutEventsTo(this.role);
    this.deadLetterQueue.grantSendMessages(this.role);

    this.pipe = new pipes.CfnPipe(this, 'Pipe', {
      description: 'Change records of the changes table to the change-events bus',
      roleArn: this.role.roleArn,
      source: streamArn,
      sourceParameters: {
        dynamoDbStreamParameters: {
          // From the oldest record the stream keeps (24 hours): records written before the pipe existed are delivered too.
          startingPosition: 'TRIM_HORIZON',
          batchSize: 10,
          maximumBatchingWindowInSeconds: 1,
          maximumRetryAttempts: 10,
          onPartialBatchItemFailure: 'AUTOMATIC_BISECT',
          deadLetterConfig: { arn: this.deadLetterQueue.queueArn },
        },
        // Only records of the feed, once, when written: intents, commit marks and expiries are no events.
        filterCriteria: { filters: [{ pattern: JSON.stringify(FEED_RECORD_FILTER) }] },
      },
      enrichment: this.enrichment.function.functionArn,
      target: this.bus.eventBusArn,
      targetParameters: {
        // The enrichment returns { detailType, detail }: the detail becomes the event's detail.
        inputTemplate: '<$.detail>',
        eventBridgeEventBusParameters: { source: CHANGE_EVENT_SOURCE, detailType: '$.detailType' },
      },
    });
    // The role's policy must exist before the pipe starts reading the stream.
    this.pipe.node.addDependency(this.role);

    if (props.alarmTopic) this.alarmOnUndelivered(props.alarmTopic);
  }

  private alarmOnUndelivered(topic: sns.ITopic): void {
    const alarm = new cloudwatch.Alarm(this, 'UndeliveredAlarm', {
      alarmDescription: 'Change events the pipe could not deliver are in its dead-letter queue (docs/EVENTS.md: redelivery).',
      metric: this.deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' }),
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    alarm.addAlarmAction(new actions.SnsAction(topic));
    alarm.addOkAction(new actions.SnsAction(topic));
  }
}

/** The pipe's filter: inserted items of the feed partition. */
export const FEED_RECORD_FILTER = { eventName: ['INSERT'], dynamodb: { Keys: { [PARTITION_KEY]: { S: [FEED_PARTITION] } } } } as const;
