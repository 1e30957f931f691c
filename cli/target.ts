// Finds the hub the CLI administers, a running local hub or a deployed stack, and builds the SDK clients that reach it.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SQSClient } from '@aws-sdk/client-sqs';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { DEFAULT_BITBUCKET_API_URL } from '../shared/bitbucket/bitbucket-endpoints';
import { readLocalRuntime } from '../shared/config/local-runtime-file';
import { checkProfileExists } from './aws-profiles';
import { CliError } from './errors';

/** Where `npm start` keeps a local hub's data, unless `MODEL_HUB_DATA_DIR` says otherwise. */
const DEFAULT_DATA_DIR = '.model-hub';

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
  /** Change records (the /changes feed); absent for a stack deployed before change events. */
  readonly changesTable?: string;
  /** The local hub's data dir (where its change events are delivered); absent for a stack. */
  readonly dataDir?: string;
  readonly bitbucketApiUrl: string;
  readonly dynamodb: DynamoDBClient;
  readonly sqs: SQSClient;
  readonly secretsManager: SecretsManagerClient;
  /** Who runs the command, for the events log: the AWS principal's ARN, or `local user <name>`. */
  whoAmI(): Promise<string>;
  /** Releases the clients' connections. */
  close(): void;
}

/** Global options that choose the target. */
export interface TargetOptions {
  /** A deployed stack's name; absent: the local hub of `dataDir`. */
  readonly stack?: string;
  readonly dataDir?: string;
  readonly bitbucketApiUrl?: string;
  /** AWS region of a deployed stack (`--region`, as the AWS CLI's); else AWS_REGION, AWS_DEFAULT_REGION or the profile's. */
  readonly region?: string;
  /** Named AWS profile for a deployed stack's credentials and region (`--profile`, as the AWS CLI's). */
  readonly profile?: string;
}

/**
 * Finds the hub the CLI talks to. With `--stack`, reads the stack's outputs through CloudFormation (credentials
 * and region from the usual AWS environment); otherwise reads `runtime.json` of the running local hub of the data
 * dir (`--data-dir`, else `MODEL_HUB_DATA_DIR`, else `.model-hub`), written by `npm start`.
 */
export async function resolveTarget(options: TargetOptions, env: Readonly<Record<string, string | undefined>>): Promise<HubTarget> {
  const explicit = options.bitbucketApiUrl ?? env.BITBUCKET_API_URL;
  if (options.stack)
    return resolveStack({ ...options, stack: options.stack }, (explicit ?? DEFAULT_BITBUCKET_API_URL).replace(/\/+$/, ''), env);
  return resolveLocal(options.dataDir ?? env.MODEL_HUB_DATA_DIR ?? DEFAULT_DATA_DIR, explicit);
}

async function resolveLocal(dataDir: string, explicitApiUrl: string | undefined): Promise<HubTarget> {
  const absolute = resolve(dataDir);
  const runtime = readLocalRuntime(absolute);
  if (!runtime) {
    throw new CliError(`no local hub is running with data dir ${absolute}`, {
      hint: 'start one with `npm start` (same MODEL_HUB_DATA_DIR), or pass --stack <name> to use a deployed hub',
    });
  }
  const env = runtime.env;
  // The hub's own Bitbucket URL, when its runtime.json carries one, so the CLI reads the same Bitbucket as the worker.
  const bitbucketApiUrl = (explicitApiUrl ?? env.BITBUCKET_API_URL ?? DEFAULT_BITBUCKET_API_URL).replace(/\/+$/, '');
  const need = (name: string): string => {
    const value = env[name];
    if (!value)
      throw new CliError(`${absolute}/runtime.json has no ${name}`, {
        hint: 'restart the local hub (`npm start`) so it rewrites the file',
      });
    return value;
  };
  const region = env.AWS_REGION ?? 'us-east-1';
  // The hub's own generated credentials: its local Secrets Manager answers no others.
  const credentials = { accessKeyId: need('AWS_ACCESS_KEY_ID'), secretAccessKey: need('AWS_SECRET_ACCESS_KEY') };
  const endpoints = {
    dynamodb: need('AWS_ENDPOINT_URL_DYNAMODB'),
    sqs: need('AWS_ENDPOINT_URL_SQS'),
    secretsManager: need('AWS_ENDPOINT_URL_SECRETS_MANAGER'),
  };
  const { DynamoDBClient, SQSClient, SecretsManagerClient } = await loadClients();
  const dynamodb = new DynamoDBClient({ region, credentials, endpoint: endpoints.dynamodb });
  const sqs = new SQSClient({ region, credentials, endpoint: endpoints.sqs });
  const secretsManager = new SecretsManagerClient({ region, credentials, endpoint: endpoints.secretsManager });
  return withClients(
    {
      kind: 'local',
      description: `local hub (pid ${runtime.pid}, data dir ${absolute})`,
      webhookUrl: runtime.webhookUrl,
      webhookSecretId: need('WEBHOOK_SECRET_ID'),
      tokenSecretPrefix: need('TOKEN_SECRET_PREFIX'),
      queueUrl: need('QUEUE_URL'),
      deadLetterQueueUrl: need('DEAD_LETTER_QUEUE_URL'),
      modelsTable: need('MODELS_TABLE'),
      repositoriesTable: need('REPOSITORIES_TABLE'),
      eventsTable: need('EVENTS_TABLE'),
      ...(env.CHANGES_TABLE ? { changesTable: env.CHANGES_TABLE } : {}),
      dataDir: absolute,
      bitbucketApiUrl,
    },
    { dynamodb, sqs, secretsManager },
    async () => `local user ${userInfo().username}`,
  );
}

