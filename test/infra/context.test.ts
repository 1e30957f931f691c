import { App, RemovalPolicy } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ModelHubConfigError, readHubConfig } from '../../infra/config';
import { DEFAULT_GIT_MIN_CHANGED_MODELS } from '../../shared/domain/sync/derive-plan';
import { synthOutdir, synthTemplate } from '../support/infra-stack';

// An App makes its output directory when it is built: a run-scoped one, so none is left behind.
const configFor = (context: Record<string, unknown>) => readHubConfig(new App({ context, outdir: synthOutdir() }));

describe('context defaults and parsing', () => {
  test('defaults', () => {
    expect(configFor({})).toEqual({
      stackName: 'ModelHubSync',
      alarmEmail: undefined,
      reconcileMinutes: 15,
      verifySchedule: 'rate(1 day)',
      logRetention: RetentionDays.ONE_YEAR,
      removalPolicy: RemovalPolicy.RETAIN,
      bitbucketApiUrl: 'https://api.bitbucket.org/2.0',
      verifierReservedConcurrency: 50,
      gitMinChangedModels: DEFAULT_GIT_MIN_CHANGED_MODELS,
      readJwt: undefined,
      adminJwt: undefined,
      adminGroup: 'model-hub-admins',
      adminLoginDomainPrefix: undefined,
      corsOrigins: [],
    });
  });

  test('accepts strings from `-c key=value` and JSON values from cdk.json alike', () => {
    const fromCli = configFor({
      reconcileMinutes: '5',
      logRetentionDays: '400',
      verifierReservedConcurrency: '10',
      removalPolicy: 'destroy',
      gitMinChangedModels: '0',
    });
    const fromJson = configFor({
      reconcileMinutes: 5,
      logRetentionDays: 400,
      verifierReservedConcurrency: 10,
      removalPolicy: 'destroy',
      gitMinChangedModels: 0,
    });
    expect(fromCli).toEqual(fromJson);
    expect(fromCli).toMatchObject({
      reconcileMinutes: 5,
      logRetention: RetentionDays.THIRTEEN_MONTHS,
      verifierReservedConcurrency: 10,
      removalPolicy: RemovalPolicy.DESTROY,
      gitMinChangedModels: 0,
    });
  });

  test('verifySchedule takes a rate or a cron expression (normalized as EventBridge wants it), or "none"', () => {
    expect(configFor({ verifySchedule: 'rate(12 hours)' }).verifySchedule).toBe('rate(12 hours)');
    expect(configFor({ verifySchedule: 'rate(1 days)' }).verifySchedule).toBe('rate(1 day)');
    expect(configFor({ verifySchedule: ' cron(0  3 ? * MON-FRI *) ' }).verifySchedule).toBe('cron(0 3 ? * MON-FRI *)');
    expect(configFor({ verifySchedule: 'none' }).verifySchedule).toBeUndefined();
  });

  test('"none" turns reserved concurrency off; an empty alarmEmail means no e-mail', () => {
    expect(configFor({ verifierReservedConcurrency: 'none', alarmEmail: '' })).toMatchObject({
      verifierReservedConcurrency: undefined,
      alarmEmail: undefined,
    });
  });
});

