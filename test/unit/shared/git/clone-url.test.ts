import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneUrlFrom } from '../../../../shared/git/clone-url';

// The repository's own copy of the capture (test/fixtures), so the test runs on any clone.
const CAPTURE = join(__dirname, '../../../fixtures/bitbucket-cloud-api-captures/repository__jenkins-bbs.json');

const BITBUCKET_API = 'https://api.bitbucket.org/2.0';
const SIMULATOR_API = 'http://127.0.0.1:7990/2.0';

/** A repository object whose only https clone link is `href`. */
const cloningFrom = (href: string) => ({ links: { clone: [{ name: 'https', href }] } });

describe('cloneUrlFrom', () => {
  test('takes the https clone link of a real Bitbucket repository object, without the user name', () => {
    const repository: unknown = JSON.parse(readFileSync(CAPTURE, 'utf8'));
    expect(cloneUrlFrom(repository, BITBUCKET_API)).toBe('https://bitbucket.org/nfalco79/test-repos.git');
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
    expect(cloneUrlFrom(repository, SIMULATOR_API)).toBe('http://127.0.0.1:7990/a/b.git');
  });

  test.each([
    ['plain http to the git host', 'http://bitbucket.org/a/b.git', BITBUCKET_API],
    ['another host', 'https://evil.example/a/b.git', BITBUCKET_API],
    ['a host that only starts like the git host', 'https://bitbucket.org.evil.example/a/b.git', BITBUCKET_API],
    ['a subdomain of the git host', 'https://evil.bitbucket.org/a/b.git', BITBUCKET_API],
    ['the git host on another port', 'https://bitbucket.org:8443/a/b.git', BITBUCKET_API],
    ['a loopback address when the API is not on this machine', 'http://127.0.0.1:7990/a/b.git', BITBUCKET_API],
    ["another loopback port than the simulator's", 'http://127.0.0.1:7991/a/b.git', SIMULATOR_API],
  ])('is undefined for a link to %s, which must not get the token', (_case, href, apiUrl) => {
    expect(cloneUrlFrom(cloningFrom(href), apiUrl)).toBeUndefined();
  });

  test('accepts the git host of a Bitbucket whose API is not on an api. host (its own host serves git)', () => {
    expect(cloneUrlFrom(cloningFrom('https://bitbucket.example.com/a/b.git'), 'https://bitbucket.example.com/rest/2.0')).toBe(
      'https://bitbucket.example.com/a/b.git',
    );
  });

  test.each([
    ['no links', {}],
    ['null', null],
    ['only ssh', { links: { clone: [{ name: 'ssh', href: 'git@bitbucket.org:a/b.git' }] } }],
    ['a malformed href', { links: { clone: [{ name: 'https', href: 'not a url' }] } }],
    ['another scheme', { links: { clone: [{ name: 'https', href: 'file:///etc/passwd' }] } }],
  ])('is undefined for %s', (_name, repository) => {
    expect(cloneUrlFrom(repository, BITBUCKET_API)).toBeUndefined();
  });
});
