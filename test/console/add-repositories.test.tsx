import type { WorkspaceRepositoriesResponse } from '../../shared/admin/api-types';
import { ApiError } from '../../console/api/client';
import { AddRepositories, filterCandidates } from '../../console/screens/add-repositories';
import { byText, click, renderWith, scriptedApi, type } from './support';

const candidate = (slug: string, added = false) => ({
  uuid: `{${slug}}`,
  fullName: `acme/${slug}`,
  slug,
  name: slug,
  mainBranch: 'main',
  added,
});
const workspace: WorkspaceRepositoriesResponse = {
  workspace: 'acme',
  repositories: [candidate('billing-models'), candidate('data-models', true), candidate('website'), candidate('hr-models')],
  messages: [],
};

beforeEach(() => window.localStorage.clear());

async function listed(scripted = scriptedApi({ 'POST /workspace-repositories': workspace })) {
  const view = await renderWith(scripted, <AddRepositories />);
  await type(view.container.querySelector<HTMLInputElement>('#access-token')!, 'a-token-for-tests-123');
  await type(view.container.querySelector<HTMLInputElement>('#workspace')!, 'acme');
  await click(byText(view.container, 'button', 'List repositories'));
  return { view, scripted };
}

const shownNames = (root: HTMLElement) =>
  [...root.querySelectorAll('.candidate-list li')].map((item) => item.textContent?.replace(/ · main| added/g, '').trim());

describe('the add flow', () => {
  it('lists the workspace with the token in the body, filters as the admin types, and marks added ones', async () => {
    const { view, scripted } = await listed();

    expect(scripted.calls[0]).toEqual({
      route: 'POST /workspace-repositories',
      body: { workspace: 'acme', token: 'a-token-for-tests-123' },
      query: undefined,
    });
    expect(shownNames(view.container)).toEqual(['acme/billing-models', 'acme/data-models', 'acme/website', 'acme/hr-models']);
    await type(view.container.querySelector<HTMLInputElement>('#candidate-filter')!, 'mod');
    expect(shownNames(view.container)).toEqual(['acme/billing-models', 'acme/data-models', 'acme/hr-models']);
    await type(view.container.querySelector<HTMLInputElement>('#candidate-filter')!, 'mod bill');
    expect(shownNames(view.container)).toEqual(['acme/billing-models']);
    await type(view.container.querySelector<HTMLInputElement>('#candidate-filter')!, 'nothing');
    expect(view.container.textContent).toContain('No repository of acme matches “nothing”');
    view.unmount();
  });

  it('adds the ticked repositories with one token and follows each initial sync', async () => {
    const scripted = scriptedApi({
      'POST /workspace-repositories': workspace,
      'POST /repositories': {
        results: [
          {
            repository: 'acme/billing-models',
            uuid: '{billing-models}',
            result: 'added',
            webhook: null,
            sync: { requestUuid: 'r-1', outcome: 'queued' },
          },
          {
            repository: 'acme/hr-models',
            uuid: null,
            result: 'failed',
            error: {
              message: 'Bitbucket refused the token for acme/hr-models',
              hint: 'give it the webhook scope',
              code: 'bitbucket-refused',
            },
          },
        ],
        messages: [],
      },
      'GET /repositories/%7Bbilling-models%7D/syncs/r-1': {
        state: 'running',
        progress: { done: 2, total: 5, mode: 'full', toCommit: 'abc' },
        result: null,
        error: null,
      },
    });
    const { view } = await listed(scripted);
    expect(candidateBox(view.container, 'acme/data-models')!.disabled).toBe(true);

    await click(candidateBox(view.container, 'acme/billing-models')!);
    await click(candidateBox(view.container, 'acme/hr-models')!);
    const add = byText<HTMLButtonElement>(view.container, 'button', 'Add 2 repositories');
    await click(add);

    expect(scripted.calls.find((call) => call.route === 'POST /repositories')!.body).toEqual({
      repositories: ['acme/billing-models', 'acme/hr-models'],
      token: 'a-token-for-tests-123',
      pattern: '*.hck.json',
      createWebhook: true,
    });
    const results = view.container.querySelector('[aria-labelledby=add-results-title]')!;
    expect(results.textContent).toContain('running: 2/5 files');
    expect(results.textContent).toContain('Bitbucket refused the token for acme/hr-models');
    expect(results.textContent).toContain('Next: give it the webhook scope');
    expect(window.localStorage.getItem('model-hub-console.followed-syncs')).toContain('"requestUuid":"r-1"');
    expect(window.localStorage.getItem('model-hub-console.followed-syncs')).not.toContain('a-token-for-tests-123');
    view.unmount();
  });

  it('says what Bitbucket refused when listing fails', async () => {
    const { view } = await listed(
      scriptedApi({
        'POST /workspace-repositories': new ApiError(
          'the token cannot list workspace acme',
          'use a workspace access token',
          'bitbucket-refused',
          422,
        ),
      }),
    );

    expect(view.container.querySelector('[role=alert]')!.textContent).toContain('the token cannot list workspace acme');
    expect(view.container.querySelector('.candidate-list')).toBeNull();
    view.unmount();
  });

  it('matches every word of the filter, in any case', () => {
    expect(filterCandidates(workspace.repositories, 'MODELS hr').map((each) => each.slug)).toEqual(['hr-models']);
    expect(filterCandidates(workspace.repositories, '  ')).toHaveLength(4);
  });
});

function candidateBox(root: HTMLElement, fullName: string): HTMLInputElement | undefined {
  return (
    [...root.querySelectorAll<HTMLLabelElement>('.candidate-list label')]
      .find((label) => label.textContent?.includes(fullName))
      ?.querySelector('input') ?? undefined
  );
}
