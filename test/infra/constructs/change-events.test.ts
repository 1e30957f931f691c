/**
 * The change events in the synthesized stack: the changes table streams new images into one pipe, filtered to
 * inserted feed records and enriched into events on the stack's bus (archived), with a DLQ; the pipe's role may
 * do exactly that.
 */
import { type CfnElement } from 'aws-cdk-lib';
import { Match, type Template } from 'aws-cdk-lib/assertions';
import type { ModelHubStack } from '../../../infra/model-hub-stack';
import { FEED_RECORD_FILTER } from '../../../infra/constructs/change-events';
import { CHANGE_EVENT_SOURCE } from '../../../shared/domain/changes/change-records';
import { sharedSynth } from '../../support/infra-stack';

let stack: ModelHubStack;
let template: Template;

beforeAll(async () => {
  ({ stack, template } = await sharedSynth());
});

const id = (element: unknown): string => stack.getLogicalId(element as CfnElement);
const listOf = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

test('the changes table streams new images (what the pipe reads)', () => {
  expect(template.toJSON().Resources[id(stack.tables.changes.node.defaultChild)].Properties.StreamSpecification).toEqual({
    StreamViewType: 'NEW_IMAGE',
  });
});

test("a bus of the stack's own, archived for replays of the hub's events", () => {
  template.hasResourceProperties('AWS::Events::EventBus', { Name: 'ModelHubSync-changes' });
  template.hasResourceProperties('AWS::Events::Archive', {
    SourceArn: { 'Fn::GetAtt': [id(stack.changeEvents.bus.node.defaultChild), 'Arn'] },
    EventPattern: { source: [CHANGE_EVENT_SOURCE] },
    RetentionDays: 14,
  });
});

test('one pipe: stream → only inserted feed records → enrichment → the bus, detail type per record, failures to a DLQ', () => {
  template.resourceCountIs('AWS::Pipes::Pipe', 1);
  template.hasResourceProperties('AWS::Pipes::Pipe', {
    RoleArn: { 'Fn::GetAtt': [id(stack.changeEvents.role.node.defaultChild), 'Arn'] },
    Source: { 'Fn::GetAtt': [id(stack.tables.changes.node.defaultChild), 'StreamArn'] },
    SourceParameters: {
      DynamoDBStreamParameters: Match.objectLike({
        StartingPosition: 'TRIM_HORIZON',
        OnPartialBatchItemFailure: 'AUTOMATIC_BISECT',
        MaximumRetryAttempts: 10,
        DeadLetterConfig: { Arn: { 'Fn::GetAtt': [id(stack.changeEvents.deadLetterQueue.node.defaultChild), 'Arn'] } },
      }),
      FilterCriteria: { Filters: [{ Pattern: JSON.stringify(FEED_RECORD_FILTER) }] },
    },
    Enrichment: { 'Fn::GetAtt': [id(stack.changeEvents.enrichment.function.node.defaultChild), 'Arn'] },
    Target: { 'Fn::GetAtt': [id(stack.changeEvents.bus.node.defaultChild), 'Arn'] },
    TargetParameters: {
      InputTemplate: '<$.detail>',
      EventBridgeEventBusParameters: { Source: CHANGE_EVENT_SOURCE, DetailType: '$.detailType' },
    },
  });
  expect(FEED_RECORD_FILTER).toEqual({ eventName: ['INSERT'], dynamodb: { Keys: { pk: { S: ['feed'] } } } });
});

test("the pipe's role: read the stream, invoke the enrichment, put events on the bus, send to the DLQ — nothing else", () => {
  const roleId = id(stack.changeEvents.role.node.defaultChild);
  const role = template.toJSON().Resources[roleId];
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
    {
      Action: 'sts:AssumeRole',
      Effect: 'Allow',
      Principal: { Service: 'pipes.amazonaws.com' },
      Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
    },
  ]);
  const policies = template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: roleId }] } });
  const statements = Object.values(policies).flatMap((policy) => policy.Properties.PolicyDocument.Statement);
  const grants = statements.map((statement) => ({ actions: listOf(statement.Action).sort(), resources: listOf(statement.Resource) }));
  expect(grants).toEqual(
    expect.arrayContaining([
      {
        actions: ['dynamodb:DescribeStream', 'dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:ListStreams'],
        resources: [{ 'Fn::GetAtt': [id(stack.tables.changes.node.defaultChild), 'StreamArn'] }],
      },
      {
        actions: ['lambda:InvokeFunction'],
        resources: [{ 'Fn::GetAtt': [id(stack.changeEvents.enrichment.function.node.defaultChild), 'Arn'] }],
      },
      { actions: ['events:PutEvents'], resources: [{ 'Fn::GetAtt': [id(stack.changeEvents.bus.node.defaultChild), 'Arn'] }] },
    ]),
  );
  expect([...new Set(grants.flatMap((grant) => grant.actions))].sort()).toEqual([
    'dynamodb:DescribeStream',
    'dynamodb:GetRecords',
    'dynamodb:GetShardIterator',
    'dynamodb:ListStreams',
    'events:PutEvents',
    'lambda:InvokeFunction',
    'sqs:GetQueueAttributes',
    'sqs:GetQueueUrl',
    'sqs:SendMessage',
  ]);
});

test('the enrichment only writes its logs; the worker writes change records but never reads the stream', () => {
  const enrichmentRole = id(stack.changeEvents.enrichment.role.node.defaultChild);
  const enrichmentActions = Object.values(template.findResources('AWS::IAM::Policy', { Properties: { Roles: [{ Ref: enrichmentRole }] } }))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
    .flatMap((statement) => listOf(statement.Action));
  expect(enrichmentActions.sort()).toEqual(['logs:CreateLogStream', 'logs:PutLogEvents']);
  const worker = functionEnvironment(stack.sync.worker.function);
  expect(worker.CHANGES_TABLE).toEqual({ Ref: id(stack.tables.changes.node.defaultChild) });
});

test('the stack outputs the bus name and ARN', () => {
  const outputs = template.toJSON().Outputs;
  expect(outputs.ChangeEventBusName.Value).toEqual({ Ref: id(stack.changeEvents.bus.node.defaultChild) });
  expect(outputs.ChangeEventBusArn.Value).toEqual({ 'Fn::GetAtt': [id(stack.changeEvents.bus.node.defaultChild), 'Arn'] });
});

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- synthesized CloudFormation is untyped JSON
function functionEnvironment(fn: { node: { defaultChild?: unknown } }): Record<string, any> {
  return template.toJSON().Resources[id(fn.node.defaultChild)].Properties.Environment.Variables;
}
