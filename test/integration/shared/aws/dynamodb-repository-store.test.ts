/** DynamoDbRepositoryStore on dynalite: the repository store contract the in-memory fake is held to. */
import { PutItemCommand } from '@aws-sdk/client-dynamodb';
import { DEFAULT_MODEL_PATTERN } from '../../../../shared/models/model-selection';
import { DynamoDbRepositoryStore } from '../../../../shared/aws/dynamodb-repository-store';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { repositoryStoreContract } from '../../../support/contracts/sync-state-store.contract';

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandIns();
});
afterAll(async () => {
  await standIns.close();
});

const store = () => new DynamoDbRepositoryStore({ tableName: standIns.env.REPOSITORIES_TABLE!, client: standIns.dynamodb });

describe('DynamoDbRepositoryStore contract', () => {
  repositoryStoreContract(store);
});

describe('DynamoDbRepositoryStore', () => {
  it('reads a configuration written without a pattern with the default model pattern', async () => {
    // Prepare: an item as an older version of the hub wrote it.
    const uuid = '{00000000-0000-4000-8000-00000000c0de}';
    await standIns.dynamodb.send(
      new PutItemCommand({
        TableName: standIns.env.REPOSITORIES_TABLE!,
        Item: {
          pk: { S: `repo#${uuid}` },
          sk: { S: 'config' },
          uuid: { S: uuid },
          fullName: { S: 'acme/legacy' },
          addedAt: { S: '2025-01-01T00:00:00.000Z' },
        },
      }),
    );
    // Act, Assess
    expect(await store().getRepository(uuid)).toEqual({
      uuid,
      fullName: 'acme/legacy',
      modelPattern: DEFAULT_MODEL_PATTERN,
      addedAt: '2025-01-01T00:00:00.000Z',
    });
  });
});
