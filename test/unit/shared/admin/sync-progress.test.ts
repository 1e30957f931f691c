import { syncFailureHint } from '../../../../shared/admin/sync-progress';

describe('syncFailureHint: the next step for a failed sync matches its cause', () => {
  it.each([
    'BitbucketUnavailableError: GET /repositories/acme/x failed after 3 attempts: connect ECONNREFUSED 127.0.0.1:9',
    'BitbucketUnavailableError: Bitbucket answered HTTP 503 for 5 attempts',
    'TypeError: fetch failed',
  ])('does not blame the token when Bitbucket was unreachable: %s', (reason) => {
    const hint = syncFailureHint(reason, 'acme/x');

    expect(hint).toMatch(/could not reach Bitbucket or Bitbucket kept failing \(nothing is wrong with the token\)/);
    expect(hint).not.toMatch(/expired|repo update/);
  });

  it('sends a refused token to `repo update`', () => {
    expect(syncFailureHint('BitbucketAuthError: the access token is invalid, expired or lacks a scope (HTTP 401)', 'acme/x')).toMatch(
      /^Bitbucket refused the stored access token: .*`repo update acme\/x`/,
    );
  });

  it('sends a vanished commit to `sync --full`', () => {
    expect(syncFailureHint('commit 0123456789ab no longer exists (history rewritten)', 'acme/x')).toBe(
      'the commit is gone from Bitbucket: run `sync acme/x --full`',
    );
  });

  it('guesses no cause for anything else', () => {
    expect(syncFailureHint('ModelWriteConflictError: the record changed', 'acme/x')).not.toMatch(/token|Bitbucket/);
  });
});
