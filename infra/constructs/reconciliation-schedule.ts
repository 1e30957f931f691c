// The schedules and the reconciler function they run, so missed webhooks heal without an admin and a replica that
// drifted from Bitbucket is found and repaired.
import { Duration } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import type * as kms from 'aws-cdk-lib/aws-kms';
import type * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import type { DataTables } from './data-tables';
import { NodeFunction } from './node-function';
import { grantTableAccess, TABLE_ACCESS } from './table-access';

/** Properties of {@link ReconciliationSchedule}. */
export interface ReconciliationScheduleProps {
  /** The hub's tables; the reconciler reads repositories and writes events. */
  readonly tables: DataTables;
  /** The sync queue, on which the reconciler enqueues one sync per added repository. */
  readonly queue: sqs.IQueue;
  /** Absolute path of the reconciler's entry file. */
  readonly entry: string;
  /** Repository root, for bundling. */
  readonly projectRoot: string;
  /**
   * Minutes between runs.
   * @default 15
   */
  readonly intervalMinutes?: number;
  /**
   * EventBridge schedule expression of the verification runs (the reconciler then queues a verification per
   * repository), or undefined for none.
   * @default - no verification schedule
   */
  readonly verifySchedule?: string;
  /**
   * Retention of the reconciler's log group.
   * @default logs.RetentionDays.ONE_YEAR
   */
  readonly logRetention?: logs.RetentionDays;
  /** KMS key that encrypts the reconciler's log group (see `createLogEncryptionKey`). */
  readonly logEncryptionKey?: kms.IKey;
}

/**
 * A scheduled EventBridge rule running the reconciler, which enqueues a sync for every added repository so that
 * missed or failed webhook deliveries are caught up.
 */
export class ReconciliationSchedule extends Construct {
  /** The reconciler function. */
  public readonly reconciler: NodeFunction;
  /** The schedule rule. */
  public readonly rule: events.Rule;
  /** The verification schedule's rule, when there is one. */
  public readonly verifyRule?: events.Rule;

  constructor(scope: Construct, id: string, props: ReconciliationScheduleProps) {
    super(scope, id);
    const intervalMinutes = props.intervalMinutes ?? 15;
    const tables = props.tables;

    this.reconciler = new NodeFunction(this, 'Reconciler', {
      description: 'Enqueues a sync for every added repository',
      entry: props.entry,
      projectRoot: props.projectRoot,
      logRetention: props.logRetention,
      logEncryptionKey: props.logEncryptionKey,
      memorySize: 256,
      timeout: Duration.minutes(2),
      environment: {
        QUEUE_URL: props.queue.queueUrl,
        ...tables.environmentFor(tables.repositories, tables.events),
        POWERTOOLS_SERVICE_NAME: 'model-hub-reconciler',
      },
    });
    const role = this.reconciler.role;
    props.queue.grant(role, 'sqs:SendMessage');
    grantTableAccess(tables, role, TABLE_ACCESS.reconciler);

    this.rule = new events.Rule(this, 'Schedule', {
      description: `Runs the model hub reconciler every ${intervalMinutes} minute(s)`,
      schedule: events.Schedule.rate(Duration.minutes(intervalMinutes)),
      targets: [
        new targets.LambdaFunction(this.reconciler.function, {
          // A run that cannot start before the next one is due is redundant.
          maxEventAge: Duration.minutes(Math.max(1, Math.min(intervalMinutes, 60 * 24))),
          retryAttempts: 2,
        }),
      ],
    });

    if (props.verifySchedule !== undefined) {
      this.verifyRule = new events.Rule(this, 'VerifySchedule', {
        description: 'Runs the model hub reconciler to queue a verification of every added repository',
        schedule: events.Schedule.expression(props.verifySchedule),
        targets: [
          new targets.LambdaFunction(this.reconciler.function, {
            // The event's id and time as a scheduled event has them, and the flag that makes the requests verifications.
            event: events.RuleTargetInput.fromObject({ id: events.EventField.eventId, time: events.EventField.time, verify: true }),
            maxEventAge: Duration.hours(1),
            retryAttempts: 2,
          }),
        ],
      });
    }
  }
}
