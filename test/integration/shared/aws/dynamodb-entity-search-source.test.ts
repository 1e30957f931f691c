/** DynamoDbEntitySearchSource on dynalite: the source contract, and what a warm source reads again. */
import { CreateTableCommand, DynamoDBClient, UpdateItemCommand } from '@aws-sdk/client-dynamodb';
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
      const input = args.input as { IndexName?: string };
      commands.push(`${context.commandName}:${input.IndexName ?? JSON.stringify(input).match(/index#|model#/g)?.length ?? 0}`);
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
    expect(commands).toEqual(['QueryCommand:records', 'BatchGetItemCommand:5']);

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
    expect(commands).toEqual(['QueryCommand:records', 'BatchGetItemCommand:1']);
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

  it('lists from the table when it has no records index (a local data dir created before it), and says the same', async () => {
    const legacyTable = `model-hub-models-legacy-${randomUUID().slice(0, 8)}`;
    await standIns.dynamodb.send(
      new CreateTableCommand({
        TableName: legacyTable,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    const repo = `{${randomUUID()}}`;
    const bytes = Buffer.from(JSON.stringify({ collections: [{ collectionName: 'Customer', properties: [{ name: 'customerId' }] }] }));
    for (const table of [tableName(), legacyTable])
      await new DynamoDbModelStore({ tableName: table, client: standIns.dynamodb }).putModel({
        repositoryUuid: repo,
        path: 'c.hck.json',
        commit: 'c1',
        bytes,
      });
    const search = async (table: string) => {
      const source = new DynamoDbEntitySearchSource({
        tableName: table,
        client: countingClient,
        listRepositories: async () => [{ uuid: repo, fullName: 'acme/models' }],
      });
      commands.length = 0;
      const first = await searchEntities(source, { q: 'customer' });
      const again = await searchEntities(source, { q: 'customer' });
      expect(again).toEqual(first);
      return { hits: first.hits.map((hit) => hit.pathInModel.join('/')), commands: [...commands] };
    };

    const indexed = await search(tableName());
    const legacy = await search(legacyTable);

    expect(legacy.hits).toEqual(['Customer', 'Customer/customerId']);
    expect(legacy.hits).toEqual(indexed.hits);
    expect(indexed.commands).toEqual(['QueryCommand:records', 'BatchGetItemCommand:1', 'QueryCommand:records']);
    // The missing index is asked once, then the table is listed (for a while) without asking again.
    expect(legacy.commands).toEqual(['QueryCommand:records', 'QueryCommand:1', 'BatchGetItemCommand:1', 'QueryCommand:1']);
  });

  it('lists from the table when its role may not query the records index, and fails on any other error', async () => {
    const repo = `{${randomUUID()}}`;
    const bytes = Buffer.from(JSON.stringify({ collections: [{ collectionName: 'Invoice' }] }));
    await modelStore().putModel({ repositoryUuid: repo, path: 'i.hck.json', commit: 'c1', bytes });
    const client = new DynamoDBClient({
      endpoint: standIns.env.AWS_ENDPOINT_URL_DYNAMODB,
      region: 'us-east-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    let refusal = 'AccessDeniedException';
    client.middlewareStack.add(
      (next) => async (args) => {
        if ((args.input as { IndexName?: string }).IndexName === undefined) return next(args);
        const error = new Error(
          `User: role is not authorized to perform: dynamodb:Query on resource: arn:aws:dynamodb:table/${tableName()}/index/records`,
        );
        error.name = refusal;
        throw error;
      },
      { step: 'initialize', name: 'refuseIndex' },
    );
    try {
      const source = () =>
        new DynamoDbEntitySearchSource({
          tableName: tableName(),
          client,
          listRepositories: async () => [{ uuid: repo, fullName: 'acme/models' }],
        });
      expect((await searchEntities(source(), { q: 'invoice' })).hits.map((hit) => hit.name)).toEqual(['Invoice']);
      refusal = 'ThrottlingException';
      await expect(searchEntities(source(), { q: 'invoice' })).rejects.toThrow('not authorized');
    } finally {
      client.destroy();
    }
  });
});
