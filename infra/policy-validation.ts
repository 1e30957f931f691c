// The policy checks every synth runs: cdk-nag's AwsSolutions pack and the AWS Control Tower proactive controls
// (CloudFormation Guard rules), so a template a governed account would reject never gets as far as a deploy.
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The Control Tower rules this stack breaks on purpose, by rule file (what `disabledRules` matches), each with
 * the reason. docs/DEPLOY.md lists the same three; every other Control Tower rule must pass.
 */
export const DISABLED_CONTROL_TOWER_RULES: Readonly<Record<string, string>> = {
  // api_gw_v2_authorization_type_configured_check
  'ct-apigateway-pr-5':
    'CT.APIGATEWAY.PR.5 (route authorization): Bitbucket Cloud webhooks cannot present IAM, JWT or Lambda-authorizer ' +
    'credentials; the verifier authenticates every request by its HMAC-SHA256 signature before reading the body.',
  // lambda_inside_vpc_check
  'ct-lambda-pr-3':
    'CT.LAMBDA.PR.3 (Lambda in a VPC): the functions call only the Bitbucket Cloud API and AWS APIs; a VPC would ' +
    'need NAT gateways (cost) and protect nothing.',
  // sqs_dlq_check
  'ct-sqs-pr-1':
    'CT.SQS.PR.1 (a dead-letter queue for every queue): the sync queue has one; the rule also demands one for the ' +
    'dead-letter queue itself, where messages stay for inspection and redrive.',
};

/** The Control Tower Guard rules, minus the three by-design exceptions. */
export function controlTowerChecks(): CfnGuardValidator {
  return new CfnGuardValidator({ disabledRules: Object.keys(DISABLED_CONTROL_TOWER_RULES) });
}

/**
 * Adds the Control Tower rules and cdk-nag's AwsSolutions checks to the app. A failed rule or an unacknowledged
 * finding makes `app.synth()` (and `cdk synth`) fail with both plugins' reports.
 */
export function addPolicyChecks(app: App): void {
  Validations.of(app).addPlugins(controlTowerChecks(), new AwsSolutionsChecks(app));
}
