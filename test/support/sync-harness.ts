import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { QueryCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbModelStore } from '../../shared/aws/dynamodb-model-store';
import { DynamoDbRepositoryStore } from '../../shared/aws/dynamodb-repository-store';
import { createModelSelector } from '../../shared/models/model-selection';
import type { SimulatedRepository } from '../../local/bitbucket-simulator';

/** The `*.hck.json` files of a commit that are models under its `.hubignore`, with their exact bytes. */
export async function expectedModels(repo: SimulatedRepository, commit: string, pattern = '*.hck.json'): Promise<Map<string, Buffer>> {
  const files = await repo.readFiles(commit);
  const isModel = createModelSelector({ pattern, hubignore: files.get('.hubignore')?.toString('utf8') ?? '' });
  return new Map([...files].filter(([path]) => isModel(path)));
}

/** Every stored model of a repository with its exact bytes (invalid files included, too-large ones as null). */
export async function storedModels(store: DynamoDbModelStore, repositoryUuid: string): Promise<Map<string, Buffer | null>> {
  const stored = new Map<string, Buffer | null>();
  for (const record of await store.listModels(repositoryUuid)) {
    const model = record.status === 'too-large' ? undefined : await store.getModel(repositoryUuid, record.path);
    stored.set(record.path, model ? model.body : null);
  }
  return stored;
}

/** Compares stored and expected models byte for byte, with a readable difference. */
export function differences(expected: Map<string, Buffer>, stored: Map<string, Buffer | null>): string[] {
  const problems: string[] = [];
  for (const [path, bytes] of expected) {
    const got = stored.get(path);
    if (got === undefined) problems.push(`missing ${path}`);
    else if (got === null || !got.equals(bytes)) problems.push(`different ${path}`);
  }
  for (const path of stored.keys()) if (!expected.has(path)) problems.push(`extra ${path}`);
  return problems;
}

/** Chunk items whose version no model record references (what a crash can leave behind). */
export async function orphanChunks(client: DynamoDBClient, tableName: string, repositoryUuid: string): Promise<string[]> {
  const items = [];
  let startKey: Record<string, import('@aws-sdk/client-dynamodb').AttributeValue> | undefined;
  do {
    const page = await client.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': { S: repositoryUuid } },
        ProjectionExpression: 'sk, version',
        ExclusiveStartKey: startKey,
        ConsistentRead: true,
      }),
    );
    items.push(...(page.Items ?? []));
    startKey = page.LastEvaluatedKey;
  } while (startKey);
  const versions = new Set(items.filter((item) => item.sk!.S!.startsWith('model#')).map((item) => item.version?.S));
  return items.filter((item) => item.sk!.S!.startsWith('chunk#') && !versions.has(item.sk!.S!.split('#')[1])).map((item) => item.sk!.S!);
}

export function storesFor(client: DynamoDBClient, env: Record<string, string>) {
  return {
    models: new DynamoDbModelStore({ tableName: env.MODELS_TABLE!, client }),
    repositories: new DynamoDbRepositoryStore({ tableName: env.REPOSITORIES_TABLE!, client }),
  };
}
