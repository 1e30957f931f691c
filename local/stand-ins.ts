// Starts the local replacements of DynamoDB, SQS and Secrets Manager and creates what the stack would, so the
// local hub runs the production code unchanged.
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceNotFoundException } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { CreateQueueCommand, GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DEFAULT_TOKEN_SECRET_PREFIX } from '../shared/aws/access-tokens';
import { ALL_TABLES, PARTITION_KEY, SORT_KEY, type TableDefinition } from '../shared/aws/tables';
import { findFreePort } from './free-port';
import { loadLocalCredentials } from './local-credentials';
import { startLocalSecretsManager, type LocalSecretsManager } from './secrets-manager-server';

// Both ship without type declarations of their own.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const dynalite = require('dynalite') as (options: Record<string, unknown>) => Server;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createSqsServer } = require('local-aws-sqs') as { createSqsServer: (options: Record<string, unknown>) => Promise<Server> };

export const QUEUE_NAME = 'model-hub-sync.fifo';
export const DEAD_LETTER_QUEUE_NAME = 'model-hub-sync-dlq.fifo';
export const WEBHOOK_SECRET_NAME = 'model-hub/webhook-secret';
export const TOKEN_SECRET_PREFIX = DEFAULT_TOKEN_SECRET_PREFIX;

export interface StandInOptions {
  /** Where DynamoDB data, the secrets file and the queue snapshot live; omit for a throw-away in-memory run. */
  readonly dataDir?: string;
  /** Seconds a received message stays invisible (Lambda uses the queue's visibility timeout). @default 60 */
  readonly visibilityTimeoutSeconds?: number;
  /** Receives after which a message moves to the dead-letter queue. @default 5 */
  readonly maxReceiveCount?: number;
}

/** The running stand-ins, clients on them, and the environment that points the AWS SDK (and so the handlers) at them. */
export interface StandIns {
  readonly env: Record<string, string>;
  readonly queueUrl: string;
  readonly deadLetterQueueUrl: string;
  readonly secrets: LocalSecretsManager;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  close(): Promise<void>;
}

const REGION = 'us-east-1';

/**
 * Starts dynalite (DynamoDB), local-aws-sqs (SQS) and the local Secrets Manager, creates the hub's tables
 * and queues, and returns the endpoint environment. With a data dir, DynamoDB and secrets persist there and
 * queued messages are snapshotted on close and restored on the next start (local-aws-sqs keeps them in memory).
 */
export async function startStandIns(options: StandInOptions = {}): Promise<StandIns> {
  const { dataDir } = options;
  if (dataDir) mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  // Random per data dir: the local Secrets Manager answers only requests signed with them.
  const localCredentials = loadLocalCredentials(dataDir);

  const dynamoServer = dynalite({
    path: dataDir ? join(dataDir, 'dynamodb') : undefined,
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  await new Promise<void>((resolve) => dynamoServer.listen(0, '127.0.0.1', resolve));
  const dynamoEndpoint = `http://127.0.0.1:${(dynamoServer.address() as AddressInfo).port}`;

  const sqsPort = await findFreePort();
  const sqsServer = await createSqsServer({ port: sqsPort, hostname: '127.0.0.1', emulateQueueCreationLifecycle: false });
  const sqsEndpoint = `http://127.0.0.1:${sqsPort}`;

  const secretsFile = dataDir ? join(dataDir, 'secrets.json') : join(makeTempDir(), 'secrets.json');
  const secrets = await startLocalSecretsManager({ file: secretsFile, credentials: localCredentials });

  const dynamodb = new DynamoDBClient({ endpoint: dynamoEndpoint, region: REGION, credentials: localCredentials });
  const sqs = new SQSClient({ endpoint: sqsEndpoint, region: REGION, credentials: localCredentials });
  const secretsManager = new SecretsManagerClient({ endpoint: secrets.endpoint, region: REGION, credentials: localCredentials });

  const tableNames = Object.fromEntries(ALL_TABLES.map((table) => [table.envVar, `model-hub-${table.logicalName.toLowerCase()}`]));
  for (const table of ALL_TABLES) await ensureTable(dynamodb, tableNames[table.envVar]!, table);

  const deadLetterQueueUrl = await createQueue(sqs, DEAD_LETTER_QUEUE_NAME, {});
  const { Attributes } = await sqs.send(new GetQueueAttributesCommand({ QueueUrl: deadLetterQueueUrl, AttributeNames: ['QueueArn'] }));
  const queueUrl = await createQueue(sqs, QUEUE_NAME, {
    VisibilityTimeout: String(options.visibilityTimeoutSeconds ?? 60),
    RedrivePolicy: JSON.stringify({ deadLetterTargetArn: Attributes?.QueueArn, maxReceiveCount: options.maxReceiveCount ?? 5 }),
  });

  const snapshotFile = dataDir ? join(dataDir, 'queue-snapshot.json') : undefined;
  if (snapshotFile) await restoreQueues(sqs, snapshotFile, { [QUEUE_NAME]: queueUrl, [DEAD_LETTER_QUEUE_NAME]: deadLetterQueueUrl });

  const env: Record<string, string> = {
    AWS_REGION: REGION,
    AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamoEndpoint,
    AWS_ENDPOINT_URL_SQS: sqsEndpoint,
    AWS_ENDPOINT_URL_SECRETS_MANAGER: secrets.endpoint,
    QUEUE_URL: queueUrl,
    DEAD_LETTER_QUEUE_URL: deadLetterQueueUrl,
    WEBHOOK_SECRET_ID: WEBHOOK_SECRET_NAME,
    TOKEN_SECRET_PREFIX,
    ...tableNames,
  };

  return {
    env,
    queueUrl,
    deadLetterQueueUrl,
    secrets,
    dynamodb,
    sqs,
    secretsManager,
    async close() {
      if (snapshotFile) await snapshotQueues(sqs, snapshotFile, { [QUEUE_NAME]: queueUrl, [DEAD_LETTER_QUEUE_NAME]: deadLetterQueueUrl });
      dynamodb.destroy();
      sqs.destroy();
      secretsManager.destroy();
      await secrets.close();
      await closeServer(sqsServer);
      await closeServer(dynamoServer);
      if (!dataDir) rmSync(join(secretsFile, '..'), { recursive: true, force: true });
    },
  };
}

/**
 * Creates the table unless the data dir already has it. A table created before a global index was defined keeps
 * lacking it (dynalite cannot add one later): its readers fall back to the table (see `DynamoDbEntitySearchSource`).
 */
async function ensureTable(client: DynamoDBClient, tableName: string, definition: TableDefinition): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
    return;
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
  }
  await client.send(
    new CreateTableCommand({
      TableName: tableName,
      BillingMode: 'PAY_PER_REQUEST',
      AttributeDefinitions: [
        ...new Set([PARTITION_KEY, SORT_KEY, ...(definition.globalIndexes ?? []).flatMap((index) => [index.partitionKey, index.sortKey])]),
      ].map((name) => ({ AttributeName: name, AttributeType: 'S' })),
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      ...(definition.globalIndexes?.length
        ? {
            GlobalSecondaryIndexes: definition.globalIndexes.map((index) => ({
              IndexName: index.indexName,
              KeySchema: [
                { AttributeName: index.partitionKey, KeyType: 'HASH' as const },
                { AttributeName: index.sortKey, KeyType: 'RANGE' as const },
              ],
              Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: [...index.nonKeyAttributes] },
            })),
          }
        : {}),
    }),
  );
}

