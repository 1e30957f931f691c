import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { eventually, startCliTestBed, type CliTestBed } from '../cli-harness';

interface DeadLetter {
  messageId: string;
  repository: string | null;
  trigger: string | null;
  requestUuid: string | null;
}

describe('dlq list and redrive (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;

  beforeAll(async () => {
    // One receive only, then the DLQ: a failing request lands there within seconds (a successful sync takes < 3 s).
    bed = await startCliTestBed({ maxReceiveCount: 1, visibilityTimeoutSeconds: 3 });
    repo = await bed.simulator.createRepository('acme/dead-letters');
    await repo.commit({ 'm.hck.json': '{"modelName":"M"}' });
    expect((await bed.cli(['repo', 'add', 'acme/dead-letters'], { stdin: repo.token })).code).toBe(0);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('lists a request that kept failing, and redrives it once the cause is fixed', async () => {
    // Prepare: Bitbucket refuses every branch lookup.
    bed.simulator.addFault({ pathPattern: /\/refs\/branches\//, kind: 'status', status: 403 });
    const failed = await bed.cli(['sync', 'acme/dead-letters', '--full', '--json']);
    const requestUuid = /\(request ([0-9a-f-]{36})\)/.exec(failed.stderr)?.[1];

    // Act
    const listed = await eventually('the request in the DLQ', async () => {
      const messages = (await bed.cli(['dlq', 'list', '--json'])).json<DeadLetter[]>();
      return messages.length > 0 ? messages : undefined;
    });
    const again = (await bed.cli(['dlq', 'list', '--json'])).json<DeadLetter[]>();
    bed.simulator.clearFaults();
    const redriven = await bed.cli(['dlq', 'redrive', '--json']);

    // Assess
    expect(failed.code).toBe(1);
    expect(listed).toEqual([expect.objectContaining({ repository: 'acme/dead-letters', trigger: 'admin', requestUuid })]);
    // Listing does not hide the messages.
    expect(again).toHaveLength(1);
    expect(redriven.json()).toMatchObject({ moved: 1, messages: [expect.objectContaining({ requestUuid })] });
    await eventually('the redriven sync', async () => {
      const [listing] = (await bed.cli(['repo', 'list', '--json'])).json<Array<{ status: string; syncedCommit: string | null }>>();
      return listing?.status === 'synced' && listing.syncedCommit === (await repo.head());
    });
    expect((await bed.cli(['dlq', 'list', '--json'])).json()).toEqual([]);
  });
});
