// Alarms and a dashboard, so a failing function, a stuck queue or a dead-lettered sync is noticed without
// reading logs.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cwActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { limitGrantsToAwsServices } from './log-encryption-key';
import type { NodeFunction } from './node-function';

/** Namespace of the worker's custom metrics (Powertools `POWERTOOLS_METRICS_NAMESPACE`). */
export const METRICS_NAMESPACE = 'ModelHub';

/** A custom metric of the worker (Powertools Metrics adds the service name as the default dimension). */
function workerMetric(metricName: string, period: Duration): cloudwatch.Metric {
  return new cloudwatch.Metric({
    namespace: METRICS_NAMESPACE,
    metricName,
    dimensionsMap: { service: 'model-hub-worker' },
    statistic: 'Sum',
    period,
  });
}

/** Properties of {@link Monitoring}. */
export interface MonitoringProps {
  /** Prefix of the dashboard and saved query names, so that several stacks can share an account. */
  readonly namePrefix: string;
  /** The API's stage, for delivery counts, 4xx/5xx and latency. */
  readonly stage: apigwv2.IHttpStage;
  /** The verifier. */
  readonly verifier: NodeFunction;
  /** The worker. */
  readonly worker: NodeFunction;
  /** The reconciler. */
  readonly reconciler: NodeFunction;
  /** The sync queue. */
  readonly queue: sqs.IQueue;
  /** The sync queue's dead-letter queue. */
  readonly deadLetterQueue: sqs.IQueue;
  /**
   * Address to subscribe to the alarm topic.
   * @default - no subscription; subscribe later (SNS console or `aws sns subscribe`) to the AlarmTopicArn output
   */
  readonly alarmEmail?: string;
  /**
   * Age of the oldest queued sync that raises an alarm. Long syncs continue in new messages, so an old message
   * means the worker is not keeping up or keeps failing.
   * @default Duration.minutes(30)
   */
  readonly maxQueueAge?: Duration;
}

/**
 * Alarms (notifying an encrypted SNS topic, optionally e-mailed), a CloudWatch dashboard and saved Logs Insights
 * queries for the hub.
 */
export class Monitoring extends Construct {
  /** Every alarm the construct creates. */
  public readonly alarms: cloudwatch.Alarm[] = [];
  /** Topic every alarm notifies (alarm and OK); `alarmEmail` subscribes an address to it. */
  public readonly alarmTopic: sns.Topic;
  /** The dashboard. */
  public readonly dashboard: cloudwatch.Dashboard;
  /** Saved Logs Insights queries. */
  public readonly queries: logs.QueryDefinition[];

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { stage, verifier, worker, reconciler, queue, deadLetterQueue } = props;
    const fiveMinutes = Duration.minutes(5);

    this.alarmTopic = this.createAlarmTopic(props);

    const alarm = (
      id: string,
      description: string,
      metric: cloudwatch.Metric,
      options: Partial<cloudwatch.CreateAlarmOptions> = {},
    ): void => {
      const created = metric.createAlarm(this, id, {
        alarmDescription: description,
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        // No datapoints means no traffic, which is healthy for all of these.
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
        ...options,
      });
      created.addAlarmAction(new cwActions.SnsAction(this.alarmTopic));
      created.addOkAction(new cwActions.SnsAction(this.alarmTopic));
      this.alarms.push(created);
    };

