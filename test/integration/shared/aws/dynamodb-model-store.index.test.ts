/** The entity index pieces of DynamoDbModelStore on dynalite: shared by an interrupted rename, never left behind. */
import { DynamoDBClient, QueryCommand } from '@aws-sdk/client-dynamodb';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';

const FIXTURE = readFileSync(join(__dirname, '../../../fixtures/hackolade-models/medium-dynamodb-book.hck.json'));
const newRepo = (): string => `{${randomUUID()}}`;

let standIns: StandIns;
let crashClient: DynamoDBClient;
let failing: ((name: string) => boolean) | undefined;

beforeAll(async () => {
  standIns = await startStandIns();
  crashClient = new DynamoDBClient({
    endpoint: standIns.env.AWS_ENDPOINT_URL_DYNAMODB,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  // Simulates the process dying before a command of the kind `failing` names.
  crashClient.middlewareStack.add(
    (next, context) => async (args) => {
      if (failing?.(context.commandName ?? '')) throw new Error(`simulated crash before ${context.commandName}`);
      return next(args);
    },
    { step: 'initialize', name: 'simulatedCrash' },
  );
});
afterAll(async () => {
  crashClient.destroy();
  await standIns.close();
});

/** A store that keeps every index in `index#` items (`inlineIndexLimitBytes: 0`), or small ones in the record (default). */
const store = (client = standIns.dynamodb, inlineIndexLimitBytes = 0) =>
  new DynamoDbModelStore({ tableName: standIns.env.MODELS_TABLE!, client, inlineIndexLimitBytes });

async function sortKeys(repositoryUuid: string): Promise<string[]> {
  const { Items } = await standIns.dynamodb.send(
    new QueryCommand({
      TableName: standIns.env.MODELS_TABLE!,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: repositoryUuid } },
      ConsistentRead: true,
    }),
  );
  return (Items ?? []).map((item) => item.sk!.S!);
}

describe('DynamoDbModelStore entity index pieces', () => {
  it('keeps a small index in the record item: no item, no write of its own, nothing left by a failed write', async () => {
    const repo = newRepo();
    const models = store(standIns.dynamodb, 16 * 1024);
    const written = await models.putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c1', bytes: FIXTURE });
    expect(written).toMatchObject({ storage: 'inline', indexChunks: 0, indexInline: true, indexEntries: expect.any(Number) });
    expect(await sortKeys(repo)).toEqual(['model#m.hck.json']);
    expect((await models.getEntityIndex(repo, 'm.hck.json'))!.index!.entries).toHaveLength(written.indexEntries!);

    failing = (name) => name === 'PutItemCommand';
    await expect(
      store(crashClient, 16 * 1024).putModel({ repositoryUuid: repo, path: 'n.hck.json', commit: 'c1', bytes: FIXTURE }),
    ).rejects.toThrow('simulated crash');
    failing = undefined;
    expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);

    await models.moveModel(repo, 'm.hck.json', 'moved.hck.json', 'c2');
    expect((await models.getEntityIndex(repo, 'moved.hck.json'))!.index!.entries).toHaveLength(written.indexEntries!);
    expect(await sortKeys(repo)).toEqual(['model#moved.hck.json']);
  });

  it('writes a larger index as its own item, before the record that names its version', async () => {
    const repo = newRepo();
    const written = await store().putModel({ repositoryUuid: repo, path: 'm.hck.json', commit: 'c1', bytes: FIXTURE });
    expect(written).toMatchObject({ storage: 'inline', indexChunks: 1, indexEntries: expect.any(Number) });
    expect(await sortKeys(repo)).toEqual([`index#${written.version}#000000`, 'model#m.hck.json']);

    failing = (name) => name === 'PutItemCommand';
    await expect(store(crashClient).putModel({ repositoryUuid: repo, path: 'n.hck.json', commit: 'c1', bytes: FIXTURE })).rejects.toThrow(
      'simulated crash',
    );
    failing = undefined;
    expect(await store().getEntityIndex(repo, 'n.hck.json')).toBeUndefined();
    expect(await store().removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(1);
    expect(await sortKeys(repo)).toEqual([`index#${written.version}#000000`, 'model#m.hck.json']);
  });

  it('keeps an inline model’s index through an interrupted rename, and removes it with the last record', async () => {
    const repo = newRepo();
    const models = store();
    const written = await models.putModel({ repositoryUuid: repo, path: 'from.hck.json', commit: 'c1', bytes: FIXTURE });
    failing = (name) => name === 'DeleteItemCommand';
    await expect(store(crashClient).moveModel(repo, 'from.hck.json', 'to.hck.json', 'c2')).rejects.toThrow('simulated crash');
    failing = undefined;

    // The next sync deletes the old path: the index stays, the new path still names its version.
    await models.deleteModel(repo, 'from.hck.json');
    const moved = await models.getEntityIndex(repo, 'to.hck.json');
    expect(moved!.record.version).toBe(written.version);
    expect(moved!.index!.entries.length).toBe(written.indexEntries);
    expect(await models.removeOrphanChunks(repo, { olderThanMs: 0 })).toBe(0);
    await models.deleteModel(repo, 'to.hck.json');
    expect(await sortKeys(repo)).toEqual([]);
  });
});
