/** DynamoDbEntitySearchSource on dynalite: the source contract, and what a warm source reads again. */
import { DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { DynamoDbEntitySearchSource } from '../../../../shared/aws/dynamodb-entity-search-source';
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';
import { INDEX_SK_PREFIX, chunkSortKey, modelSortKey } from '../../../../shared/aws/dynamodb-model-store-keys';
import { key } from '../../../../shared/aws/model-item-codec';
import { searchEntities, type SearchRepository } from '../../../../shared/domain/read/search-entities';
import { entitySearchSourceContract } from '../../../support/contracts/entity-search-source.contract';

let standIns: StandIns;
let countingClient: DynamoDBClient;
const commands: string[] = [];

beforeAll(async () => {
  standIns = await startStandIns();
  countingClient = new DynamoDBClient({
    endpoint: standIns.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  countingClient.middlewareStack.add(
    (next, context) => async (args) => {
      commands.push(`${context.commandName}:${JSON.stringify(args.input).match(/index#|model#/g)?.length ?? 0}`);
      return next(args);
    },
    { step: 'initialize', name: 'countCommands' },
  );
});
afterAll(async () => {
  countingClient.destroy();
  await standIns.close();
});

const tableName = () => standIns.env.MODELS_TABLE!;
const modelStore = () => new DynamoDbModelStore({ tableName: tableName(), client: standIns.dynamodb, chunkBytes: 1024 });

/** Makes the record at `path` look written before indexes were kept: no index fields, no index pieces. */
async function forgetIndex(repositoryUuid: string, path: string): Promise<void> {
  const record = await modelStore().getRecord(repositoryUuid, path);
  await standIns.dynamodb.send(
    new UpdateItemCommand({
      TableName: tableName(),
      Key: key(repositoryUuid, modelSortKey(path)),
      UpdateExpression: 'REMOVE indexChunks, indexEntries, indexTruncated',
    }),
  );
  for (let i = 0; i < (record!.indexChunks ?? 0); i++)
    await standIns.dynamodb.send(
      new UpdateItemCommand({
        TableName: tableName(),
        Key: key(repositoryUuid, chunkSortKey(record!.version, i, INDEX_SK_PREFIX)),
        UpdateExpression: 'REMOVE #data',
        ExpressionAttributeNames: { '#data': 'data' },
      }),
    );
}

describe('DynamoDbEntitySearchSource contract', () => {
  entitySearchSourceContract(() => {
    const repositories: SearchRepository[] = [];
    return {
      source: new DynamoDbEntitySearchSource({
        tableName: tableName(),
        client: standIns.dynamodb,
        listRepositories: async () => repositories,
      }),
      models: modelStore(),
      repositories,
      forgetIndex,
    };
  });
});

describe('DynamoDbEntitySearchSource', () => {
  it('when warm, reads the records listing and only the indexes of versions it has not seen', async () => {
    const repo = `{${randomUUID()}}`;
    const models = modelStore();
    const model = (entity: string) =>
      Buffer.from(JSON.stringify({ collections: [{ collectionName: entity, properties: [{ name: 'orderId' }] }] }));
    for (let i = 0; i < 5; i++)
      await models.putModel({ repositoryUuid: repo, path: `m${i}.hck.json`, commit: 'c1', bytes: model(`Order${i}`) });
    const source = new DynamoDbEntitySearchSource({
      tableName: tableName(),
      client: countingClient,
      listRepositories: async () => [{ uuid: repo, fullName: 'acme/models' }],
    });

    commands.length = 0;
    const cold = await searchEntities(source, { q: 'orderid', limit: 100 });
    expect(cold.hits).toHaveLength(5);
    expect(commands).toEqual(['QueryCommand:1', 'BatchGetItemCommand:5']);

    await models.putModel({ repositoryUuid: repo, path: 'm3.hck.json', commit: 'c2', bytes: model('Renamed') });
    commands.length = 0;
    const warm = await searchEntities(source, { q: 'orderid', limit: 100 });
    expect(warm.hits.map((hit) => hit.pathInModel.join('/'))).toEqual([
      'Order0/orderId',
      'Order1/orderId',
      'Order2/orderId',
      'Renamed/orderId',
      'Order4/orderId',
    ]);
    expect(commands).toEqual(['QueryCommand:1', 'BatchGetItemCommand:1']);
    expect(source.stats).toEqual({ cached: 4, read: 6 });
  });

  it('keeps its cache within its memory bound, least recently used first', async () => {
    const repo = `{${randomUUID()}}`;
    const models = modelStore();
    const bytes = (i: number) =>
      Buffer.from(JSON.stringify({ collections: Array.from({ length: 50 }, (_, e) => ({ collectionName: `Entity${i}_${e}` })) }));
    for (let i = 0; i < 4; i++) await models.putModel({ repositoryUuid: repo, path: `m${i}.hck.json`, commit: 'c1', bytes: bytes(i) });
    const source = new DynamoDbEntitySearchSource({
      tableName: tableName(),
      client: standIns.dynamodb,
      listRepositories: async () => [{ uuid: repo, fullName: 'acme/models' }],
      cacheBytes: 6000,
    });
    await searchEntities(source, { q: 'entity', limit: 1 });
    await searchEntities(source, { q: 'entity', limit: 1 });
    // Each index takes ~2 KB: the bound holds two, so every search of all four reads some again.
    expect(source.stats.read).toBeGreaterThan(4);
    expect(source.stats.cached).toBeLessThan(4);
  });
});