    alarm(
      'DeadLetterQueueNotEmpty',
      'Sync requests failed 5 times and were moved to the dead-letter queue. See docs/DEPLOY.md ("Redriving the DLQ").',
      deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
    );
    const maxQueueAge = props.maxQueueAge ?? Duration.minutes(30);
    alarm(
      'QueueOldestMessageAge',
      `The oldest sync request has waited more than ${maxQueueAge.toMinutes()} minutes: the worker is not keeping up or keeps failing.`,
      queue.metricApproximateAgeOfOldestMessage({ period: fiveMinutes, statistic: 'Maximum' }),
      { threshold: maxQueueAge.toSeconds(), evaluationPeriods: 2 },
    );
    alarm(
      'WorkerErrors',
      'The worker failed invocations (crashes or timeouts, not per-message failures).',
      worker.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
    );
    alarm(
      'ReconcilerErrors',
      'The reconciler failed; missed webhooks are not being caught up.',
      reconciler.function.metricErrors({ period: fiveMinutes, statistic: 'Sum' }),
    );
    alarm(
      'Verifier5xx',
      'The webhook endpoint answered 5xx: Bitbucket deliveries are failing.',
      stage.metricServerError({ period: fiveMinutes, statistic: 'Sum' }),
    );
    alarm(
      'VerifierThrottles',
      'The verifier hit its reserved concurrency: deliveries are being rejected with 429/5xx.',
      verifier.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
    );
    alarm(
      'ReplicaDrift',
      'A verification found stored models that differed from their repository head (and repaired them): see the sync runs ' +
        'whose reason starts with "drift" (`events`). See docs/DEPLOY.md ("Replica drift").',
      workerMetric('ReplicaDrift', Duration.hours(1)),
      { threshold: 0, comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD },
    );
    alarm(
      'WorkerThrottles',
      'The worker was throttled (account concurrency exhausted).',
      worker.function.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }),
    );

    this.dashboard = this.createDashboard(props);
    this.queries = this.createQueries(props);
  }

  /**
   * The topic every alarm notifies. Always created, so every alarm has an action (Control Tower CT.CLOUDWATCH.PR.1)
   * and an operator can subscribe later; the e-mail subscription is the optional part.
   */
  private createAlarmTopic(props: MonitoringProps): sns.Topic {
    // CloudWatch cannot publish to a topic encrypted with the AWS managed key alias/aws/sns (its key policy
    // cannot be changed), so the topic gets a customer managed key that allows CloudWatch to use it.
    const key = new kms.Key(this, 'AlarmTopicKey', {
      description: 'Encrypts the model hub alarm topic',
      enableKeyRotation: true,
      // The key only protects alarm notifications in transit; nothing needs it after the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        principals: [new iam.ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: { StringEquals: { 'aws:SourceAccount': Stack.of(this).account } },
      }),
    );
    limitGrantsToAwsServices(key);
    const topic = new sns.Topic(this, 'AlarmTopic', {
      displayName: `${props.namePrefix} alarms`,
      masterKey: key,
      enforceSSL: true,
    });
    if (props.alarmEmail !== undefined) {
      topic.addSubscription(new subscriptions.EmailSubscription(props.alarmEmail));
    }
    return topic;
  }

  private createDashboard(props: MonitoringProps): cloudwatch.Dashboard {
    const { stage, verifier, worker, reconciler, queue, deadLetterQueue } = props;
    const period = Duration.minutes(5);
    const custom = (metricName: string): cloudwatch.Metric => workerMetric(metricName, period);
    const dashboard = new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: `${props.namePrefix}-model-hub`,
      defaultInterval: Duration.days(1),
    });
    dashboard.addWidgets(
      new cloudwatch.TextWidget({ markdown: '## Deliveries (POST /gateway/public/sync)', width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Deliveries',
        left: [
          stage.metricCount({ period, statistic: 'Sum', label: 'Requests' }),
          stage.metricClientError({ period, statistic: 'Sum', label: '4xx (rejected)' }),
          stage.metricServerError({ period, statistic: 'Sum', label: '5xx' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Delivery latency (ms)',
        left: [
          stage.metricLatency({ period, statistic: 'p50', label: 'API p50' }),
          stage.metricLatency({ period, statistic: 'p99', label: 'API p99' }),
          verifier.function.metricDuration({ period, statistic: 'p99', label: 'Verifier p99' }),
        ],
        right: [verifier.function.metricThrottles({ period, statistic: 'Sum', label: 'Verifier throttles' })],
        width: 12,
      }),
      new cloudwatch.TextWidget({ markdown: '## Syncs', width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Worker invocations and errors',
        left: [
          worker.function.metricInvocations({ period, statistic: 'Sum', label: 'Invocations' }),
          worker.function.metricErrors({ period, statistic: 'Sum', label: 'Errors' }),
          worker.function.metricThrottles({ period, statistic: 'Sum', label: 'Throttles' }),
          reconciler.function.metricErrors({ period, statistic: 'Sum', label: 'Reconciler errors' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: 'Worker duration (ms)',
        left: [
          worker.function.metricDuration({ period, statistic: 'p50', label: 'p50' }),
          worker.function.metricDuration({ period, statistic: 'p99', label: 'p99' }),
        ],
        width: 8,
      }),
      new cloudwatch.GraphWidget({
        title: `Sync metrics (${METRICS_NAMESPACE})`,
        left: [custom('ModelsWritten'), custom('BitbucketApiCalls'), custom('SyncFailures'), custom('ReplicaDrift')],
        width: 8,
      }),
      new cloudwatch.TextWidget({ markdown: '## Queue', width: 24, height: 1 }),
      new cloudwatch.GraphWidget({
        title: 'Queue depth',
        left: [
          queue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'Visible' }),
          queue.metricApproximateNumberOfMessagesNotVisible({ period, statistic: 'Maximum', label: 'In flight' }),
          deadLetterQueue.metricApproximateNumberOfMessagesVisible({ period, statistic: 'Maximum', label: 'Dead-letter' }),
        ],
        width: 12,
      }),
      new cloudwatch.GraphWidget({
        title: 'Oldest message age (s)',
        left: [queue.metricApproximateAgeOfOldestMessage({ period, statistic: 'Maximum', label: 'Sync queue' })],
        width: 12,
      }),
      new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 }),
    );
    return dashboard;
  }

  private createQueries(props: MonitoringProps): logs.QueryDefinition[] {
    const prefix = `${props.namePrefix}/`;
    return [
      new logs.QueryDefinition(this, 'RejectedDeliveriesQuery', {
        queryDefinitionName: `${prefix}rejected-deliveries`,
        logGroups: [props.verifier.logGroup],
        queryString: new logs.QueryString({
          fields: ['@timestamp', 'reason', 'requestUuid', 'repository', 'sourceIp', 'message'],
          filterStatements: ['outcome = "rejected"'],
          sort: '@timestamp desc',
          limit: 200,
        }),
      }),
      new logs.QueryDefinition(this, 'SyncRunsQuery', {
        queryDefinitionName: `${prefix}sync-runs-by-repository`,
        logGroups: [props.worker.logGroup],
        queryString: new logs.QueryString({
          filterStatements: ['message = "sync finished"'],
          statsStatements: ['count(*) as runs, max(@timestamp) as lastRun by repository'],
          sort: 'runs desc',
          limit: 500,
        }),
      }),
      new logs.QueryDefinition(this, 'ErrorsByRequestQuery', {
        queryDefinitionName: `${prefix}errors-by-request`,
        logGroups: [props.verifier.logGroup, props.worker.logGroup, props.reconciler.logGroup],
        queryString: new logs.QueryString({
          fields: ['@timestamp', 'service', 'correlation_id', 'requestUuid', 'repository', 'message', 'error.message'],
          filterStatements: ['level = "ERROR"'],
          sort: '@timestamp desc',
          limit: 200,
        }),
      }),
    ];
  }
}
