import { type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { CHANGES_TABLE, EVENTS_TABLE, MODEL_RECORDS_INDEX, MODELS_TABLE, REPOSITORIES_TABLE } from '../../shared/aws/tables';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../../shared/domain/sync/derive-plan';
import { WORKER_TIMEOUT, type ModelHubStack } from '../../infra/model-hub-stack';
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
const functionProps = (fn: { node: { defaultChild?: unknown } }): Record<string, any> =>
  template.toJSON().Resources[logicalId(stack, fn.node.defaultChild)].Properties;

describe('webhook ingest', () => {
  test('exposes one public route, POST /gateway/public/sync, integrated with the verifier (read and admin routes: read-admin-api.test.ts)', () => {
    expect(Object.keys(template.findResources('AWS::ApiGatewayV2::Route', { Properties: { AuthorizationType: 'NONE' } }))).toHaveLength(1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: 'POST /gateway/public/sync', AuthorizationType: 'NONE' });
    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: { 'Fn::GetAtt': [logicalId(stack, stack.ingest.verifier.function.node.defaultChild), 'Arn'] },
    });
  });

  test('stage writes access logs and throttles the stage and the route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      AccessLogSettings: { DestinationArn: { 'Fn::GetAtt': [logicalId(stack, stack.ingest.accessLogGroup.node.defaultChild), 'Arn'] } },
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() }),
      RouteSettings: { 'POST /gateway/public/sync': { ThrottlingRateLimit: Match.anyValue(), ThrottlingBurstLimit: Match.anyValue() } },
    });
  });

  test('webhook secret is generated as {"current": <64 alphanumerics>, "previous": ""}', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', {
      Name: 'ModelHubSync/webhook-secret',
      GenerateSecretString: {
        SecretStringTemplate: '{"previous":""}',
        GenerateStringKey: 'current',
        ExcludePunctuation: true,
        PasswordLength: 64,
      },
    });
  });
});

describe('functions', () => {
  test('all functions run nodejs24.x on arm64 with JSON logs into their own log group', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    // Plus CDK's own deploy-time function that copies the console into its bucket (BucketDeployment, Python).
    const ours = Object.values(functions).filter((fn) => String(fn.Properties.Runtime).startsWith('nodejs'));
    expect(ours).toHaveLength(6);
    expect(Object.keys(functions)).toHaveLength(7);
    for (const fn of ours) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.Architectures).toEqual(['arm64']);
      expect(fn.Properties.LoggingConfig.LogFormat).toBe('JSON');
      expect(fn.Properties.LoggingConfig.LogGroup).toEqual({ Ref: expect.any(String) });
      expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toMatch(/^--enable-source-maps( |$)/);
    }
    const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
    expect(logGroups.length).toBeGreaterThanOrEqual(5);
    for (const lg of logGroups) expect(lg.Properties.RetentionInDays).toBe(365);
  });

  test('verifier has its environment contract and reserved concurrency', () => {
    const props = functionProps(stack.ingest.verifier.function);
    expect(props.ReservedConcurrentExecutions).toBe(50);
    expect(props.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      QUEUE_URL: { Ref: logicalId(stack, stack.ingest.queue.node.defaultChild) },
      [REPOSITORIES_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.repositories.node.defaultChild) },
      [EVENTS_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.events.node.defaultChild) },
      WEBHOOK_SECRET_ID: { Ref: logicalId(stack, stack.ingest.webhookSecret.node.defaultChild) },
      EVENTS_TTL_DAYS: '30',
      DEDUPE_TTL_DAYS: '7',
      POWERTOOLS_SERVICE_NAME: 'model-hub-verifier',
      POWERTOOLS_LOG_LEVEL: 'INFO',
    });
  });

  test('worker has its environment contract, 10 min timeout and 1024 MB', () => {
    const props = functionProps(stack.sync.worker.function);
    expect(props.Timeout).toBe(600);
    expect(props.MemorySize).toBe(1024);
    expect(props.Environment.Variables).toMatchObject({
      QUEUE_URL: { Ref: logicalId(stack, stack.ingest.queue.node.defaultChild) },
      [MODELS_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.models.node.defaultChild) },
      [REPOSITORIES_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.repositories.node.defaultChild) },
      [EVENTS_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.events.node.defaultChild) },
      TOKEN_SECRET_PREFIX: 'ModelHubSync/tokens/',
      BITBUCKET_API_URL: 'https://api.bitbucket.org/2.0',
      EVENTS_TTL_DAYS: '30',
      GIT_MIN_CHANGED_MODELS: String(DEFAULT_GIT_MIN_CHANGED_MODELS),
      POWERTOOLS_SERVICE_NAME: 'model-hub-worker',
      POWERTOOLS_METRICS_NAMESPACE: 'ModelHub',
      NODE_OPTIONS: '--enable-source-maps --max-semi-space-size=16',
    });
  });

  test('reconciler has its environment contract', () => {
    const props = functionProps(stack.reconciliation.reconciler.function);
    expect(props.Environment.Variables).toEqual({
      NODE_OPTIONS: '--enable-source-maps',
      QUEUE_URL: { Ref: logicalId(stack, stack.ingest.queue.node.defaultChild) },
      [REPOSITORIES_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.repositories.node.defaultChild) },
      [EVENTS_TABLE.envVar]: { Ref: logicalId(stack, stack.tables.events.node.defaultChild) },
      POWERTOOLS_SERVICE_NAME: 'model-hub-reconciler',
    });
  });
});

