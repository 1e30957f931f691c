/** DynamoDbEventLog on dynalite: the events log contract the in-memory fake is held to. */
import { DynamoDbEventLog } from '../../../../shared/aws/dynamodb-event-log';
import { startStandIns, type StandIns } from '../../../../local/stand-ins';
import { eventLogContract } from '../../../support/contracts/event-log.contract';

let standIns: StandIns;
let log: DynamoDbEventLog;
beforeAll(async () => {
  standIns = await startStandIns();
  log = new DynamoDbEventLog({ tableName: standIns.env.EVENTS_TABLE!, client: standIns.dynamodb });
});
afterAll(async () => {
  await standIns.close();
});

describe('DynamoDbEventLog contract', () => {
  eventLogContract(() => log);
});

describe('DynamoDbEventLog', () => {
  it('keeps events and claims for the configured number of days', async () => {
    const shortLived = new DynamoDbEventLog({
      tableName: standIns.env.EVENTS_TABLE!,
      client: standIns.dynamodb,
      eventTtlDays: 1,
      acceptedTtlDays: 1,
    });
    const repository = { uuid: '{00000000-0000-4000-8000-0000000000e1}', fullName: 'acme/short' };
    await shortLived.record({
      kind: 'sync',
      at: new Date(Date.now() - 2 * 24 * 3600 * 1000).toISOString(),
      repository,
      outcome: 'expired',
    });
    await shortLived.record({ kind: 'sync', at: new Date().toISOString(), repository, outcome: 'kept' });
    const twoDaysAgo = new Date(Date.now() - 2 * 24 * 3600 * 1000);
    expect(await shortLived.claimAccepted('hash-two-days-old', { at: twoDaysAgo, claimId: 'old' })).toBe(true);
    expect((await shortLived.list({ repositoryUuid: repository.uuid })).map((event) => event.outcome)).toEqual(['kept']);
    expect(await shortLived.claimAccepted('hash-two-days-old', { at: new Date(), claimId: 'new' })).toBe(true);
  });
});
