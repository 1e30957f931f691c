/** The in-memory change store passes the contract suite DynamoDbChangeStore passes on dynalite. */
import { changeStoreContract } from '../../../support/contracts/change-store.contract';
import { InMemoryChangeStore } from '../../../support/in-memory/in-memory-change-store';

describe('InMemoryChangeStore', () => {
  changeStoreContract(async () => new InMemoryChangeStore());
});
