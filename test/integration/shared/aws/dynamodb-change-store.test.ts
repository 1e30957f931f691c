/** DynamoDbChangeStore on dynalite: the change store contract the in-memory fake is held to. */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand } from '@aws-sdk/client-dynamodb';
import { DynamoDbChangeStore } from '../../../../shared/aws/dynamodb-change-store';
import { PARTITION_KEY, SORT_KEY } from '../../../../shared/aws/tables';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { changeStoreContract } from '../../../support/contracts/change-store.contract';

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandIns();
});
afterAll(async () => {
  await standIns.close();
});

/** A store on a table of its own: the feed is one partition, so tests must not share it. */
async function freshStore(): Promise<DynamoDbChangeStore> {
  const tableName = `changes-${randomUUID()}`;
  await standIns.dynamodb.send(
    new CreateTableCommand({
      TableName: tableName,
      KeySchema: [
        { AttributeName: PARTITION_KEY, KeyType: 'HASH' },
        { AttributeName: SORT_KEY, KeyType: 'RANGE' },
      ],
      AttributeDefinitions: [
        { AttributeName: PARTITION_KEY, AttributeType: 'S' },
        { AttributeName: SORT_KEY, AttributeType: 'S' },
      ],
      BillingMode: 'PAY_PER_REQUEST',
    }),
  );
  return new DynamoDbChangeStore({ tableName, client: standIns.dynamodb });
}

describe('DynamoDbChangeStore contract', () => {
  changeStoreContract(freshStore);
});

describe('DynamoDbChangeStore', () => {
  it('serves the changes table the stand-ins create', async () => {
    const store = new DynamoDbChangeStore({ tableName: standIns.env.CHANGES_TABLE!, client: standIns.dynamodb });
    expect(await store.openCommits()).toEqual([]);
  });
});
