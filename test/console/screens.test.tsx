import type { DashboardResponse, EventListingJson, ProviderResponse } from '../../shared/admin/api-types';
import { ApiError } from '../../console/api/client';
import { App } from '../../console/app';
import { SyncTracker } from '../../console/components/sync-progress';
import { Dashboard } from '../../console/screens/dashboard';
import { DeadLetters } from '../../console/screens/dead-letters';
import { Events } from '../../console/screens/events';
import { Provider } from '../../console/screens/provider';
import { webhookHealth } from '../../console/screens/repository-detail';
import { followSync } from '../../console/sync-tracker';
import { byText, choose, click, renderWith, scriptedApi } from './support';

beforeEach(() => {
  window.localStorage.clear();
  window.location.hash = '';
});

const provider: ProviderResponse = {
  provider: 'bitbucket-cloud',
  hub: 'local hub',
  webhookUrl: 'http://127.0.0.1:3000/gateway/public/sync',
  webhookEvents: ['repo:push'],
  webhookSecretId: 'model-hub/webhook-secret',
  secretSet: true,
  rotation: { inProgress: false, since: null, safeAfter: null },
  bitbucketApiUrl: 'http://127.0.0.1:7990/2.0',
  repositories: 2,
  tokens: [{ tokenId: 't-1', secretName: 'model-hub/tokens/t-1', repositories: ['acme/a', 'acme/b'] }],
};

describe('the Git Provider tab', () => {
  it('shows the webhook URL, the secret’s state and the stored tokens, never a token', async () => {
    const view = await renderWith(scriptedApi({ 'GET /provider': provider }), <Provider />);

    expect(view.container.querySelector<HTMLInputElement>('#webhook-url')!.value).toBe(provider.webhookUrl);
    expect(view.container.textContent).toContain('model-hub/tokens/t-1: acme/a, acme/b');
    view.unmount();
  });

  it('sets up Bitbucket Cloud: the webhook URL, then the add flow', async () => {
    const view = await renderWith(scriptedApi({ 'GET /provider': provider }), <Provider />);

    await click(byText(view.container, 'button', '+ setup Git Provider'));
    await choose(view.container.querySelector<HTMLSelectElement>('#provider-kind')!, 'bitbucket-cloud');

    expect(view.container.querySelector<HTMLInputElement>('#setup-webhook-url')!.value).toBe(provider.webhookUrl);
    expect(view.container.querySelector('#access-token')).not.toBeNull();
    expect(view.container.querySelector('#workspace')).not.toBeNull();
    view.unmount();
  });

  it('shows a rotated secret once, then waits out the verifiers’ cache before updating webhooks', async () => {
    const safeAfter = new Date(Date.now() + 300_000).toISOString();
    const scripted = scriptedApi({
      'GET /provider': provider,
      'POST /provider/rotate-secret': {
        secret: 'a-new-webhook-secret-0123456789',
        rotatedAt: new Date().toISOString(),
        previousAccepted: true,
        safeAfter,
        messages: [],
      },
    });
    const view = await renderWith(scripted, <Provider />);

    await click(byText(view.container, 'button', 'Rotate webhook secret'));
    scripted.answer('GET /provider', { ...provider, rotation: { inProgress: true, since: new Date().toISOString(), safeAfter } });
    await click(byText(view.container, 'button', 'Rotate'));

    expect(view.container.querySelector<HTMLInputElement>('#new-secret')!.value).toBe('a-new-webhook-secret-0123456789');
    expect(view.container.textContent).toContain('Shown this once.');
    await click(byText(view.container, 'button', 'Done'));
    expect(view.container.textContent).not.toContain('a-new-webhook-secret-0123456789');
    expect(view.container.querySelector('#new-secret')).toBeNull();
    expect(view.container.textContent).toMatch(/Every verifier knows the new secret in \d+ s/);
    expect(byText<HTMLButtonElement>(view.container, 'button', 'Update webhooks').disabled).toBe(true);
    expect(byText<HTMLButtonElement>(view.container, 'button', 'Finish rotation').disabled).toBe(true);
    view.unmount();
  });

  it('says which webhook could not be updated', async () => {
    const scripted = scriptedApi({
      'GET /provider': {
        ...provider,
        rotation: { inProgress: true, since: '2026-01-01T00:00:00.000Z', safeAfter: '2026-01-01T00:05:00.000Z' },
      },
      'POST /provider/update-webhooks': {
        webhooks: [{ repository: 'acme/b', result: 'failed', error: 'token refused' }],
        problem: {
          message: 'the webhook of acme/b could not be updated',
          hint: 'replace its token, then update the webhooks again',
          code: 'bitbucket-refused',
        },
        messages: ['  acme/a: webhook secret updated', '  acme/b: FAILED: token refused'],
      },
    });
    const view = await renderWith(scripted, <Provider />);

    await click(byText(view.container, 'button', 'Update webhooks'));

    expect(view.container.querySelector('[role=alert]')!.textContent).toContain('Next: replace its token, then update the webhooks again');
    expect(view.container.textContent).toContain('acme/b: FAILED: token refused');
    view.unmount();
  });
});

