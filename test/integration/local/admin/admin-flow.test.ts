import type { SimulatedAccessToken, SimulatedRepository } from '../../../../local/bitbucket-simulator';
import type {
  AddRepositoriesResponse,
  DashboardResponse,
  ErrorBody,
  EventsResponse,
  ProviderResponse,
  RemoveRepositoryResponse,
  RepositoriesResponse,
  RepositoryDetailsResponse,
  RequestEventsResponse,
  RotateSecretResponse,
  SyncQueuedResponse,
  SyncStatusResponse,
  TokensResponse,
  UpdateRepositoryResponse,
  UpdateWebhooksResponse,
  WorkspaceRepositoriesResponse,
} from '../../../../shared/admin/api-types';
import { eventually, startCliTestBed, type CliTestBed } from '../../cli/cli-harness';
import { AdminClient, segment } from './admin-client';

describe('admin API through the local runtime (dynalite, local SQS, the Bitbucket simulator)', () => {
  let bed: CliTestBed;
  let admin: AdminClient;
  let team: SimulatedRepository[];
  let workspaceToken: SimulatedAccessToken;
  let rotated: string | undefined;
  let initialSecret: string;

  /** Follows a queued sync by its request id until it ends, as the console does (also after a page reload). */
  const finished = (uuid: string, requestUuid: string) =>
    eventually(`sync ${requestUuid}`, async () => {
      const status = (await admin.api('GET', `repositories/${segment(uuid)}/syncs/${requestUuid}`)).json<SyncStatusResponse>();
      return status.state === 'finished' || status.state === 'failed' ? status : undefined;
    });

  beforeAll(async () => {
    bed = await startCliTestBed();
    admin = new AdminClient(bed.hub.webhookUrl.replace(/\/gateway\/.*$/, ''));
    await admin.login(bed.hub.consoleLoginUrl());
    team = [];
    for (const slug of ['models-sales', 'models-billing', 'website']) {
      const repo = await bed.simulator.createRepository(`team/${slug}`);
      await repo.commit({ [`${slug}.hck.json`]: `{"modelName":"${slug}","dbVendor":"MongoDB"}` });
      team.push(repo);
    }
    workspaceToken = bed.simulator.createWorkspaceToken('team');
    initialSecret = bed.webhookSecret().current;
  });
  afterAll(async () => {
    // No answer ever carried an access token or the webhook secret (the rotation's own answer aside).
    const answers = admin.bodies.filter((body) => !rotated || !body.includes('"secret":'));
    const secrets = [workspaceToken.token, ...team.map((repo) => repo.token), initialSecret, bed.webhookSecret().current];
    expect(answers.length).toBeGreaterThan(40);
    for (const secret of secrets) for (const body of answers) expect(body).not.toContain(secret);
    await bed.close();
  });

  it('lists the workspace for the add flow, filtered by a glob, without storing the token', async () => {
    const all = await admin.api('POST', 'workspace-repositories', { body: { workspace: 'team', token: workspaceToken.token } });
    const matched = await admin.api('POST', 'workspace-repositories', {
      body: { workspace: 'team', token: workspaceToken.token, match: 'models-*' },
    });

    expect(all.status).toBe(200);
    expect(all.json<WorkspaceRepositoriesResponse>().repositories.map((repository) => [repository.fullName, repository.added])).toEqual([
      ['team/models-billing', false],
      ['team/models-sales', false],
      ['team/website', false],
    ]);
    expect(matched.json<WorkspaceRepositoriesResponse>().repositories.map((repository) => repository.slug)).toEqual([
      'models-billing',
      'models-sales',
    ]);
    expect(Object.keys(bed.tokenSecrets())).toEqual([]);
  });

  it('explains a refused token the way the CLI does', async () => {
    const answer = await admin.api('POST', 'workspace-repositories', { body: { workspace: 'nobody', token: workspaceToken.token } });

    expect(answer.status).toBe(422);
    expect(answer.json<ErrorBody>().error).toEqual({
      message: expect.stringContaining('Bitbucket has no workspace nobody'),
      hint: 'check the workspace name, as in bitbucket.org/<workspace>',
      code: 'bitbucket-refused',
    });
  });

  it('adds two repositories with one stored token and follows their initial syncs to the end', async () => {
    const answer = await admin.api('POST', 'repositories', {
      body: { repositories: ['team/models-sales', 'team/models-billing', 'team/nope'], token: workspaceToken.token },
    });

    expect(answer.status).toBe(200);
    const { results, messages } = answer.json<AddRepositoriesResponse>();
    expect(results.map((result) => [result.repository, result.result])).toEqual([
      ['team/models-sales', 'added'],
      ['team/models-billing', 'added'],
      ['team/nope', 'failed'],
    ]);
    expect(results[2]!.error).toEqual(expect.objectContaining({ code: 'bitbucket-refused' }));
    expect(results[0]!.webhook).toEqual(expect.objectContaining({ action: 'created' }));
    expect(messages).toContain('The initial full sync of team/models-sales queued (request ' + results[0]!.sync!.requestUuid + ').');
    expect(Object.keys(bed.tokenSecrets())).toHaveLength(1);
    for (const result of results.slice(0, 2)) {
      const status = await finished(result.uuid!, result.sync!.requestUuid);
      expect(status).toEqual(
        expect.objectContaining({ state: 'finished', result: expect.objectContaining({ outcome: 'synced', files: 1 }) }),
      );
    }
    const again = await admin.api('POST', 'repositories', { body: { repositories: ['team/models-sales'], token: workspaceToken.token } });
    expect(again.json<AddRepositoriesResponse>().results[0]!.result).toBe('already-added');
  });

  it('lists, shows and counts them: repositories, dashboard, provider, tokens', async () => {
    const repositories = (await admin.api('GET', 'repositories')).json<RepositoriesResponse>().repositories;
    const sales = repositories.find((repository) => repository.repository === 'team/models-sales')!;
    const details = (await admin.api('GET', `repositories/${segment(sales.uuid)}`)).json<RepositoryDetailsResponse>();
    const dashboard = (await admin.api('GET', 'dashboard')).json<DashboardResponse>();
    const provider = (await admin.api('GET', 'provider')).json<ProviderResponse>();
    const tokens = (await admin.api('GET', 'tokens')).json<TokensResponse>();

    expect(repositories.map((repository) => [repository.repository, repository.status, repository.models])).toEqual(
      expect.arrayContaining([
        ['team/models-sales', 'synced', 1],
        ['team/models-billing', 'synced', 1],
      ]),
    );
    expect(details).toEqual(
      expect.objectContaining({
        repository: 'team/models-sales',
        token: expect.objectContaining({ stored: true, sharedWith: ['team/models-billing'] }),
        webhook: expect.objectContaining({ state: 'present', urlMatches: true, secretSet: true }),
        models: { total: 1, byStatus: { valid: 1 } },
      }),
    );
    expect(dashboard.providers).toEqual({
      configured: 1,
      bitbucketCloud: { secretSet: true, rotationInProgress: false, webhookUrl: bed.hub.webhookUrl },
    });
    expect(dashboard.repositories).toEqual({ total: 2, byStatus: { synced: 2 } });
    expect(dashboard.lastCommitted).toEqual(expect.objectContaining({ outcome: 'synced', counts: expect.objectContaining({ added: 1 }) }));
    expect(provider).toEqual(expect.objectContaining({ webhookUrl: bed.hub.webhookUrl, secretSet: true, repositories: 2 }));
    expect(tokens.tokens).toEqual([
      {
        tokenId: expect.any(String),
        secretName: expect.any(String),
        repositories: expect.arrayContaining(['team/models-sales', 'team/models-billing']),
      },
    ]);
  });

  it('a push reaches the hub; "Synchronize entire repository" and "verify" run and show in events', async () => {
    const [sales] = team;
    const commit = await sales!.commit({ 'second.hck.json': '{"modelName":"second"}' });
    const uuid = sales!.uuid;
    await eventually('the push synced', async () => {
      const listing = (await admin.api('GET', 'repositories')).json<RepositoriesResponse>().repositories.find((r) => r.uuid === uuid);
      return listing?.syncedCommit === commit;
    });

    const entire = (await admin.api('POST', `repositories/${segment(uuid)}/sync`, { body: { mode: 'entire' } })).json<SyncQueuedResponse>();
    expect((await finished(uuid, entire.requestUuid)).result).toEqual(expect.objectContaining({ outcome: 'synced', mode: 'full', commit }));
    const verify = await admin.api('POST', `repositories/${segment(uuid)}/verify`, { body: {} });
    expect(verify.status).toBe(202);
    const verified = await finished(uuid, verify.json<SyncQueuedResponse>().requestUuid);
    expect(verified.result?.verification).toEqual(expect.objectContaining({ status: 'no-drift' }));

    const events = (await admin.api('GET', `events?repository=${segment(uuid)}&kind=sync`)).json<EventsResponse>().events;
    expect(events.map((event) => event.requestUuid)).toEqual(expect.arrayContaining([entire.requestUuid]));
    const run = (await admin.api('GET', `events/requests/${entire.requestUuid}?repository=${segment(uuid)}`)).json<RequestEventsResponse>();
    expect(run.events.map((event) => [event.kind, event.outcome])).toEqual([
      ['admin', 'sync'],
      ['sync', 'synced'],
    ]);
    const failed = (await admin.api('GET', 'events?failed=true')).json<EventsResponse>().events;
    expect(failed).toEqual([]);
    const bad = await admin.api('POST', `repositories/${segment(uuid)}/sync`, { body: { mode: 'from-commit', fromCommit: 'xyz' } });
    expect(bad.json<ErrorBody>().error.code).toBe('invalid-request');
  });

  it('rotates the webhook secret with the safe wait: shown once, then webhooks updated, then finished', async () => {
    const before = bed.webhookSecret().current;
    const rotate = await admin.api('POST', 'provider/rotate-secret', { body: {} });
    const body = rotate.json<RotateSecretResponse>();
    rotated = body.secret;

    expect(rotate.status).toBe(200);
    expect(body.secret).toBe(bed.webhookSecret().current);
    expect(body.secret).not.toBe(before);
    expect(body.previousAccepted).toBe(true);
    const tooEarly = await admin.api('POST', 'provider/update-webhooks', { body: {} });
    expect(tooEarly.status).toBe(409);
    expect(tooEarly.headers['retry-after']).toMatch(/^\d+$/);
    expect((await admin.api('GET', 'provider')).json<ProviderResponse>().rotation).toEqual({
      inProgress: true,
      since: body.rotatedAt,
      safeAfter: body.safeAfter,
    });
    const updated = await admin.api('POST', 'provider/update-webhooks', { body: { skipCacheWait: true } });
    expect(updated.json<UpdateWebhooksResponse>()).toEqual(
      expect.objectContaining({
        problem: null,
        webhooks: expect.arrayContaining([{ repository: 'team/models-sales', result: 'updated' }]),
      }),
    );
    expect(team[0]!.webhooks[0]!.secret).toBe(body.secret);
    expect((await admin.api('POST', 'provider/finish-rotation', { body: {} })).status).toBe(409);
    expect((await admin.api('POST', 'provider/finish-rotation', { body: { force: true } })).status).toBe(200);
    expect(bed.webhookSecret().previous).toBe('');
    expect(JSON.stringify((await admin.api('GET', 'provider')).json())).not.toContain(body.secret);
  });

  it('updates the pattern (a sync follows) and replaces the token where the new one reads', async () => {
    const billing = team[1]!;
    const answer = await admin.api('PATCH', `repositories/${segment(billing.uuid)}`, {
      body: { pattern: 'models-*.hck.json', token: billing.token },
    });

    expect(answer.status).toBe(200);
    const body = answer.json<UpdateRepositoryResponse>();
    expect(body.token).toEqual({ updated: ['team/models-billing'], kept: ['team/models-sales'] });
    expect(body.repository.modelPattern).toBe('models-*.hck.json');
    expect((await finished(billing.uuid, body.sync!.requestUuid)).state).toBe('finished');
    expect(Object.keys(bed.tokenSecrets())).toHaveLength(2);
  });

  it('removes a repository only after confirmation', async () => {
    const billing = team[1]!;
    const unconfirmed = await admin.api('POST', `repositories/${segment(billing.uuid)}/remove`, { body: {} });
    const removed = await admin.api('POST', `repositories/${segment(billing.uuid)}/remove`, { body: { confirm: 'team/models-billing' } });

    expect(unconfirmed.status).toBe(400);
    expect(unconfirmed.json<ErrorBody>().error.hint).toBe('send "confirm": "team/models-billing" to confirm');
    expect(removed.json<RemoveRepositoryResponse>()).toEqual(
      expect.objectContaining({
        repository: 'team/models-billing',
        tokenDeleted: true,
        webhooksDeleted: 1,
        modelItemsDeleted: expect.any(Number),
      }),
    );
    expect((await admin.api('GET', `repositories/${segment(billing.uuid)}`)).status).toBe(404);
    expect(billing.webhooks.filter((hook) => hook.active)).toHaveLength(0);
  });

  it('lists the dead-letter queue and the admin trail', async () => {
    expect((await admin.api('GET', 'dlq')).json()).toEqual({ messages: [], inFlight: 0 });
    const actions = (await admin.api('GET', 'events?kind=admin&limit=100')).json<EventsResponse>().events.map((event) => event.outcome);
    expect(actions).toEqual(expect.arrayContaining(['add', 'sync', 'rotate-secret', 'finish-rotation', 'update', 'remove']));
  });
});
