/**
 * The SDK clients a function's adapters may be given instead of building their own from the environment: the
 * local runtime and tests point them at the stand-ins without touching `process.env`.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { SecretsProvider } from '@aws-lambda-powertools/parameters/secrets';

/** Absent clients are built by each adapter from the usual AWS environment (as on Lambda). */
export interface AwsClients {
  readonly dynamodb?: DynamoDBClient;
  readonly sqs?: SQSClient;
  readonly secretsManager?: SecretsManagerClient;
}

/** A Powertools secrets provider on the given client, or undefined to let the reader build its own. */
export function secretsProviderFor(clients: AwsClients): SecretsProvider | undefined {
  return clients.secretsManager ? new SecretsProvider({ awsSdkV3Client: clients.secretsManager }) : undefined;
}
