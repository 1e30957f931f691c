import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { eventually, startCliTestBed, type CliTestBed } from '../cli-harness';

interface DeadLetter {
  messageId: string;
  repository: string | null;
  trigger: string | null;
  requestUuid: string | null;
  receiveCount: number | null;
  attempts: number;
  lastReason: string | null;
}

describe('dlq list and redrive (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;

  beforeAll(async () => {
    // One receive only, then the DLQ: a failing request lands there after one visibility timeout. The timeout leaves
    // headroom for the initial sync on a loaded machine: a request still being handled when it expires is received
    // again, and with one receive allowed, lands in the DLQ although it succeeds.
    bed = await startCliTestBed({ maxReceiveCount: 1, visibilityTimeoutSeconds: 10 });
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
    const table = await bed.cli(['dlq', 'list']);
    bed.simulator.clearFaults();
    const redriven = await bed.cli(['dlq', 'redrive', '--json']);

    // Assess
    expect(failed.code).toBe(1);
    expect(listed).toEqual([expect.objectContaining({ repository: 'acme/dead-letters', trigger: 'admin', requestUuid })]);
    // Listing does not hide the messages, and shows the worker's attempts, which listing does not change (SQS's
    // receive count grows with every listing: it cannot look without receiving).
    expect(again).toHaveLength(1);
    expect(listed[0]).toMatchObject({ attempts: 1, lastReason: expect.stringMatching(/HTTP 403/) });
    expect(again[0]).toMatchObject({ attempts: 1, lastReason: listed[0]!.lastReason });
    expect(again[0]!.receiveCount).toBeGreaterThan(listed[0]!.receiveCount!);
    expect(table.stdout).toMatch(/^SENT +REPOSITORY +TRIGGER +REQUEST +ATTEMPTS +LAST REASON\n/);
    expect(table.stdout).toMatch(/acme\/dead-letters +admin +[0-9a-f-]{36} +1 +.*HTTP 403/);
    expect(redriven.json()).toMatchObject({ moved: 1, messages: [expect.objectContaining({ requestUuid })] });
    await eventually('the redriven sync', async () => {
      const [listing] = (await bed.cli(['repo', 'list', '--json'])).json<Array<{ status: string; syncedCommit: string | null }>>();
      return listing?.status === 'synced' && listing.syncedCommit === (await repo.head());
    });
    expect((await bed.cli(['dlq', 'list', '--json'])).json()).toEqual([]);
  });
});