/** Stack outputs the CLI needs (see infra/model-hub-stack.ts). */
const REQUIRED_OUTPUTS = [
  'WebhookUrl',
  'WebhookSecretArn',
  'TokenSecretPrefix',
  'SyncQueueUrl',
  'DeadLetterQueueUrl',
  'ModelsTableName',
  'RepositoriesTableName',
  'EventsTableName',
] as const;

async function resolveStack(
  options: TargetOptions & { stack: string },
  bitbucketApiUrl: string,
  env: Readonly<Record<string, string | undefined>>,
): Promise<HubTarget> {
  const stackName = options.stack;
  const region = options.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  const profile = options.profile ?? env.AWS_PROFILE;
  if (profile) checkProfileExists(profile, env);
  // Every SDK v3 client takes `profile`: its credentials and (unless given) its region come from that profile.
  const config = { ...(region ? { region } : {}), ...(profile ? { profile } : {}) };
  const { CloudFormationClient, DescribeStacksCommand } = await import('@aws-sdk/client-cloudformation');
  const cloudformation = new CloudFormationClient(config);
  let outputs: Record<string, string>;
  try {
    const { Stacks = [] } = await cloudformation.send(new DescribeStacksCommand({ StackName: stackName }));
    outputs = Object.fromEntries(
      (Stacks[0]?.Outputs ?? []).flatMap((output) =>
        output.OutputKey && output.OutputValue ? [[output.OutputKey, output.OutputValue]] : [],
      ),
    );
  } catch (error) {
    if (/does not exist/.test((error as Error).message ?? '')) {
      throw new CliError(`stack ${stackName} does not exist in region ${await cloudformation.config.region().catch(() => '(unknown)')}`, {
        hint: 'check --stack, and --region / --profile (or AWS_REGION / AWS_PROFILE) (the stack name is the `stackName` context value, default ModelHubSync)',
        cause: error,
      });
    }
    throw error;
  } finally {
    cloudformation.destroy();
  }
  const missing = REQUIRED_OUTPUTS.filter((name) => !outputs[name]);
  if (missing.length > 0) {
    throw new CliError(`stack ${stackName} has no output ${missing.join(', ')}`, {
      hint: 'is it a model-hub-sync stack? Deploy the current version with `npx cdk deploy`',
    });
  }
  const { DynamoDBClient, SQSClient, SecretsManagerClient } = await loadClients();
  const dynamodb = new DynamoDBClient(config);
  const sqs = new SQSClient(config);
  const secretsManager = new SecretsManagerClient(config);
  return withClients(
    {
      kind: 'aws',
      description: `stack ${stackName}`,
      webhookUrl: outputs.WebhookUrl!,
      webhookSecretId: outputs.WebhookSecretArn!,
      tokenSecretPrefix: outputs.TokenSecretPrefix!,
      queueUrl: outputs.SyncQueueUrl!,
      deadLetterQueueUrl: outputs.DeadLetterQueueUrl!,
      modelsTable: outputs.ModelsTableName!,
      repositoriesTable: outputs.RepositoriesTableName!,
      eventsTable: outputs.EventsTableName!,
      ...(outputs.ChangesTableName ? { changesTable: outputs.ChangesTableName } : {}),
      bitbucketApiUrl,
    },
    { dynamodb, sqs, secretsManager },
    async () => {
      const { STSClient, GetCallerIdentityCommand } = await import('@aws-sdk/client-sts');
      const sts = new STSClient(config);
      try {
        return (await sts.send(new GetCallerIdentityCommand({}))).Arn ?? 'an unnamed AWS principal';
      } finally {
        sts.destroy();
      }
    },
  );
}

/**
 * The SDK clients, loaded when a command reaches a hub: `--help`, `--version` and usage errors start without them
 * (most of the CLI's start-up time is loading the AWS SDK).
 */
async function loadClients() {
  const [{ DynamoDBClient }, { SQSClient }, { SecretsManagerClient }] = await Promise.all([
    import('@aws-sdk/client-dynamodb'),
    import('@aws-sdk/client-sqs'),
    import('@aws-sdk/client-secrets-manager'),
  ]);
  return { DynamoDBClient, SQSClient, SecretsManagerClient };
}

type TargetClients = Pick<HubTarget, 'dynamodb' | 'sqs' | 'secretsManager'>;

/** A target with its SDK clients, whose `close()` releases all three. */
function withClients(
  fields: Omit<HubTarget, keyof TargetClients | 'close' | 'whoAmI'>,
  clients: TargetClients,
  whoAmI: () => Promise<string>,
): HubTarget {
  let actor: Promise<string> | undefined;
  return {
    ...fields,
    ...clients,
    whoAmI: () => (actor ??= whoAmI()),
    close() {
      clients.dynamodb.destroy();
      clients.sqs.destroy();
      clients.secretsManager.destroy();
    },
  };
}
