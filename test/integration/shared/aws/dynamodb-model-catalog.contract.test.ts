/** DynamoDbModelStore on dynalite passes the read API's catalog contract the in-memory fake is held to. */
import { DynamoDbModelStore } from '../../../../shared/aws/dynamodb-model-store';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { modelCatalogContract } from '../../../support/contracts/model-catalog.contract';

let standIns: StandIns;
beforeAll(async () => {
  standIns = await startStandIns();
});
afterAll(async () => {
  await standIns.close();
});

describe('DynamoDbModelStore as the read API catalog', () => {
  modelCatalogContract(() => new DynamoDbModelStore({ tableName: standIns.env.MODELS_TABLE!, client: standIns.dynamodb }));
});
