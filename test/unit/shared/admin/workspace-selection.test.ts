import { candidatesOf, globToRegExp, matchCandidates } from '../../../../shared/admin/workspace-selection';
import type { WorkspaceRepository } from '../../../../shared/bitbucket/bitbucket-workspace';

const repository = (fullName: string, uuid = `{${fullName}}`): WorkspaceRepository => {
  const slug = fullName.split('/')[1]!;
  return { uuid, fullName, slug, name: slug, mainBranch: 'main' };
};

describe('workspace selection', () => {
  const listing = [
    repository('team/website'),
    repository('team/models-sales'),
    repository('other/models-x'),
    repository('team/models-billing'),
  ];

  it('sorts the workspace by slug, marks added repositories by uuid, and leaves other workspaces out', () => {
    const candidates = candidatesOf(
      listing,
      [{ uuid: '{team/models-sales}', fullName: 'team/old-name', modelPattern: '*', addedAt: '' }],
      'Team',
    );

    expect(candidates.map((candidate) => [candidate.repository.fullName, candidate.added])).toEqual([
      ['team/models-billing', false],
      ['team/models-sales', true],
      ['team/website', false],
    ]);
  });

  it('matches slugs with *, ? and [sets], case-insensitively, whole slug only', () => {
    const candidates = candidatesOf(listing, [], 'team');
    const slugs = (glob: string) => matchCandidates(candidates, glob).map((candidate) => candidate.repository.slug);

    expect(slugs('models-*')).toEqual(['models-billing', 'models-sales']);
    expect(slugs('MODELS-S*')).toEqual(['models-sales']);
    expect(slugs('*s?te')).toEqual(['website']);
    expect(slugs('models-[b]*')).toEqual(['models-billing']);
    expect(slugs('models-[!b]*')).toEqual(['models-sales']);
    expect(slugs('models')).toEqual([]);
    expect(slugs('*')).toHaveLength(3);
  });

  it('treats regex characters in a glob literally and refuses an unclosed [', () => {
    expect(globToRegExp('a.b+c').test('a.b+c')).toBe(true);
    expect(globToRegExp('a.b+c').test('axbbc')).toBe(false);
    expect(() => globToRegExp('models-[ab')).toThrow('unclosed [');
  });
});
