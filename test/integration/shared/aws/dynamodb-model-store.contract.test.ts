/** DynamoDbModelStore on dynalite passes the model store contract the in-memory fake is held to. */
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { modelStoreContract } from '../../../support/contracts/model-store.contract';
import { tamperInlineBody } from '../../../support/tamper-model-body';

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandIns();
});
afterAll(async () => {
  await standIns.close();
});

describe('DynamoDbModelStore contract', () => {
  modelStoreContract(
    (options) => new DynamoDbModelStore({ tableName: standIns.env.MODELS_TABLE!, client: standIns.dynamodb, ...options }),
    (repositoryUuid, path, bytes) => tamperInlineBody(standIns.dynamodb, standIns.env.MODELS_TABLE!, repositoryUuid, path, bytes),
  );
});
