import { act } from 'preact/test-utils';
import { Models } from '../../console/screens/models';
import { byText, click, renderWith, scriptedApi } from './support';

const model = (path: string) => ({
  path,
  commit: 'f6e5d4c3b2a1',
  syncedAt: '2026-12-05T10:00:00.000Z',
  size: 50811,
  sha256: 'ab'.repeat(32),
  blobId: 'b10b',
  status: 'valid',
  modelName: 'Book store',
  dbVendor: 'AWS DynamoDB',
  appTarget: 'DYNAMODB',
  dbVersion: null,
  counts: { containers: 1, entities: 3, relationships: 0, views: 0 },
});

function api() {
  return scriptedApi({
    'GET /repositories': { repositories: [] },
    'GET /read/repositories/%7Bu%7D/models': (_body: unknown, query?: Record<string, unknown>) =>
      query?.cursor
        ? { repository: { uuid: '{u}', fullName: 'acme/a' }, models: [model('models/archive/old.hck.json')], nextCursor: null }
        : {
            repository: { uuid: '{u}', fullName: 'acme/a' },
            models: [model('models/a b/#1.hck.json'), model('top.hck.json')],
            nextCursor: 'c-2',
          },
    'GET /read/repositories/%7Bu%7D/model': { model: { ...model('models/a b/#1.hck.json'), entityNames: ['Book', 'Author', 'Order'] } },
    'GET /read/search': {
      hits: [
        {
          repository: { uuid: '{u}', fullName: 'acme/a' },
          model: { path: 'models/a b/#1.hck.json', name: 'Book store' },
          kind: 'attribute',
          name: 'isbn',
          type: 'string',
          pathInModel: ['Store', 'Book', 'isbn'],
        },
      ],
      nextCursor: null,
      notIndexed: 2,
    },
  });
}

// jsdom has no Web Crypto digest; Node.js's is the browser's API.
const webCrypto = jest.requireActual<{ webcrypto: Crypto }>('node:crypto').webcrypto;
beforeAll(() => Object.defineProperty(globalThis, 'crypto', { value: webCrypto, configurable: true }));

describe('the Models tab', () => {
  it('shows every page of a repository’s models as a folder tree', async () => {
    const view = await renderWith(api(), <Models uuid="{u}" />);

    const tree = view.container.querySelector('[aria-label="Models by folder"]')!;
    expect([...tree.querySelectorAll('summary')].map((folder) => folder.textContent)).toEqual(['models/', 'a b/', 'archive/']);
    expect([...tree.querySelectorAll('a')].map((link) => link.textContent)).toEqual(['#1.hck.json', 'old.hck.json', 'top.hck.json']);
    view.unmount();
  });

  it('shows a model’s metadata and entities, and downloads its exact bytes by path', async () => {
    const scripted = api();
    const view = await renderWith(scripted, <Models uuid="{u}" path="models/a b/#1.hck.json" />);

    expect(scripted.calls.find((call) => call.route === 'GET /read/repositories/%7Bu%7D/model')!.query).toEqual({
      path: 'models/a b/#1.hck.json',
    });
    expect(view.container.querySelector('#model-title')!.textContent).toBe('Book store');
    expect([...view.container.querySelectorAll('[aria-label=Entities] li')].map((item) => item.textContent)).toEqual([
      'Book',
      'Author',
      'Order',
    ]);
    const saved: Array<{ href: string; download: string }> = [];
    const blobs: Blob[] = [];
    URL.createObjectURL = (blob: Blob) => {
      blobs.push(blob);
      return 'blob:model-bytes';
    };
    URL.revokeObjectURL = () => undefined;
    let savedOnce: () => void;
    const saving = new Promise<void>((resolve) => (savedOnce = resolve));
    const clickLink = jest.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      saved.push({ href: this.href, download: this.download });
      savedOnce();
    });
    const content = new Uint8Array([...'{"modelName":"Book store"}'].map((character) => character.charCodeAt(0)));
    const digest = new Uint8Array(await webCrypto.subtle.digest('SHA-256', content));
    const recorded = {
      'x-model-sha256': [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join(''),
      'x-model-size': String(content.byteLength),
    };
    scripted.answer('GET /read/repositories/%7Bu%7D/content', {
      status: 200,
      bytes: content,
      header: (name: string) => recorded[name as keyof typeof recorded] ?? null,
    });
    await click(byText(view.container, 'button', 'Download the exact bytes'));
    // Web Crypto's digest resolves outside Preact's act rounds: wait for the save itself.
    await act(() => saving);

    expect(scripted.calls.find((call) => call.route === 'GET /read/repositories/%7Bu%7D/content')!.query).toEqual({
      path: 'models/a b/#1.hck.json',
    });
    expect(view.container.querySelector('[role=alert]')?.textContent ?? '').toBe('');
    expect(saved).toEqual([{ href: 'blob:model-bytes', download: '#1.hck.json' }]);
    expect(blobs.map((blob) => blob.size)).toEqual([content.byteLength]);
    clickLink.mockRestore();
    view.unmount();
  });

  it('finds entities and attributes, each linked to its model', async () => {
    const view = await renderWith(api(), <Models q="isbn" />);

    const hit = view.container.querySelector('[aria-label="Search results"] li')!;
    expect(hit.textContent).toContain('Store › Book › isbn');
    expect(hit.querySelector('a')!.getAttribute('href')).toBe('#/models/%7Bu%7D?path=models%2Fa+b%2F%231.hck.json');
    expect(view.container.textContent).toContain('2 models have no search index yet');
    view.unmount();
  });
});