describe('queues', () => {
  test('sync queue is FIFO without content-based dedup, retains 4 days and redrives to a FIFO DLQ after 5 receives', () => {
    const dlqId = logicalId(stack, stack.ingest.deadLetterQueue.node.defaultChild);
    template.hasResourceProperties('AWS::SQS::Queue', {
      FifoQueue: true,
      ContentBasedDeduplication: false,
      MessageRetentionPeriod: 4 * 24 * 3600,
      RedrivePolicy: { deadLetterTargetArn: { 'Fn::GetAtt': [dlqId, 'Arn'] }, maxReceiveCount: 5 },
    });
    expect(template.toJSON().Resources[dlqId].Properties).toMatchObject({ FifoQueue: true, MessageRetentionPeriod: 14 * 24 * 3600 });
  });

  test('visibility timeout is at least 6 × the worker timeout', () => {
    const queue = template.toJSON().Resources[logicalId(stack, stack.ingest.queue.node.defaultChild)];
    const workerTimeout = functionProps(stack.sync.worker.function).Timeout as number;
    expect(workerTimeout).toBe(WORKER_TIMEOUT.toSeconds());
    expect(queue.Properties.VisibilityTimeout).toBeGreaterThanOrEqual(6 * workerTimeout);
  });

  test('every queue (sync, its DLQ, the change-events DLQ) uses SQS-managed SSE and denies non-TLS access', () => {
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.keys(queues)).toHaveLength(3);
    for (const [id, queue] of Object.entries(queues)) {
      expect(queue.Properties.SqsManagedSseEnabled).toBe(true);
      template.hasResourceProperties('AWS::SQS::QueuePolicy', {
        Queues: [{ Ref: id }],
        PolicyDocument: {
          Statement: Match.arrayWith([
            Match.objectLike({ Effect: 'Deny', Action: 'sqs:*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          ]),
        },
      });
    }
  });

  test('worker event source reports batch item failures and caps concurrency', () => {
    template.resourceCountIs('AWS::Lambda::EventSourceMapping', 1);
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      EventSourceArn: { 'Fn::GetAtt': [logicalId(stack, stack.ingest.queue.node.defaultChild), 'Arn'] },
      FunctionName: { Ref: logicalId(stack, stack.sync.worker.function.node.defaultChild) },
      BatchSize: 10,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 5 },
    });
  });
});

describe('tables', () => {
  test('four pay-per-request tables with pk/sk, PITR, AWS-managed SSE, retained and deletion-protected', () => {
    const tables = template.findResources('AWS::DynamoDB::Table');
    expect(Object.keys(tables)).toHaveLength(4);
    for (const table of Object.values(tables)) {
      expect(table.DeletionPolicy).toBe('Retain');
      expect(table.UpdateReplacePolicy).toBe('Retain');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        SSESpecification: { SSEEnabled: true },
        DeletionProtectionEnabled: true,
      });
      // AWS managed key: no customer key is named.
      expect(table.Properties.SSESpecification.KMSMasterKeyId).toBeUndefined();
    }
  });

  test('the models table has the sparse records index entity search lists from, and no other table has an index', () => {
    const models = template.toJSON().Resources[logicalId(stack, stack.tables.models.node.defaultChild)].Properties;
    expect(models.GlobalSecondaryIndexes).toEqual([
      {
        IndexName: MODEL_RECORDS_INDEX.indexName,
        KeySchema: [
          { AttributeName: 'repositoryUuid', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: [...MODEL_RECORDS_INDEX.nonKeyAttributes] },
      },
    ]);
    const indexed = Object.values(template.findResources('AWS::DynamoDB::Table')).filter((t) => t.Properties.GlobalSecondaryIndexes);
    expect(indexed).toHaveLength(1);
  });

  test('only the events and changes tables expire items, on their ttl attribute', () => {
    const ttl = Object.values(template.findResources('AWS::DynamoDB::Table')).map((t) => t.Properties.TimeToLiveSpecification);
    expect(ttl.filter(Boolean)).toEqual([
      { AttributeName: EVENTS_TABLE.ttlAttribute, Enabled: true },
      { AttributeName: CHANGES_TABLE.ttlAttribute, Enabled: true },
    ]);
    expect(
      template.toJSON().Resources[logicalId(stack, stack.tables.events.node.defaultChild)].Properties.TimeToLiveSpecification,
    ).toBeDefined();
  });
});

