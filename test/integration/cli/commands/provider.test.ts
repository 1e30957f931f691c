import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

describe('provider: webhook URL, secret and its rotation (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let repo: SimulatedRepository;

  beforeAll(async () => {
    bed = await startCliTestBed();
    repo = await bed.simulator.createRepository('acme/rotation');
    await repo.commit({ 'models/a.hck.json': '{"modelName":"A","dbVendor":"MongoDB"}' });
    const added = await bed.cli(['repo', 'add', 'acme/rotation', '--create-webhook'], { stdin: repo.token });
    expect(added.code).toBe(0);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('shows the webhook URL and that a secret is set, without printing it', async () => {
    const shown = await bed.cli(['provider', 'show', '--json']);
    const table = await bed.cli(['provider', 'show']);

    expect(shown.json()).toMatchObject({
      provider: 'bitbucket-cloud',
      webhookUrl: bed.hub.webhookUrl,
      secretSet: true,
      rotation: { inProgress: false },
      repositories: 1,
    });
    expect(table.stdout).toContain(`Webhook URL:     ${bed.hub.webhookUrl}`);
    expect(table.stdout).toContain('Rotation:        none');
    expect(shown.stdout + table.stdout).not.toContain(bed.webhookSecret().current);
  });

  it('rotates: both secrets are accepted until finish-rotation, then only the new one', async () => {
    // Prepare
    const old = bed.webhookSecret().current;
    expect(repo.webhooks[0]?.secret).toBe(old);

    // Act 1: rotate and update the hub's webhooks (the test's verifier cache is 0 s).
    const rotated = await bed.cli(['provider', 'rotate-secret', '--update-webhooks']);
    const fresh = rotated.stdout.trim();
    // The verifier caches the secret for minutes: a new container (here: the hub's functions restarted) reads the rotated value.
    bed.hub.restartFunctions();
    const duringShow = (await bed.cli(['provider', 'show', '--json'])).json<{ rotation: { inProgress: boolean; since: string } }>();
    const signedByHook = await repo.commit({ 'models/b.hck.json': '{"modelName":"B"}' });
    // Another body than the hook's delivery (the verifier drops replayed bodies): as if the branch were pushed anew.
    const withOld = await repo.deliverPush(bed.hub.webhookUrl, old, { branch: 'main', oldHash: null, newHash: signedByHook });

    // Assess 1
    expect(rotated.code).toBe(0);
    expect(fresh).toMatch(/^[0-9a-f]{48}$/);
    expect(rotated.stderr).toContain('acme/rotation: webhook secret updated');
    expect(bed.webhookSecret()).toMatchObject({ current: fresh, previous: old, rotatedAt: expect.any(String) });
    expect(repo.webhooks).toHaveLength(1);
    expect(repo.webhooks[0]?.secret).toBe(fresh);
    expect(duringShow.rotation).toEqual({ inProgress: true, since: bed.webhookSecret().rotatedAt });
    expect(repo.deliveries.at(-1)).toMatchObject({ commit: signedByHook, status: 202, body: 'queued' });
    expect(withOld).toEqual({ status: 202, body: 'queued' });

    // Act 2
    const second = await bed.cli(['provider', 'rotate-secret']);
    const finished = await bed.cli(['provider', 'finish-rotation']);
    bed.hub.restartFunctions();
    const next = await repo.commit({ 'models/c.hck.json': '{"modelName":"C"}' });
    const oldAfter = await repo.deliverPush(bed.hub.webhookUrl, old, { branch: 'main', oldHash: null, newHash: next });
    const again = await bed.cli(['provider', 'finish-rotation']);

    // Assess 2
    expect(second.code).toBe(1);
    expect(second.stderr).toMatch(/error: a rotation is already in progress[^]*next: finish it with `provider finish-rotation`/);
    expect(finished.code).toBe(0);
    expect(bed.webhookSecret()).toMatchObject({ current: fresh, previous: '' });
    expect(repo.deliveries.at(-1)).toMatchObject({ commit: next, status: 202, body: 'queued' });
    expect(oldAfter).toEqual({ status: 401, body: 'invalid signature' });
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('no rotation is in progress');
    // The new secret was printed once, by rotate-secret, and nowhere else.
    expect(bed.transcript.filter((text) => text.includes(fresh))).toHaveLength(1);
  });

  it("does not finish a rotation younger than the verifiers' secret cache unless forced", async () => {
    const rotated = await bed.cli(['provider', 'rotate-secret', '--json'], { deps: { secretCacheSeconds: 300 } });
    const early = await bed.cli(['provider', 'finish-rotation'], { deps: { secretCacheSeconds: 300 } });
    const forced = await bed.cli(['provider', 'finish-rotation', '--force'], { deps: { secretCacheSeconds: 300 } });

    expect(rotated.json()).toMatchObject({ secret: expect.stringMatching(/^[0-9a-f]{48}$/), previousAccepted: true, webhooks: null });
    expect(early.code).toBe(1);
    expect(early.stderr).toMatch(/the rotation started less than 300 s ago[^]*next: wait \d+ s/);
    expect(forced.code).toBe(0);
    expect(bed.webhookSecret().previous).toBe('');
  });
});
