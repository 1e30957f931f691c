import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneUrlFrom } from '../../../../shared/git/clone-url';

// The repository's own copy of the capture (test/fixtures), so the test runs on any clone.
const CAPTURE = join(__dirname, '../../../fixtures/bitbucket-cloud-api-captures/repository__jenkins-bbs.json');

describe('cloneUrlFrom', () => {
  test('takes the https clone link of a real Bitbucket repository object, without the user name', () => {
    const repository: unknown = JSON.parse(readFileSync(CAPTURE, 'utf8'));
    expect(cloneUrlFrom(repository)).toBe('https://bitbucket.org/nfalco79/test-repos.git');
  });

  test('drops a password too, and keeps a port (the simulator serves http on one)', () => {
    const repository = {
      links: {
        clone: [
          { name: 'ssh', href: 'git@bitbucket.org:a/b.git' },
          { name: 'https', href: 'http://u:p@127.0.0.1:7990/a/b.git' },
        ],
      },
    };
    expect(cloneUrlFrom(repository)).toBe('http://127.0.0.1:7990/a/b.git');
  });

  test.each([
    ['no links', {}],
    ['null', null],
    ['only ssh', { links: { clone: [{ name: 'ssh', href: 'git@bitbucket.org:a/b.git' }] } }],
    ['a malformed href', { links: { clone: [{ name: 'https', href: 'not a url' }] } }],
    ['another scheme', { links: { clone: [{ name: 'https', href: 'file:///etc/passwd' }] } }],
  ])('is undefined for %s', (_name, repository) => {
    expect(cloneUrlFrom(repository)).toBeUndefined();
  });
});
