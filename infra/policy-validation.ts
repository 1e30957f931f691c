// The policy checks every synth runs: cdk-nag's AwsSolutions pack and the AWS Control Tower proactive controls
// (CloudFormation Guard rules), so a template a governed account would reject never gets as far as a deploy.
import type { App } from 'aws-cdk-lib';
import { Validations } from 'aws-cdk-lib';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { AwsSolutionsChecks } from 'cdk-nag';

/**
 * The Control Tower rules this stack breaks on purpose, by rule file (what `disabledRules` matches), each with
 * the reason. docs/DEPLOY.md lists the same ones; every other Control Tower rule must pass.
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
  // The admin console's distribution and buckets (infra/constructs/console-hosting.ts) are the only ones of the stack.
  // cloudfront_origin_failover_enabled_check
  'ct-cloudfront-pr-4':
    'CT.CLOUDFRONT.PR.4 (origin failover): the console is a few static files in one bucket beside a single-region API; ' +
    'a replica bucket in a second region would add cost and a second deploy path and keep nothing up that the API does not.',
  // cloudfront_custom_ssl_certificate_check
  'ct-cloudfront-pr-6':
    "CT.CLOUDFRONT.PR.6 (custom certificate): the console is served on its cloudfront.net name with CloudFront's own " +
    'certificate, so the stack needs no domain; a custom domain with an ACM certificate is a documented option.',
  // cloudfront_sni_enabled_check
  'ct-cloudfront-pr-7':
    'CT.CLOUDFRONT.PR.7 (SNI): applies to custom certificates only; the cloudfront.net certificate needs no SNI setting.',
  // cloudfront_security_policy_check
  'ct-cloudfront-pr-9':
    'CT.CLOUDFRONT.PR.9 (TLS 1.2 minimum): CloudFront fixes the protocol policy of its own certificate; it can only be ' +
    'raised with a custom certificate (see CT.CLOUDFRONT.PR.6).',
  // s3_bucket_default_encryption_kms_check
  'ct-s3-pr-10':
    'CT.S3.PR.10 (SSE-KMS): S3 delivers server access logs only to a bucket encrypted with S3-managed keys, so the ' +
    "console's access-log bucket cannot use KMS; the console bucket holds the public JavaScript every browser downloads, " +
    'also encrypted at rest with S3-managed keys.',
};

/** The Control Tower Guard rules, minus the by-design exceptions. */
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
