// API Gateway invokes the verifier through a role of this account; the function has no resource-based permission
// for apigateway.amazonaws.com at all (Control Tower CT.LAMBDA.PR.2).
import type { Template } from 'aws-cdk-lib/assertions';
import type { ModelHubStack } from '../../../infra/model-hub-stack';
import { sharedSynth } from '../../support/infra-stack';

let template: Template;
let stack: ModelHubStack;

beforeAll(async () => {
  const synth = await sharedSynth();
  template = synth.template;
  stack = synth.stack;
});

test("no Lambda permission is granted to API Gateway; the only ones left are the schedule rules', each scoped to its rule", () => {
  const permissions = Object.values(template.findResources('AWS::Lambda::Permission')).map((p) => p.Properties);
  expect(permissions.filter((p) => p.Principal === 'apigateway.amazonaws.com')).toEqual([]);
  const ruleArn = (rule: unknown) => ({ 'Fn::GetAtt': [stack.getLogicalId(rule as never), 'Arn'] });
  const rules = [stack.reconciliation.rule, stack.reconciliation.verifyRule!].map((rule) => ruleArn(rule.node.defaultChild));
  expect(permissions.map((permission) => permission.SourceArn)).toEqual(expect.arrayContaining(rules));
  expect(permissions).toHaveLength(2);
});

test('the integration invokes the verifier with a role that may invoke only the verifier', () => {
  const verifierArn = { 'Fn::GetAtt': [stack.getLogicalId(stack.ingest.verifier.function.node.defaultChild as never), 'Arn'] };
  const [integration] = Object.values(template.findResources('AWS::ApiGatewayV2::Integration')).map((i) => i.Properties);
  expect(integration).toMatchObject({ IntegrationType: 'AWS_PROXY', IntegrationUri: verifierArn, PayloadFormatVersion: '2.0' });
  const roleId = integration!.CredentialsArn['Fn::GetAtt'][0] as string;
  const role = template.toJSON().Resources[roleId];
  expect(role.Properties.AssumeRolePolicyDocument.Statement).toEqual([
    { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'sts:AssumeRole' },
  ]);
  const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((p) =>
    (p.Properties.Roles as unknown[]).some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId })),
  );
  expect(policies.flatMap((p) => p.Properties.PolicyDocument.Statement)).toEqual([
    { Effect: 'Allow', Action: 'lambda:InvokeFunction', Resource: verifierArn },
  ]);
});
