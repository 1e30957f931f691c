// Every log group of the stack is encrypted with the stack's KMS key, whose policy lets CloudWatch Logs use it for
// the stack's own log groups only (Control Tower CT.CLOUDWATCH.PR.3, CT.KMS.PR.3).
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

test("every log group uses the log key, keep their logs a year and are named under the stack's prefix", () => {
  const logGroups = Object.values(template.findResources('AWS::Logs::LogGroup'));
  for (const lg of logGroups) {
    expect(lg.Properties.KmsKeyId).toEqual({ 'Fn::GetAtt': [keyId, 'Arn'] });
    expect(lg.Properties.RetentionInDays).toBeGreaterThanOrEqual(365);
  }
  expect(logGroups.map((lg) => lg.Properties.LogGroupName as unknown).sort()).toEqual([
    '/model-hub/ModelHubSync/admin',
    '/model-hub/ModelHubSync/api-access',
    '/model-hub/ModelHubSync/console-deploy',
    '/model-hub/ModelHubSync/enrichment',
    '/model-hub/ModelHubSync/reader',
    '/model-hub/ModelHubSync/reconciler',
    '/model-hub/ModelHubSync/verifier',
    '/model-hub/ModelHubSync/worker',
  ]);
});

test("the key rotates and lets the regional CloudWatch Logs service use it for the stack's own log groups only", () => {
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
  expect(logs!.Condition).toEqual({
    ArnLike: {
      'kms:EncryptionContext:aws:logs:arn': {
        'Fn::Join': [
          '',
          [
            'arn:',
            { Ref: 'AWS::Partition' },
            ':logs:',
            { Ref: 'AWS::Region' },
            ':',
            { Ref: 'AWS::AccountId' },
            ':log-group:/model-hub/ModelHubSync/*',
          ],
        ],
      },
    },
  });
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