describe('long actions', () => {
  it('follows a sync started before a reload until it ends, then stops asking', async () => {
    followSync({ uuid: '{u}', repository: 'acme/a', requestUuid: 'r-9', action: 'Verify', startedAt: '2026-12-05T10:00:00.000Z' });
    const scripted = scriptedApi({
      'GET /repositories/%7Bu%7D/syncs/r-9': {
        state: 'finished',
        progress: null,
        result: { outcome: 'synced', commit: 'c3d4e5f6a7', counts: { added: 0, updated: 1, removed: 0, renamed: 0, invalid: 0 } },
        error: null,
      },
    });

    const view = await renderWith(scripted, <SyncTracker />);

    expect(view.container.textContent).toContain('acme/a · Verify');
    expect(view.container.textContent).toContain('finished: synced at c3d4e5f (~1)');
    const asked = scripted.calls.length;
    await click(byText(view.container, 'button', 'Dismiss acme/a: Verify'));
    expect(view.container.textContent).toBe('');
    expect(scripted.calls.length).toBeLessThanOrEqual(asked + 1);
    view.unmount();
  });

  it('shows a failed sync’s reason and next step', async () => {
    followSync({ uuid: '{u}', repository: 'acme/a', requestUuid: 'r-1', action: 'Initial sync', startedAt: '' });
    const error = { message: 'Bitbucket answered 403 for acme/a', hint: 'give the token the repository scope', code: 'bitbucket-refused' };
    const view = await renderWith(
      scriptedApi({ 'GET /repositories/%7Bu%7D/syncs/r-1': { state: 'failed', progress: null, result: null, error } }),
      <SyncTracker />,
    );

    expect(view.container.querySelector('[role=alert]')!.textContent).toContain('Next: give the token the repository scope');
    view.unmount();
  });
});

