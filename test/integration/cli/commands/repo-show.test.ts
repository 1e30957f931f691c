import { createHash } from 'node:crypto';
import type { SimulatedRepository } from '../../../../local/bitbucket-simulator';
import { startCliTestBed, type CliTestBed } from '../cli-harness';

const MODEL = '{"modelName":"Orders","dbVendor":"MongoDB"}';

describe('repo show, provider show and models list (local hub + Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let sales: SimulatedRepository;
  let billing: SimulatedRepository;

  beforeAll(async () => {
    bed = await startCliTestBed();
    sales = await bed.simulator.createRepository('team/sales');
    billing = await bed.simulator.createRepository('team/billing');
    await sales.commit({ 'orders.hck.json': MODEL, 'broken.hck.json': '{not json' });
    await billing.commit({ 'invoices.hck.json': '{"modelName":"Invoices"}' });
    const workspaceToken = bed.simulator.createWorkspaceToken('team');
    const added = await bed.cli(['repo', 'add', 'team', '--all', '--create-webhook'], { stdin: workspaceToken.token });
    expect(added.code).toBe(0);
  });
  afterAll(async () => {
    await bed.close();
  });

  it('shows one repository in full: configuration, shared token, webhook as Bitbucket has it, runs, models', async () => {
    // Act
    const details = (await bed.cli(['repo', 'show', 'team/sales', '--json'])).json<Record<string, unknown>>();
    const text = await bed.cli(['repo', 'show', 'team/sales']);

    // Assess
    expect(details).toMatchObject({
      repository: 'team/sales',
      uuid: sales.uuid,
      modelPattern: expect.any(String),
      generation: expect.any(String),
      token: { stored: true, sharedWith: ['team/billing'], secretName: expect.any(String) },
      webhook: { state: 'present', active: true, url: bed.hub.webhookUrl, urlMatches: true, eventsMatch: true, secretSet: true },
      sync: { status: 'synced', syncedCommit: await sales.head() },
      models: { total: 2, byStatus: { valid: 1, invalid: 1 } },
      lastRuns: [expect.objectContaining({ outcome: 'synced', commits: expect.stringMatching(/^\.\.[0-9a-f]{7}$/), models: '+2 !1' })],
    });
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(/^Token: +stored as \S+, shared with team\/billing$/m);
    expect(text.stdout).toMatch(/^Webhook: +\{[^}]+\} present, active, URL and events match the hub$/m);
    expect(text.stdout).toMatch(/^Models: +2 \(1 invalid, 1 valid\)$/m);
  });

  it('says when the hub webhook is gone from Bitbucket', async () => {
    // Arrange: someone deletes it in Bitbucket
    const [hook] = sales.webhooks;
    const deleted = await fetch(`${bed.simulator.apiUrl}/repositories/team/sales/hooks/${encodeURIComponent(hook!.uuid)}`, {
      method: 'DELETE',
      headers: { authorization: `Bearer ${sales.token}` },
    });
    expect(deleted.status).toBe(204);

    // Act
    const text = await bed.cli(['repo', 'show', 'team/sales']);

    // Assess
    expect(text.stdout).toMatch(/^Webhook: +MISSING in Bitbucket: .*`repo add team\/sales --create-webhook`$/m);
  });

  it('lists the stored tokens with the repositories using each in `provider show`', async () => {
    // Act
    const info = (await bed.cli(['provider', 'show', '--json'])).json<{ tokens: Array<{ repositories: string[] }> }>();
    const text = await bed.cli(['provider', 'show']);

    // Assess
    expect(info.tokens).toEqual([expect.objectContaining({ repositories: expect.arrayContaining(['team/sales', 'team/billing']) })]);
    expect(text.stdout).toMatch(/^Stored tokens:\nSECRET +REPOSITORIES\n\S+ +team\/(sales, team\/billing|billing, team\/sales)$/m);
  });

  it('lists models with the columns the README names: path, commit, size, SHA-256, name, vendor', async () => {
    // Act
    const text = await bed.cli(['models', 'list', 'team/sales']);

    // Assess
    const sha = createHash('sha256').update(MODEL).digest('hex').slice(0, 12);
    expect(text.stdout).toMatch(/^PATH +COMMIT +SIZE +SHA-256 +MODEL +VENDOR +STATUS$/m);
    expect(text.stdout).toMatch(new RegExp(`^orders\\.hck\\.json +[0-9a-f]{7} +${MODEL.length} +${sha} +Orders +MongoDB +valid$`, 'm'));
  });
});
