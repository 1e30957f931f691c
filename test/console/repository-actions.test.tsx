import type { RepositoryListingJson } from '../../shared/admin/api-types';
import { Repositories } from '../../console/screens/repositories';
import { ApiError } from '../../console/api/client';
import { byText, click, press, renderWith, scriptedApi, type } from './support';

const listing: RepositoryListingJson = {
  repository: 'acme/data-models',
  uuid: '{5b2c}',
  branch: 'main',
  syncedCommit: 'c3d4e5f6a7b8',
  status: 'syncing',
  lastSyncAt: '2026-12-05T10:00:00.000Z',
  models: 4,
  modelPattern: '*.hck.json',
  progress: { done: 3, total: 10 },
};
const queued = (requestUuid: string) => ({
  repository: 'acme/data-models',
  uuid: '{5b2c}',
  requestUuid,
  requestedAt: '2026-12-05T10:01:00.000Z',
  messages: [],
});

function api() {
  return scriptedApi({
    'GET /repositories': { repositories: [listing] },
    'POST /repositories/%7B5b2c%7D/sync': (body: unknown) => queued(`sync-${JSON.stringify(body)}`),
    'POST /repositories/%7B5b2c%7D/verify': queued('verify-1'),
    'GET /repositories/%7B5b2c%7D/syncs/verify-1': { state: 'queued', progress: null, result: null, error: null },
  });
}

beforeEach(() => window.localStorage.clear());

describe('the Repositories tab', () => {
  it('lists each repository with its branch, commit and status, progress while syncing', async () => {
    const view = await renderWith(api(), <Repositories />);

    const row = view.container.querySelector('tr[data-repository="acme/data-models"]')!;
    expect(row.textContent).toContain('main');
    expect(row.textContent).toContain('c3d4e5f');
    expect(row.textContent).toContain('syncing 3/10');
    expect(row.querySelector('progress')!.getAttribute('value')).toBe('3');
    view.unmount();
  });

  it('opens the menu from the keyboard, moves with the arrows and closes with Escape back on its button', async () => {
    const view = await renderWith(api(), <Repositories />);
    const button = byText(view.container, 'button', 'Actions for acme/data-models');

    await click(button);
    const items = [...view.container.querySelectorAll<HTMLButtonElement>('[role=menuitem]')];
    expect(items.map((item) => item.textContent)).toEqual([
      'Synchronize recent changes',
      'Synchronize entire repository',
      'Synchronize from commit hash',
      'Verify',
      'Update pattern or token…',
      'Remove…',
    ]);
    expect(document.activeElement).toBe(items[0]);
    await press(items[0]!, 'ArrowDown');
    expect(document.activeElement).toBe(items[1]);
    await press(items[1]!, 'ArrowUp');
    await press(items[0]!, 'ArrowUp');
    expect(document.activeElement).toBe(items.at(-1));
    await press(items.at(-1)!, 'Escape');
    expect(view.container.querySelector('[role=menu]')).toBeNull();
    expect(document.activeElement).toBe(button);
    view.unmount();
  });

  it('queues "Synchronize entire repository" and follows it across a reload', async () => {
    const scripted = api();
    const view = await renderWith(scripted, <Repositories />);

    await click(byText(view.container, 'button', 'Actions for acme/data-models'));
    await click(byText(view.container, '[role=menuitem]', 'Synchronize entire repository'));

    expect(scripted.calls.find((call) => call.route.startsWith('POST'))).toEqual({
      route: 'POST /repositories/%7B5b2c%7D/sync',
      body: { mode: 'entire' },
      query: undefined,
    });
    const followed = JSON.parse(window.localStorage.getItem('model-hub-console.followed-syncs')!) as Array<{
      requestUuid: string;
      action: string;
    }>;
    expect(followed).toEqual([expect.objectContaining({ requestUuid: 'sync-{"mode":"entire"}', action: 'Synchronize entire repository' })]);
    view.unmount();
  });

  it('asks for a commit hash, refusing one that is not hexadecimal', async () => {
    const scripted = api();
    const view = await renderWith(scripted, <Repositories />);
    await click(byText(view.container, 'button', 'Actions for acme/data-models'));
    await click(byText(view.container, '[role=menuitem]', 'Synchronize from commit hash'));
    const input = view.container.querySelector<HTMLInputElement>('#from-commit')!;
    const submit = byText<HTMLButtonElement>(view.container, 'button', 'Synchronize from this commit');

    expect(document.activeElement).toBe(input);
    await type(input, 'not-a-hash');
    expect(submit.disabled).toBe(true);
    expect(view.container.textContent).toContain('A commit hash has 7 to 40 characters');
    await type(input, 'a1b2c3d');
    await click(submit);

    expect(scripted.calls.filter((call) => call.route.startsWith('POST'))).toEqual([
      { route: 'POST /repositories/%7B5b2c%7D/sync', body: { mode: 'from-commit', fromCommit: 'a1b2c3d' }, query: undefined },
    ]);
    expect(view.container.querySelector('[role=dialog]')).toBeNull();
    view.unmount();
  });

  it('removes only after the repository’s name is typed, and shows what the hub did', async () => {
    const scripted = api();
    scripted.answer('POST /repositories/%7B5b2c%7D/remove', {
      repository: 'acme/data-models',
      uuid: '{5b2c}',
      modelItemsDeleted: 12,
      tokenDeleted: true,
      webhooksDeleted: 1,
      messages: ['deleted the hub webhook in Bitbucket', 'removed acme/data-models and 12 stored items'],
    });
    const view = await renderWith(scripted, <Repositories />);
    await click(byText(view.container, 'button', 'Actions for acme/data-models'));
    await click(byText(view.container, '[role=menuitem]', 'Remove…'));
    const remove = byText<HTMLButtonElement>(view.container, 'button', 'Remove repository');

    expect(remove.disabled).toBe(true);
    await type(view.container.querySelector<HTMLInputElement>('#confirm-remove')!, 'acme/data');
    expect(remove.disabled).toBe(true);
    await type(view.container.querySelector<HTMLInputElement>('#confirm-remove')!, 'acme/data-models');
    await click(remove);

    expect(scripted.calls.filter((call) => call.route.startsWith('POST')).at(-1)).toEqual({
      route: 'POST /repositories/%7B5b2c%7D/remove',
      body: { confirm: 'acme/data-models', keepModels: false, keepWebhook: false },
      query: undefined,
    });
    expect(view.container.textContent).toContain('removed acme/data-models and 12 stored items');
    view.unmount();
  });

  it('shows a refused action as what went wrong and what to do next', async () => {
    const scripted = api();
    scripted.answer(
      'POST /repositories/%7B5b2c%7D/verify',
      new ApiError('acme/data-models is being removed', 'wait for the removal to finish', 'conflict', 409),
    );
    const view = await renderWith(scripted, <Repositories />);
    await click(byText(view.container, 'button', 'Actions for acme/data-models'));
    await click(byText(view.container, '[role=menuitem]', 'Verify'));

    const alert = view.container.querySelector('[role=alert]')!;
    expect(alert.textContent).toContain('acme/data-models is being removed');
    expect(alert.textContent).toContain('Next: wait for the removal to finish');
    view.unmount();
  });
});