describe('the Dashboard and Events', () => {
  it('shows providers, repositories synced, the last committed repository and recent activity', async () => {
    const entry = {
      time: '2026-12-05T10:00:00.000Z',
      repository: 'acme/data-models',
      repositoryUuid: '{u}',
      outcome: 'synced',
      branch: 'main',
      fromCommit: 'a1b2c3d4e5',
      toCommit: 'f6e5d4c3b2',
      counts: { added: 1, updated: 0, removed: 0, renamed: 0, invalid: 0 },
      requestUuid: 'r-1',
    };
    const dashboard: DashboardResponse = {
      providers: { configured: 1, bitbucketCloud: { secretSet: true, rotationInProgress: false, webhookUrl: 'x' } },
      repositories: { total: 2, byStatus: { synced: 1, syncing: 1, pending: 0, failed: 0, 'rate-limited': 0, empty: 0, blocked: 0 } },
      lastCommitted: entry,
      recentActivity: [entry],
    };
    const view = await renderWith(scriptedApi({ 'GET /dashboard': dashboard }), <Dashboard />);

    expect(view.container.querySelector('[aria-labelledby=card-repositories]')!.textContent).toContain('1 / 2');
    expect(view.container.querySelector('[aria-labelledby=card-repositories]')!.textContent).toContain('1 syncing');
    expect(view.container.querySelector('[aria-labelledby=card-last]')!.textContent).toContain('acme/data-models');
    expect(view.container.querySelector('[aria-labelledby=activity-title]')!.textContent).toContain('a1b2c3d..f6e5d4c');
    view.unmount();
  });

  it('filters events, and opens every event of a request', async () => {
    const event = (kind: string, outcome: string, details: Record<string, unknown> = {}): EventListingJson => ({
      time: '2026-12-05T10:00:00.000Z',
      kind,
      repository: 'acme/a',
      outcome,
      reason: null,
      requestUuid: 'r-7',
      count: 1,
      details,
    });
    const scripted = scriptedApi({
      'GET /events': { events: [event('sync', 'synced', { toCommit: 'f6e5d4c3b2', counts: { added: 2 } }), event('delivery', 'queued')] },
      'GET /repositories': {
        repositories: [
          {
            repository: 'acme/a',
            uuid: '{u}',
            branch: 'main',
            syncedCommit: null,
            status: 'synced',
            lastSyncAt: null,
            models: 0,
            modelPattern: '*',
          },
        ],
      },
      'GET /dlq': { messages: [], inFlight: 0 },
      'GET /events/requests/r-7': { requestUuid: 'r-7', events: [event('delivery', 'queued', { commit: 'f6e5d4c3b2', attempt: 1 })] },
    });
    const view = await renderWith(scripted, <Events request="r-7" repository="{u}" />);

    expect(view.container.querySelector('table[aria-label=Events]')!.textContent).toContain('+2');
    expect(view.container.querySelector('table[aria-label=Events] a')!.getAttribute('href')).toBe(
      '#/events?repository=%7Bu%7D&request=r-7',
    );
    expect(scripted.calls.find((call) => call.route === 'GET /events/requests/r-7')!.query).toEqual({ repository: '{u}' });
    expect(view.container.querySelector('[aria-labelledby=request-title]')!.textContent).toContain('commitf6e5d4c3b2');
    const failedOnly = byText(view.container, 'label', /Failed only/).querySelector('input')!;
    await click(failedOnly);
    expect(scripted.calls.filter((call) => call.route === 'GET /events').at(-1)!.query).toMatchObject({ failed: true, since: '24h' });
    view.unmount();
  });
});

describe('the dead-letter queue', () => {
  it('lists the failed requests with their attempts and sends them back', async () => {
    const letter = {
      messageId: 'm-1',
      repository: 'acme/a',
      repositoryUuid: '{u}',
      trigger: 'push',
      requestUuid: 'r-1',
      requestedAt: '2026-12-05T10:00:00.000Z',
      receiveCount: 5,
      sentAt: null,
      attempts: 5,
      lastReason: 'Bitbucket answered 503',
    };
    const scripted = scriptedApi({
      'GET /dlq': { messages: [letter], inFlight: 0 },
      'POST /dlq/redrive': { moved: 1, redriven: [letter], messages: ['moved 1 message back'] },
    });
    const view = await renderWith(scripted, <DeadLetters />);

    expect(view.container.querySelector('[aria-label="Dead letters"]')!.textContent).toContain('5 attempts, last: Bitbucket answered 503');
    scripted.answer('GET /dlq', { messages: [], inFlight: 0 });
    await click(byText(view.container, 'button', 'Send them back to the sync queue'));

    expect(scripted.calls.filter((call) => call.route === 'POST /dlq/redrive')).toHaveLength(1);
    expect(view.container.textContent).toContain('1 moved back to the sync queue');
    expect(view.container.textContent).toContain('no sync request failed five times');
    view.unmount();
  });
});

describe('the console’s frame', () => {
  it('says how to sign in instead of showing empty screens when there is no session', async () => {
    const api = scriptedApi();
    api.session = () =>
      Promise.reject(
        new ApiError('you are not signed in, or your session ended', 'open the login URL that `npm start` printed', 'unauthenticated', 401),
      );

    const view = await renderWith(api, <App api={api} />);

    expect(view.container.querySelector('[role=alert]')!.textContent).toContain('Next: open the login URL');
    expect(view.container.querySelector('[aria-labelledby=dashboard-title]')).toBeNull();
    view.unmount();
  });

  it('judges a webhook healthy only when Bitbucket has it active, to the hub, for pushes, with a secret', () => {
    const present = { state: 'present' as const, active: true, urlMatches: true, eventsMatch: true, secretSet: true };
    expect(webhookHealth(present).healthy).toBe(true);
    expect(webhookHealth({ ...present, secretSet: false }).text).toBe('it has no secret');
    expect(webhookHealth({ state: 'missing' }).healthy).toBe(false);
  });
});