describe('context validation errors', () => {
  test.each([
    ['stackName', 'my stack', /stackName.*CloudFormation stack name/],
    ['stackName', 42, /stackName/],
    ['alarmEmail', 'not-an-email', /alarmEmail.*email address/],
    ['reconcileMinutes', '0', /reconcileMinutes.*1 to 1440/],
    ['reconcileMinutes', 'fifteen', /reconcileMinutes/],
    ['reconcileMinutes', 2.5, /reconcileMinutes/],
    ['verifySchedule', 'daily', /verifySchedule.*schedule expression such as "rate\(1 day\)"/],
    ['verifySchedule', 'rate(0 days)', /verifySchedule/],
    ['verifySchedule', 'rate(1 week)', /verifySchedule/],
    // Five fields (a Unix crontab) and "*" in both day fields: EventBridge refuses both.
    ['verifySchedule', 'cron(0 3 * * *)', /verifySchedule.*six fields/],
    ['verifySchedule', 'cron(0 3 * * * *)', /verifySchedule.*"\?" in day-of-month or day-of-week/],
    ['verifySchedule', 7, /verifySchedule/],
    ['logRetentionDays', '45', /logRetentionDays.*retention periods of at least a year.*: 365, 400, /],
    // A real CloudWatch Logs period, but below the year Control Tower requires (CT.CLOUDWATCH.PR.2).
    ['logRetentionDays', '180', /logRetentionDays.*at least a year/],
    ['removalPolicy', 'snapshot', /removalPolicy.*"retain" or "destroy"/],
    ['bitbucketApiUrl', 'http://api.bitbucket.org/2.0', /bitbucketApiUrl.*https:\/\//],
    ['bitbucketApiUrl', 'not a url', /bitbucketApiUrl/],
    ['verifierReservedConcurrency', '0', /verifierReservedConcurrency.*"none"/],
    ['verifierReservedConcurrency', 'lots', /verifierReservedConcurrency/],
    ['gitMinChangedModels', '-1', /gitMinChangedModels.*0 to 1000000/],
    ['gitMinChangedModels', 2.5, /gitMinChangedModels/],
    ['gitMinChangedModels', 'many', /gitMinChangedModels/],
  ])('%s = %j is rejected', (key, value, message) => {
    expect(() => configFor({ [key]: value })).toThrow(ModelHubConfigError);
    expect(() => configFor({ [key]: value })).toThrow(message);
  });
});

describe('stack built from non-default context', () => {
  let template: Template;

  beforeAll(() => {
    template = synthTemplate({
      stackName: 'HubProd',
      alarmEmail: 'ops@example.com',
      reconcileMinutes: '5',
      verifySchedule: 'cron(30 2 * * ? *)',
      logRetentionDays: '731',
      removalPolicy: 'destroy',
      bitbucketApiUrl: 'https://bitbucket.example.com/api/2.0/',
      verifierReservedConcurrency: 'none',
      gitMinChangedModels: '250',
    }).template;
  });

  test('schedules use the configured rate and verification expression', () => {
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'rate(5 minutes)' });
    template.hasResourceProperties('AWS::Events::Rule', { ScheduleExpression: 'cron(30 2 * * ? *)' });
  });

  test('tables are destroyed with the stack and not deletion-protected', () => {
    for (const table of Object.values(template.findResources('AWS::DynamoDB::Table'))) {
      expect(table.DeletionPolicy).toBe('Delete');
      expect(table.Properties.DeletionProtectionEnabled).toBe(false);
    }
  });

  test('the git threshold reaches the worker as GIT_MIN_CHANGED_MODELS', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('Replicates Hackolade models'),
      Environment: { Variables: Match.objectLike({ GIT_MIN_CHANGED_MODELS: '250' }) },
    });
  });

  test('log groups use the configured retention; verifier has no reserved concurrency; API URL is passed through', () => {
    for (const lg of Object.values(template.findResources('AWS::Logs::LogGroup'))) expect(lg.Properties.RetentionInDays).toBe(731);
    for (const fn of Object.values(template.findResources('AWS::Lambda::Function')))
      expect(fn.Properties.ReservedConcurrentExecutions).toBeUndefined();
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ BITBUCKET_API_URL: 'https://bitbucket.example.com/api/2.0' }) },
    });
  });

  test('names follow the stack name', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { Name: 'HubProd/webhook-secret' });
    template.hasResourceProperties('AWS::CloudWatch::Dashboard', { DashboardName: 'HubProd-model-hub' });
    template.hasResourceProperties('AWS::Logs::QueryDefinition', { Name: 'HubProd/rejected-deliveries' });
  });

  test('alarmEmail creates an encrypted, TLS-only topic with an e-mail subscription, wired to every alarm', () => {
    template.resourceCountIs('AWS::SNS::Topic', 1);
    const topicId = Object.keys(template.findResources('AWS::SNS::Topic'))[0]!;
    template.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    template.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: 'ops@example.com',
      TopicArn: { Ref: topicId },
    });
    template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]),
      },
    });
    // CloudWatch must be allowed to use the key, or notifications are silently dropped.
    template.hasResourceProperties('AWS::KMS::Key', {
      EnableKeyRotation: true,
      KeyPolicy: {
        Statement: Match.arrayWith([
          Match.objectLike({ Principal: { Service: 'cloudwatch.amazonaws.com' }, Action: ['kms:Decrypt', 'kms:GenerateDataKey*'] }),
        ]),
      },
    });
    const alarms = Object.values(template.findResources('AWS::CloudWatch::Alarm'));
    expect(alarms.length).toBeGreaterThanOrEqual(6);
    for (const alarm of alarms) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
    expect(template.toJSON().Outputs.AlarmTopicArn).toBeDefined();
  });
});
