// Every log group of the stack is encrypted with the stack's KMS key, whose policy lets CloudWatch Logs use it for
// this account's log groups only (Control Tower CT.CLOUDWATCH.PR.3, CT.KMS.PR.3).
import type { Template } from 'aws-cdk-lib/assertions';
import type { ModelHubStack } from '../../../infra/model-hub-stack';
import { sharedSynth } from '../../support/infra-stack';

let template: Template;
let keyId: string;

beforeAll(async () => {
  const synth = await sharedSynth();
  template = synth.template;
  const stack: ModelHubStack = synth.stack;
  keyId = stack.getLogicalId(stack.node.findChild('LogEncryptionKey').node.defaultChild as never);
});

test('all four log groups use the log key and keep their logs a year', () => {
  const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
  expect(logGroups).toHaveLength(4);
  for (const lg of logGroups) {
    expect(lg.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(lg.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
  }
});

test('the key rotates and lets the regional CloudWatch Logs service use it for log groups of this account only', () => {
  const key = template.toJSON().Resources[keyId];
  expect(key.Properties.EnableKeyRotation).toBe(true);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized key policy is untyped JSON
  const statements = key.Properties.KeyPolicy.Statement as Record<string, any>[];
  const logs = statements.find((st) => JSON.stringify(st.Principal).includes('logs.'));
  expect(logs).toMatchObject({
    Effect: 'Allow',
    Principal: { Service: { 'Fn::Join': ['', ['logs.', { Ref: 'AWS::Region' }, '.amazonaws.com']] } },
    Action: expect.arrayContaining(['kms:Encrypt*', 'kms:Decrypt*', 'kms:GenerateDataKey*']),
  });
  expect(JSON.stringify(logs!.Condition.ArnLike['kms:EncryptionContext:aws:logs:arn'])).toMatch(
    /:logs:.*AWS::Region.*AWS::AccountId.*:log-group:\*/,
  );
});

test('only AWS services may create grants on the key', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a synthesized key policy is untyped JSON
  const statements = template.toJSON().Resources[keyId].Properties.KeyPolicy.Statement as Record<string, any>[];
  expect(statements).toContainEqual({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 'kms:CreateGrant',
    Resource: '*',
    Condition: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
  });
});
