import { encodePath, endpointUrl, repositoryName, repositoryParams, splitFullName } from '../../../../shared/bitbucket/bitbucket-endpoints';
import { fullJitterBackoff, parseRetryAfter } from '../../../../shared/bitbucket/bitbucket-transport';
import { toFileChange } from '../../../../shared/bitbucket/bitbucket-resources';

/** URL building, backoff arithmetic and diffstat mapping: the client's pure parts. */
describe('Bitbucket endpoints', () => {
  const base = 'https://api.example.test/2.0';

  it('fills the template with encoded parameters and only the declared query parameters', () => {
    const url = endpointUrl(
      base,
      'src',
      { ...splitFullName('my ws/repo'), commit: 'abc', path: encodePath('dir a/b#c.hck.json') },
      { max_depth: '3' },
    );
    expect(url).toBe('https://api.example.test/2.0/repositories/my%20ws/repo/src/abc/dir%20a/b%23c.hck.json?max_depth=3');
  });

  it('refuses a query parameter the endpoint does not declare, and a missing path parameter', () => {
    expect(() => endpointUrl(base, 'repository', splitFullName('a/b'), { pagelen: '10' })).toThrow(/not declared/);
    expect(() => endpointUrl(base, 'branch', splitFullName('a/b'))).toThrow(/missing URL parameter name/);
  });

  it('accepts only workspace/repo_slug as a repository name', () => {
    expect(splitFullName('acme/models')).toEqual({ workspace: 'acme', repo_slug: 'models' });
    for (const bad of ['acme', 'acme/', '/models', 'a/b/c']) expect(() => splitFullName(bad)).toThrow(TypeError);
  });

  describe('addressing a repository', () => {
    const uuid = '{3deb8c29-778a-450c-8f69-3e50a18079df}';
    const workspaceUuid = '{7d3a178a-a087-4756-b2da-2f9eadf50ba8}';
    const byUuids = '/repositories/%7B7d3a178a-a087-4756-b2da-2f9eadf50ba8%7D/%7B3deb8c29-778a-450c-8f69-3e50a18079df%7D';

    it('uses the braced, percent-encoded uuids of workspace and repository when both are known, in every endpoint', () => {
      const params = repositoryParams({ fullName: 'acme/old-name', uuid, workspaceUuid });
      expect(params).toEqual({
        workspace: '%7B7d3a178a-a087-4756-b2da-2f9eadf50ba8%7D',
        repo_slug: '%7B3deb8c29-778a-450c-8f69-3e50a18079df%7D',
      });
      expect(endpointUrl(base, 'repository', params)).toBe(`${base}${byUuids}`);
      expect(endpointUrl(base, 'branch', { ...params, name: encodePath('feature/x') })).toBe(`${base}${byUuids}/refs/branches/feature/x`);
      expect(endpointUrl(base, 'diffstat', { ...params, spec: 'a..b' }, { topic: 'false' })).toBe(
        `${base}${byUuids}/diffstat/a..b?topic=false`,
      );
      expect(endpointUrl(base, 'src', { ...params, commit: 'abc', path: '' })).toBe(`${base}${byUuids}/src/abc/`);
      expect(endpointUrl(base, 'deleteHook', { ...params, uid: encodeURIComponent('{h}') })).toBe(`${base}${byUuids}/hooks/%7Bh%7D`);
    });

    it('falls back to the full name without both uuids, or with a malformed one', () => {
      const byName = { workspace: 'acme', repo_slug: 'models' };
      expect(repositoryParams('acme/models')).toEqual(byName);
      expect(repositoryParams({ fullName: 'acme/models', uuid })).toEqual(byName);
      expect(repositoryParams({ fullName: 'acme/models', workspaceUuid })).toEqual(byName);
      expect(repositoryParams({ fullName: 'acme/models', uuid: '{../../x}', workspaceUuid })).toEqual(byName);
      expect(repositoryParams({ fullName: 'acme/models', uuid: uuid.slice(1, -1), workspaceUuid })).toEqual(byName);
      expect(() => repositoryParams({ fullName: 'acme', uuid })).toThrow(TypeError);
    });

    it('names the repository by its full name for messages, never by its uuids', () => {
      expect(repositoryName({ fullName: 'acme/models', uuid, workspaceUuid })).toBe('acme/models');
      expect(repositoryName('acme/models')).toBe('acme/models');
    });
  });

  it('keeps slashes literal in paths and encodes everything else per segment', () => {
    expect(encodePath('feature/x y/%')).toBe('feature/x%20y/%25');
  });
});

describe('full-jitter backoff', () => {
  it('scales random() by the doubling step, capped at maxDelayMs', () => {
    expect(fullJitterBackoff(1, 500, 20_000, () => 0.5)).toBe(250);
    expect(fullJitterBackoff(3, 500, 20_000, () => 0.5)).toBe(1000);
    expect(fullJitterBackoff(10, 500, 20_000, () => 0.999)).toBe(19_980);
    expect(fullJitterBackoff(4, 500, 20_000, () => 0)).toBe(0);
  });
});

describe('parseRetryAfter', () => {
  it('reads delta-seconds, HTTP dates and ignores garbage', () => {
    expect(parseRetryAfter('7')).toBe(7_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
    const inTenSeconds = new Date(Date.now() + 10_000).toUTCString();
    const parsed = parseRetryAfter(inTenSeconds) as number;
    expect(parsed).toBeGreaterThan(8_000);
    expect(parsed).toBeLessThanOrEqual(10_000);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
  });

  it('reads delta-seconds and HTTP dates, and ignores what it cannot parse', () => {
    expect(parseRetryAfter('120')).toBe(120_000);
    expect(parseRetryAfter(' 0 ')).toBe(0);
    expect(parseRetryAfter(new Date(Date.now() - 60_000).toUTCString())).toBe(0);
    expect(parseRetryAfter(new Date(Date.now() + 3_600_000).toUTCString())).toBeGreaterThan(3_500_000);
    expect(parseRetryAfter(undefined)).toBeUndefined();
    expect(parseRetryAfter('soon')).toBeUndefined();
  });
});

describe('toFileChange', () => {
  it('keeps the paths each status has and reports unknown statuses as modified', () => {
    expect(toFileChange({ status: 'added', new: { path: 'a' }, old: null, lines_added: 3, lines_removed: 0 })).toEqual({
      status: 'added',
      newPath: 'a',
      linesAdded: 3,
      linesRemoved: 0,
    });
    expect(toFileChange({ status: 'removed', old: { path: 'a' }, new: null })).toEqual({ status: 'removed', oldPath: 'a' });
    expect(toFileChange({ status: 'renamed', old: { path: 'a' }, new: { path: 'b' } })).toEqual({
      status: 'renamed',
      oldPath: 'a',
      newPath: 'b',
    });
    expect(toFileChange({ status: 'merge conflict', old: { path: 'a' }, new: { path: 'a' } })).toEqual({
      status: 'modified',
      oldPath: 'a',
      newPath: 'a',
    });
  });
});
