import { App, Duration, Stack } from 'aws-cdk-lib';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { DataTables } from '../../infra/constructs/data-tables';
import { SyncWorker } from '../../infra/constructs/sync-worker';
import { FIXTURE_HANDLER, synthOutdir } from '../support/infra-stack';
import { PROJECT_ROOT } from '../../infra/model-hub-stack';

describe('SyncWorker', () => {
  const setup = (visibilityTimeout?: Duration) => {
    const stack = new Stack(new App({ context: { 'aws:cdk:bundling-stacks': [] }, outdir: synthOutdir() }), 'S');
    const queue = new sqs.Queue(stack, 'Q', { fifo: true, visibilityTimeout });
    const tables = new DataTables(stack, 'T');
    return () =>
      new SyncWorker(stack, 'W', { tables, queue, entry: FIXTURE_HANDLER, projectRoot: PROJECT_ROOT, timeout: Duration.minutes(10) });
  };

  test('refuses a queue whose visibility timeout is below 6 × the worker timeout', () => {
    expect(setup(Duration.minutes(59))).toThrow(/at least 6 × the worker timeout \(3600 s\)/);
    expect(setup(undefined)).toThrow(/default 30/);
  });

  test('accepts exactly 6 × the worker timeout', () => {
    expect(setup(Duration.minutes(60))).not.toThrow();
  });
});