async function createQueue(client: SQSClient, name: string, attributes: Record<string, string>): Promise<string> {
  const { QueueUrl } = await client.send(new CreateQueueCommand({ QueueName: name, Attributes: { FifoQueue: 'true', ...attributes } }));
  return QueueUrl!;
}

interface QueuedMessage {
  body: string;
  groupId: string;
  deduplicationId: string;
}

/** Drains each queue into a file so a restart keeps queued work (local-aws-sqs has no disk persistence). */
async function snapshotQueues(client: SQSClient, file: string, queues: Record<string, string>): Promise<void> {
  const snapshot: Record<string, QueuedMessage[]> = {};
  for (const [name, url] of Object.entries(queues)) {
    const messages: QueuedMessage[] = [];
    for (;;) {
      // Received messages stay hidden for the rest of the drain. The poller released its in-flight ones when it stopped.
      const { Messages = [] } = await client.send(
        new ReceiveMessageCommand({
          QueueUrl: url,
          MaxNumberOfMessages: 10,
          VisibilityTimeout: 3600,
          // local-aws-sqs answers only the older AttributeNames parameter; AWS accepts both.
          AttributeNames: ['All'],
          MessageSystemAttributeNames: ['All'],
        }),
      );
      if (Messages.length === 0) break;
      for (const message of Messages) {
        messages.push({
          body: message.Body ?? '',
          groupId: message.Attributes?.MessageGroupId ?? 'default',
          deduplicationId: message.Attributes?.MessageDeduplicationId ?? message.MessageId!,
        });
      }
    }
    snapshot[name] = messages;
  }
  writeFileSync(file, JSON.stringify(snapshot), { mode: 0o600 });
}

async function restoreQueues(client: SQSClient, file: string, queues: Record<string, string>): Promise<void> {
  if (!existsSync(file)) return;
  const snapshot = JSON.parse(readFileSync(file, 'utf8')) as Record<string, QueuedMessage[]>;
  for (const [name, messages] of Object.entries(snapshot)) {
    const url = queues[name];
    if (!url) continue;
    for (const message of messages) {
      await client.send(
        new SendMessageCommand({
          QueueUrl: url,
          MessageBody: message.body,
          MessageGroupId: message.groupId,
          MessageDeduplicationId: message.deduplicationId,
        }),
      );
    }
  }
  rmSync(file);
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

function makeTempDir(): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { mkdtempSync } = require('node:fs') as typeof import('node:fs');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { tmpdir } = require('node:os') as typeof import('node:os');
  return mkdtempSync(join(tmpdir(), 'model-hub-secrets-'));
}
