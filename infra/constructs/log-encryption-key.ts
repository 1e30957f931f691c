// The customer managed KMS key that encrypts every log group of the stack: Control Tower (CT.CLOUDWATCH.PR.3)
// requires log groups to be encrypted with a KMS key, and CloudWatch Logs can use one only if its policy says so.
import { ArnFormat, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';

/**
 * The name of one of the stack's log groups: `/model-hub/<stackName>/<name>`. Every log group the stack creates is
 * named so, which is what lets the key's policy serve them and no other log group of the account.
 */
export function stackLogGroupName(scope: Construct, name: string): string {
  return `/model-hub/${Stack.of(scope).stackName}/${name}`;
}

/**
 * Creates the log encryption key. Its policy lets the regional CloudWatch Logs service use it, and only for the
 * stack's own log groups (the encryption context CloudWatch Logs sends names the log group; see stackLogGroupName).
 */
export function createLogEncryptionKey(scope: Construct, id: string): kms.Key {
  const stack = Stack.of(scope);
  const key = new kms.Key(scope, id, {
    description: `Encrypts the log groups of ${stack.stackName}`,
    enableKeyRotation: true,
    // The log groups are deleted with the stack; nothing is left for the key to decrypt.
    removalPolicy: RemovalPolicy.DESTROY,
    pendingWindow: Duration.days(7),
  });
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      principals: [new iam.ServicePrincipal(`logs.${stack.region}.amazonaws.com`)],
      actions: ['kms:Encrypt*', 'kms:Decrypt*', 'kms:ReEncrypt*', 'kms:GenerateDataKey*', 'kms:Describe*'],
      resources: ['*'],
      conditions: {
        ArnLike: {
          'kms:EncryptionContext:aws:logs:arn': stack.formatArn({
            service: 'logs',
            resource: 'log-group',
            resourceName: stackLogGroupName(scope, '*'),
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        },
      },
    }),
  );
  limitGrantsToAwsServices(key);
  return key;
}

/**
 * Control Tower's CT.KMS.PR.3: only AWS services, for AWS resources, may create grants on the key, so no principal
 * can hand its use on to another one.
 */
export function limitGrantsToAwsServices(key: kms.Key): void {
  key.addToResourcePolicy(
    new iam.PolicyStatement({
      effect: iam.Effect.DENY,
      principals: [new iam.AnyPrincipal()],
      actions: ['kms:CreateGrant'],
      resources: ['*'],
      conditions: { BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' } },
    }),
  );
}
