import { userInfo } from 'node:os';
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { eventually, startCliTestBed, type CliTestBed } from '../cli-harness';

interface EventListing {
  kind: string;
  repository: string | null;
  outcome: string | null;
  removed?: boolean;
  details: Record<string, unknown>;
}

describe("an operator's trail in `events` (local hub + Bitbucket simulator)", () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;
  const actor = `local user ${userInfo().username}`;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/trail');
    await repo.commit({ 'a.hck.json': '{"modelName":"A"}' });
  });
  afterAll(async () => {
    await bed.close();
  });

  it('records admin actions with who did them, and keeps a removed repository’s deliveries and runs visible', async () => {
    // Arrange: add, push (a delivery and a run), sync, rotate the secret, remove
    expect((await bed.cli(['repo', 'add', 'acme/trail'], { stdin: repo.token })).code).toBe(0);
    const initial = await repo.head();
    await repo.commit({ 'b.hck.json': '{"modelName":"B"}' });
    const delivered = await repo.deliverPush(bed.hub.webhookUrl, bed.webhookSecret().current, {
      branch: 'main',
      oldHash: initial,
      newHash: await repo.head(),
    });
    await eventually('the pushed commit synced', async () => {
      const [listing] = (await bed.cli(['repo', 'list', '--json'])).json<Array<{ syncedCommit: string | null }>>();
      return listing?.syncedCommit === (await repo.head());
    });
    expect((await bed.cli(['sync', 'acme/trail', '--full'])).code).toBe(0);
    expect((await bed.cli(['provider', 'rotate-secret', '--json'])).code).toBe(0);
    expect((await bed.cli(['provider', 'finish-rotation', '--force'])).code).toBe(0);
    expect((await bed.cli(['repo', 'remove', 'acme/trail'])).code).toBe(0);

    // Act
    const events = (await bed.cli(['events', '--limit', '100', '--json'])).json<EventListing[]>();
    const ofRemoved = await bed.cli(['events', '--repo', 'acme/trail', '--limit', '100']);

    // Assess
    expect(delivered.status).toBe(202);
    const actions = events.filter((event) => event.kind === 'admin');
    // `repo add` requests the initial full sync: a sync request of its own.
    expect(actions.map((event) => event.outcome)).toEqual(['remove', 'finish-rotation', 'rotate-secret', 'sync', 'sync', 'add']);
    expect(actions.every((event) => event.details.actor === actor)).toBe(true);
    expect(actions.find((event) => event.outcome === 'sync')).toMatchObject({ repository: 'acme/trail', details: { mode: 'full' } });
    const kept = events.filter((event) => event.kind !== 'admin' && event.repository === 'acme/trail');
    expect(kept.map((event) => event.kind)).toEqual(expect.arrayContaining(['delivery', 'sync']));
    expect(kept.every((event) => event.removed === true)).toBe(true);
    expect(ofRemoved.code).toBe(0);
    expect(ofRemoved.stdout).toMatch(/delivery +acme\/trail \(removed\) +queued/);
    expect(ofRemoved.stdout).toMatch(/sync +acme\/trail \(removed\) +synced +[0-9a-f]{7}\.\.[0-9a-f]{7} +\+1 /);
    expect(ofRemoved.stdout).toMatch(/admin +acme\/trail \(removed\) +remove .* by local user /);
  });
});