describe('schedule and monitoring', () => {
  test('reconciler runs every 15 minutes by default', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(15 minutes)',
      Targets: [
        Match.objectLike({ Arn: { 'Fn::GetAtt': [logicalId(stack, stack.reconciliation.reconciler.function.node.defaultChild), 'Arn'] } }),
      ],
    });
  });

  test('a daily rule makes the reconciler queue verifications: its event carries verify: true', () => {
    const reconcilerArn = { 'Fn::GetAtt': [logicalId(stack, stack.reconciliation.reconciler.function.node.defaultChild), 'Arn'] };
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(1 day)',
      Targets: [
        Match.objectLike({
          Arn: reconcilerArn,
          InputTransformer: {
            InputPathsMap: { id: '$.id', time: '$.time' },
            InputTemplate: '{"id":<id>,"time":<time>,"verify":true}',
          },
        }),
      ],
    });
    template.resourceCountIs('AWS::Events::Rule', 2);
  });

  test('ReplicaDrift above 0 raises an alarm that notifies the alarm topic on ALARM and OK', () => {
    const topicRef = { Ref: logicalId(stack, stack.monitoring.alarmTopic.node.defaultChild) };
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'ModelHub',
      MetricName: 'ReplicaDrift',
      Dimensions: [{ Name: 'service', Value: 'model-hub-worker' }],
      Statistic: 'Sum',
      Threshold: 0,
      ComparisonOperator: 'GreaterThanThreshold',
      TreatMissingData: 'notBreaching',
      AlarmActions: [topicRef],
      OKActions: [topicRef],
    });
  });

  test('alarms cover the DLQ, queue age, worker and reconciler errors, verifier 5xx and throttles', () => {
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    // eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
    const find = (namespace: string, metricName: string): Record<string, any>[] =>
      alarms.filter((a) => a.Namespace === namespace && a.MetricName === metricName);
    expect(find('AWS/SQS', 'ApproximateNumberOfMessagesVisible')).toEqual([
      expect.objectContaining({
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Dimensions: [
          { Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(stack, stack.ingest.deadLetterQueue.node.defaultChild), 'QueueName'] } },
        ],
      }),
      expect.objectContaining({
        Dimensions: [
          {
            Name: 'QueueName',
            Value: { 'Fn::GetAtt': [logicalId(stack, stack.changeEvents.deadLetterQueue.node.defaultChild), 'QueueName'] },
          },
        ],
      }),
    ]);
    expect(find('AWS/SQS', 'ApproximateAgeOfOldestMessage')).toHaveLength(1);
    expect(find('AWS/Lambda', 'Errors')).toHaveLength(2);
    expect(find('AWS/Lambda', 'Throttles')).toHaveLength(2);
    expect(find('AWS/ApiGateway', '5xx')).toEqual([
      expect.objectContaining({ Dimensions: expect.arrayContaining([{ Name: 'Stage', Value: '$default' }]) }),
    ]);
    // Without alarmEmail the topic still exists and every alarm notifies it; only the subscription is missing.
    const topicRef = { Ref: logicalId(stack, stack.monitoring.alarmTopic.node.defaultChild) };
    template.resourceCountIs('AWS::SNS::Topic', 1);
    template.resourceCountIs('AWS::SNS::Subscription', 0);
    for (const a of alarms) expect(a.AlarmActions).toEqual([topicRef]);
  });

  test('dashboard and the three saved Logs Insights queries exist', () => {
    template.resourceCountIs('AWS::CloudWatch::Dashboard', 1);
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'ModelHubSync/rejected-deliveries',
      QueryString: Match.stringLikeRegexp('filter outcome = "rejected"'),
    });
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'ModelHubSync/sync-runs-by-repository',
      QueryString: Match.stringLikeRegexp('filter message = "sync finished"[\\s\\S]*by repository'),
    });
    template.hasResourceProperties('AWS::Logs::QueryDefinition', {
      Name: 'ModelHubSync/errors-by-request',
      QueryString: Match.stringLikeRegexp('correlation_id, requestUuid[\\s\\S]*filter level = "ERROR"'),
    });
  });
});

describe('outputs', () => {
  test('prints the webhook URL, the secret name/ARN, the read command and the resource names (never the secret value)', () => {
    const outputs = template.toJSON().Outputs as Record<string, { Value: unknown }>;
    expect(Object.keys(outputs)).toEqual(
      expect.arrayContaining([
        'WebhookUrl',
        'WebhookSecretName',
        'WebhookSecretArn',
        'ReadWebhookSecretCommand',
        'TokenSecretPrefix',
        'SyncQueueUrl',
        'DeadLetterQueueUrl',
        'ModelsTableName',
        'RepositoriesTableName',
        'EventsTableName',
        'DashboardName',
      ]),
    );
    expect(JSON.stringify(outputs.WebhookUrl!.Value)).toMatch(/execute-api.*\/gateway\/public\/sync"/);
    expect(outputs.WebhookSecretName!.Value).toBe('ModelHubSync/webhook-secret');
    expect(JSON.stringify(outputs.ReadWebhookSecretCommand!.Value)).toContain('aws secretsmanager get-secret-value --secret-id ');
    expect(JSON.stringify(outputs.ReadWebhookSecretCommand!.Value)).toContain('--query SecretString');
    expect(JSON.stringify(outputs)).not.toContain('SecretString"');
    expect(JSON.stringify(outputs)).not.toMatch(/resolve:secretsmanager/);
  });
});
