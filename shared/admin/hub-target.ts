// The hub an admin use case works on, local or deployed: its resources' names and the SDK clients that reach them.
// The CLI finds it (cli/target.ts); the admin function builds it from its environment (functions/admin/deps.ts).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';

/** The resources of one hub (local or deployed) and the clients that reach them. */
export interface HubTarget {
  readonly kind: 'local' | 'aws';
  /** For messages: "local hub (pid 123, data dir /x/.model-hub)" or "stack ModelHubSync". */
  readonly description: string;
  /** The URL Bitbucket posts pushes to. */
  readonly webhookUrl: string;
  /** Secrets Manager id of the webhook secret (JSON `{current, previous}`). */
  readonly webhookSecretId: string;
  /** Name prefix of the per-repository access-token secrets. */
  readonly tokenSecretPrefix: string;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly modelsTable: string;
  readonly repositoriesTable: string;
  readonly eventsTable: string;
  readonly bitbucketApiUrl: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  /** Who runs the command, for the events log: the AWS principal's ARN, or `local user <name>`. */
  whoAmI(): Promise<string>;
  /** Releases the clients' connections. */
  close(): void;
}
