import { DynamoDbEventLog } from '../../../shared/aws/dynamodb-event-log';
import type { LoggedEvent, SyncRunEvent } from '../../../shared/domain/logged-event';
import { runDemo } from '../../../local/demo';

const SECOND_SYNC_LINE =
  /sync +synced +synced \{"added":2,"updated":1,"removed":2,"renamed":0,"invalid":1,"tooLarge":0,"missing":0,"skipped":0\}/;

describe('npm start -- --demo', () => {
  afterEach(() => jest.restoreAllMocks());

  it('replicates the real models pushed to a simulated repository, and shows each webhook answer', async () => {
    // Act
    const lines: string[] = [];
    const { models } = await runDemo((line) => lines.push(line));
    // Assess: the second push modified, renamed, deleted and added an invalid file: 4 models remain.
    const output = lines.join('\n');
    expect(models).toBe(4);
    expect(output).toContain('webhook answered 202 queued');
    expect(output).toContain('The same delivery replayed: 202 duplicate');
    expect(output).toContain('A delivery signed with a wrong secret: 401 invalid signature');
    expect(output).toMatch(/models\/renamed\/large-mongodb-schema-design-patterns\.hck\.json +326798 B/);
    expect(output).toMatch(/models\/broken\.hck\.json .* invalid: /);
    expect(output).toMatch(SECOND_SYNC_LINE);
    expect(output).toMatch(/GET \/repositories: acme\/data-models synced at [0-9a-f]{7}, 4 models/);
    expect(output).toContain('- entity Pet in models/renamed/large-mongodb-schema-design-patterns.hck.json');
    expect(output).toMatch(
      /GET content of models\/renamed\/large-mongodb-schema-design-patterns\.hck\.json: 326798 B exact \(SHA-256 checked\), \d+ B on the wire \(br\)/,
    );
    // scratch/ is listed in the repository's .hubignore.
    expect(output).not.toContain('scratch/draft.hck.json');
    // The second push's change events, as the stack's bus would get them.
    expect(output).toMatch(/Model Changed +added models\/broken\.hck\.json key mc-/);
    expect(output).toMatch(/Model Changed +renamed models\/large-mongodb-schema-design-patterns\.hck\.json -> models\/renamed\/large-/);
    expect(output).toMatch(/Repository Synced +synced key rs-/);
    expect(output).toMatch(/One as delivered: \{"version":"0".*"source":"model-hub-sync".*"schemaVersion":1/);
  }, 60_000);

  it('prints the second sync run also when the worker logs it only after its cursor moved (a loaded machine)', async () => {
    // Arrange: the worker moves the repository's cursor, then logs the run. On a busy machine the demo can read the
    // events log in between; here the log write of the second push's run is held until someone has read the log.
    const record = DynamoDbEventLog.prototype.record;
    const list = DynamoDbEventLog.prototype.list;
    let held: Array<() => void> = [];
    jest.spyOn(DynamoDbEventLog.prototype, 'record').mockImplementation(async function (this: DynamoDbEventLog, event: LoggedEvent) {
      const run = event as SyncRunEvent;
      if (run.kind === 'sync' && run.fromCommit && run.toCommit) await new Promise<void>((resolve) => held.push(resolve));
      return record.call(this, event);
    });
    jest.spyOn(DynamoDbEventLog.prototype, 'list').mockImplementation(async function (this: DynamoDbEventLog, options) {
      const events = await list.call(this, options);
      const waiting = held;
      held = [];
      waiting.forEach((release) => release());
      return events;
    });
    // Act
    const lines: string[] = [];
    await runDemo((line) => lines.push(line));
    // Assess
    expect(lines.join('\n')).toMatch(SECOND_SYNC_LINE);
  }, 60_000);
});
