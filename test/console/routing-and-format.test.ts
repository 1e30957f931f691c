import { buildTree } from '../../console/model-tree';
import { href, parseRoute, type Route } from '../../console/router';
import { secondsUntil, shownCommits, shownCounts, shownEventDetail, shownRepository, shownStatus } from '../../console/format';

describe('console addresses', () => {
  const routes: Route[] = [
    { screen: 'dashboard' },
    { screen: 'provider' },
    { screen: 'repositories' },
    { screen: 'add-repositories' },
    { screen: 'repository', uuid: '{1c7e-uuid}' },
    { screen: 'events', repository: '{1c7e-uuid}', request: 'req-1' },
    { screen: 'models', uuid: '{1c7e-uuid}', path: 'models/a b/ü#1.hck.json' },
    { screen: 'models', q: 'customer' },
  ];

  it.each(routes)('round-trips %j through the address bar', (route) => {
    const parsed = parseRoute(href(route));
    expect(Object.fromEntries(Object.entries(parsed).filter(([, value]) => value !== undefined))).toEqual(route);
  });

  it('lands on the dashboard for an empty or unknown address', () => {
    expect(parseRoute('')).toEqual({ screen: 'dashboard' });
    expect(parseRoute('#/nowhere')).toEqual({ screen: 'dashboard' });
  });
});

describe('the CLI’s columns', () => {
  it('shows what a run changed as `events` does', () => {
    expect(shownCounts({ added: 2, updated: 1, removed: 1, renamed: 0, invalid: 0 })).toBe('+2 ~1 -1');
    expect(shownCounts({ added: 0, updated: 0, removed: 0, renamed: 1, invalid: 1 })).toBe('↷1 !1');
    expect(shownCounts({ added: 0, updated: 0, removed: 0, renamed: 0, invalid: 0 })).toBe('0');
    expect(shownCommits(null, 'c3d4e5f6a7')).toBe('..c3d4e5f');
    expect(shownCommits('a1b2c3d4', 'c3d4e5f6a7')).toBe('a1b2c3d..c3d4e5f');
  });

  it('shows statuses, repositories and details as `repo list` and `events` do', () => {
    expect(shownStatus('syncing', { done: 3, total: 10 })).toBe('syncing 3/10');
    expect(shownStatus('failed', undefined, 'token refused')).toBe('failed: token refused');
    expect(shownRepository({ repository: null })).toBe('(unattributed)');
    expect(shownRepository({ repository: 'acme/a', removed: true })).toBe('acme/a (removed)');
    const base = { time: '', repository: 'acme/a', requestUuid: null, details: {} };
    expect(shownEventDetail({ ...base, kind: 'delivery', outcome: 'rejected', reason: 'invalid signature', count: 42 })).toBe(
      'invalid signature ×42',
    );
    expect(
      shownEventDetail({ ...base, kind: 'admin', outcome: 'remove', reason: null, count: 1, details: { actor: 'local user ada' } }),
    ).toBe('by local user ada');
  });

  it('counts down to a time, never below zero', () => {
    expect(secondsUntil('2026-01-01T00:05:00.000Z', Date.parse('2026-01-01T00:00:00.000Z'))).toBe(300);
    expect(secondsUntil('2026-01-01T00:00:00.000Z', Date.parse('2026-01-01T00:00:01.000Z'))).toBe(0);
    expect(secondsUntil(null)).toBe(0);
  });
});

describe('the model tree', () => {
  it('puts models in their folders, folders first, sorted', () => {
    const tree = buildTree(['models/b.hck.json', 'top.hck.json', 'models/archive/a.hck.json', 'models/a.hck.json']);

    expect(tree.files).toEqual(['top.hck.json']);
    expect(tree.folders.map((folder) => folder.path)).toEqual(['models/']);
    expect(tree.folders[0]!.files).toEqual(['models/a.hck.json', 'models/b.hck.json']);
    expect(tree.folders[0]!.folders[0]).toMatchObject({ name: 'archive', path: 'models/archive/', files: ['models/archive/a.hck.json'] });
  });
});
