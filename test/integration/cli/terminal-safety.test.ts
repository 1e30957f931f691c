import { DynamoDbEventLog } from '../../../shared/aws/dynamodb-event-log';
import type { SimulatedRepository } from '../../../local/bitbucket-simulator';
import { startCliTestBed, type CliTestBed } from './cli-harness';

/** Sets the terminal's window title, rings the bell and clears the screen when printed raw. */
const HOSTILE = 'x\u001b]0;owned\u0007\u001b[2J\u202ekcap';
/** What human output shows instead: every control as an escape. */
const SHOWN = 'x\\x1b]0;owned\\x07\\x1b[2J\\u202ekcap';
/** Any character a terminal would act on. */
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

describe('control characters from repositories never reach the terminal raw', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;
  const path = `models/${HOSTILE}.hck.json`;

  beforeAll(async () => {
    bed = await startCliTestBed({ worker: true });
    repo = await bed.simulator.createRepository('acme/hostile');
    await repo.commit({ [path]: JSON.stringify({ modelName: `Model ${HOSTILE}`, dbVendor: 'MongoDB' }) });
    const added = await bed.cli(['repo', 'add', 'acme/hostile'], { stdin: repo.token });
    expect(added.code).toBe(0);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('escapes paths and model names in `models list` and `models search`; --json keeps them exact', async () => {
    // Act
    const table = await bed.cli(['models', 'list', 'acme/hostile']);
    const json = await bed.cli(['models', 'list', 'acme/hostile', '--json']);
    const found = await bed.cli(['models', 'search', 'owned']);
    const missing = await bed.cli(['models', 'get', 'acme/hostile', `${HOSTILE}.hck.json`]);

    // Assess
    expect(table.code).toBe(0);
    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stdout).toContain(`models/${SHOWN}.hck.json`);
    expect(table.stdout).toContain(`Model ${SHOWN}`);
    expect(json.json()).toEqual([expect.objectContaining({ path, modelName: `Model ${HOSTILE}` })]);
    expect(found.stdout).not.toMatch(CONTROL);
    expect(found.stdout).toContain(SHOWN);
    expect(missing.code).toBe(1);
    expect(missing.stderr).not.toMatch(CONTROL);
    expect(missing.stderr).toContain(`no replicated model at ${SHOWN}.hck.json`);
  });

  it('escapes names and reasons in `events`; --json keeps them exact', async () => {
    // Arrange: a failed run whose reason quotes the path, as a parse or Bitbucket error would
    const events = new DynamoDbEventLog({ tableName: bed.hub.environment.EVENTS_TABLE!, client: bed.hub.standIns.dynamodb });
    await events.record({
      kind: 'sync',
      at: new Date().toISOString(),
      repository: { uuid: repo.uuid, fullName: 'acme/hostile' },
      outcome: 'failed',
      reason: `cannot read ${path}\r\nERROR`,
    });

    // Act
    const table = await bed.cli(['events', '--failed']);
    const json = await bed.cli(['events', '--failed', '--json']);

    // Assess
    expect(table.stdout).not.toMatch(CONTROL);
    expect(table.stdout).toContain(`cannot read models/${SHOWN}.hck.json\\r\\nERROR`);
    expect(json.json()).toEqual([expect.objectContaining({ reason: `cannot read ${path}\r\nERROR` })]);
  });
});
