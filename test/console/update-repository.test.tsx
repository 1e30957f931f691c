// "Update pattern or token…" from a repository's menu, against a scripted admin API: only what changed is sent, the
// token is write-only, a new pattern's sync is followed, and a refusal reads as the CLI's.
import type { RepositoryListingJson, UpdateRepositoryResponse } from '../../shared/admin/api-types';
import { ApiError } from '../../console/api/client';
import { Repositories } from '../../console/screens/repositories';
import { byText, click, renderWith, scriptedApi, type } from './support';

const listing: RepositoryListingJson = {
  repository: 'acme/data-models',
  uuid: '{5b2c}',
  branch: 'main',
  syncedCommit: 'c3d4e5f6a7b8',
  status: 'synced',
  lastSyncAt: '2026-12-05T10:00:00.000Z',
  models: 4,
  modelPattern: '*.hck.json',
};
const ROUTE = 'PATCH /repositories/%7B5b2c%7D';
const NEW_TOKEN = 'generated-token-for-this-test';

function updated(body: { pattern?: string; token?: string }): UpdateRepositoryResponse {
  return {
    repository: { ...listing, modelPattern: body.pattern ?? listing.modelPattern },
    token: body.token ? { updated: ['acme/data-models', 'acme/billing-models'], kept: ['acme/website'] } : null,
    sync: body.pattern ? { requestUuid: 'pattern-sync-1' } : null,
    messages: ['Model pattern of acme/data-models is now models/**/*.hck.json.'],
  };
}

async function openUpdate() {
  const api = scriptedApi({
    'GET /repositories': { repositories: [listing] },
    [ROUTE]: (body: unknown) => updated(body as { pattern?: string; token?: string }),
  });
  const view = await renderWith(api, <Repositories />);
  await click(byText(view.container, 'button', 'Actions for acme/data-models'));
  await click(byText(view.container, '[role=menuitem]', 'Update pattern or token…'));
  const dialog = view.container.querySelector<HTMLElement>('[role=dialog]')!;
  const field = (id: string) => dialog.querySelector<HTMLInputElement>(`#${id}`)!;
  return { api, view, dialog, pattern: field('update-pattern'), token: field('update-token') };
}

const submit = (dialog: HTMLElement) => byText<HTMLButtonElement>(dialog, 'button', 'Update repository');

beforeEach(() => window.localStorage.clear());

describe('updating a repository', () => {
  it('starts from the current pattern and sends nothing until something changes', async () => {
    const { api, view, dialog, pattern, token } = await openUpdate();

    expect(dialog.querySelector('h2')!.textContent).toBe('Update acme/data-models');
    expect(pattern.value).toBe('*.hck.json');
    expect(token.type).toBe('password');
    expect(submit(dialog).disabled).toBe(true);
    await click(submit(dialog));
    expect(api.calls.filter((call) => call.route === ROUTE)).toEqual([]);
    view.unmount();
  });

  it('sends a new pattern and a new token, follows the sync the pattern queued, and never shows the token', async () => {
    const { api, view, pattern, token, dialog } = await openUpdate();

    await type(pattern, ' models/**/*.hck.json ');
    await type(token, NEW_TOKEN);
    await click(submit(dialog));

    expect(api.calls.find((call) => call.route === ROUTE)!.body).toEqual({ pattern: 'models/**/*.hck.json', token: NEW_TOKEN });
    const result = view.container.querySelector<HTMLElement>('[role=dialog]')!;
    expect(result.querySelector('h2')!.textContent).toBe('acme/data-models updated');
    expect(result.textContent).toContain('models/**/*.hck.json');
    expect(result.textContent).toContain('acme/data-models, acme/billing-models');
    expect(result.textContent).toContain('acme/website (the new one cannot read them)');
    expect(view.container.innerHTML).not.toContain(NEW_TOKEN);
    const followed = JSON.parse(window.localStorage.getItem('model-hub-console.followed-syncs')!) as Array<{ requestUuid: string }>;
    expect(followed).toEqual([expect.objectContaining({ requestUuid: 'pattern-sync-1', action: 'Synchronize with the new pattern' })]);

    await click(byText(result, 'button', 'Close'));
    expect(view.container.querySelector('[role=dialog]')).toBeNull();
    view.unmount();
  });

  it('sends only a token when the pattern is unchanged, and follows no sync', async () => {
    const { api, view, token, dialog } = await openUpdate();

    await type(token, NEW_TOKEN);
    await click(submit(dialog));

    expect(api.calls.find((call) => call.route === ROUTE)!.body).toEqual({ token: NEW_TOKEN });
    expect(window.localStorage.getItem('model-hub-console.followed-syncs')).toBeNull();
    view.unmount();
  });

  it('shows a refusal as the CLI does, keeping the dialog open to fix it', async () => {
    const { api, view, token, dialog } = await openUpdate();
    api.answer(
      ROUTE,
      new ApiError(
        'Bitbucket refused the token for acme/data-models (401)',
        'create a token with repository read access',
        'bitbucket-refused',
        422,
      ),
    );

    await type(token, NEW_TOKEN);
    await click(submit(dialog));

    const alert = dialog.querySelector('[role=alert]')!;
    expect(alert.textContent).toContain('Bitbucket refused the token');
    expect(alert.textContent).toContain('Next: create a token with repository read access');
    expect(view.container.querySelector('[role=dialog] h2')!.textContent).toBe('Update acme/data-models');
    view.unmount();
  });
});
