import { branchUpdates, parsePushEvent, reasonToIgnore } from '../../../../shared/domain/push-event';
import { readWebhookFixture, type WebhookFixture } from '../../../support/fixtures';

function parseFixture(name: WebhookFixture) {
  const parsed = parsePushEvent(JSON.parse(readWebhookFixture(name).toString('utf8')));
  if (!parsed.ok) throw new Error(parsed.problem);
  return parsed.push;
}

describe('parsePushEvent on the real deliveries', () => {
  it.each<[WebhookFixture, string | undefined, string[]]>([
    ['updatePayload__normal-push', undefined, ['main']],
    ['signed_payload__branch-created', undefined, ['feature/webhook']],
    ['commit_created__forced-truncated', undefined, ['feature/issue-819']],
    ['multipleChangesPayload', undefined, ['main', 'manchu']],
    ['branch_deleted', 'branch deletion only', []],
    ['annotated_tag_created', 'tag push only', []],
  ])('%s → %s', (fixture, ignoreReason, updatedBranches) => {
    const push = parseFixture(fixture);
    expect(reasonToIgnore(push)).toBe(ignoreReason);
    expect(branchUpdates(push).map((change) => change.name)).toEqual(updatedBranches);
  });

  it('reads repository uuid and name, and old/new hashes in git order', () => {
    const push = parseFixture('updatePayload__normal-push');
    expect(push.repository).toEqual({ uuid: '{708c9715-0ecc-4a5d-87ed-63c4ba48ea06}', fullName: 'cloudbeers/temp' });
    expect(push.changes[0]).toEqual({
      refType: 'branch',
      name: 'main',
      forced: false,
      oldHash: '501bf5b99365d1d870882254b9360c17172bda0e',
      newHash: 'e42fac24456e4a56f1b7f9358afc3070e3b7ddec',
    });
  });

  it("reads the workspace's uuid when the delivery names it (current deliveries), and does without it", () => {
    // Two real deliveries of one repository (same uuid) under two names: a rename Bitbucket reports by full_name only.
    const renamed = [parseFixture('signed_payload__branch-created'), parseFixture('commit_created__forced-truncated')];
    expect(renamed.map((push) => [push.repository.uuid, push.repository.fullName, push.workspaceUuid])).toEqual([
      ['{3deb8c29-778a-450c-8f69-3e50a18079df}', 'nfalco79/test-repos', '{7d3a178a-a087-4756-b2da-2f9eadf50ba8}'],
      ['{3deb8c29-778a-450c-8f69-3e50a18079df}', 'amuniz/test-repos', '{7d3a178a-a087-4756-b2da-2f9eadf50ba8}'],
    ]);
    expect(parseFixture('updatePayload__normal-push').workspaceUuid).toBeUndefined();
    const valid = JSON.parse(readWebhookFixture('signed_payload__branch-created').toString('utf8'));
    for (const workspace of [{ uuid: '../../x' }, { uuid: 7 }, 'acme', null]) {
      const parsed = parsePushEvent({ ...valid, repository: { ...valid.repository, workspace } });
      expect(parsed.ok && parsed.push.workspaceUuid).toBeUndefined();
    }
    const upper = parsePushEvent({
      ...valid,
      repository: { ...valid.repository, workspace: { uuid: '{7D3A178A-A087-4756-B2DA-2F9EADF50BA8}' } },
    });
    expect(upper.ok && upper.push.workspaceUuid).toBe('{7d3a178a-a087-4756-b2da-2f9eadf50ba8}');
  });

  it('does not ignore a push without change details (Bitbucket sends changes: [] for some large pushes)', () => {
    const parsed = parsePushEvent({
      ...JSON.parse(readWebhookFixture('updatePayload__normal-push').toString('utf8')),
      push: { changes: [] },
    });
    expect(parsed.ok && reasonToIgnore(parsed.push)).toBeUndefined();
  });

  it('marks forced pushes and created branches', () => {
    expect(parseFixture('commit_created__forced-truncated').changes[0]!.forced).toBe(true);
    expect(parseFixture('signed_payload__branch-created').changes[0]!.oldHash).toBeNull();
  });
});

describe('parsePushEvent on hostile shapes', () => {
  const valid = JSON.parse(readWebhookFixture('updatePayload__normal-push').toString('utf8'));
  it.each<[string, unknown]>([
    ['null', null],
    ['an array', [valid]],
    ['a string', 'push'],
    ['no repository', { push: valid.push }],
    ['a repository uuid that is a number', { ...valid, repository: { ...valid.repository, uuid: 42 } }],
    ['a full name with no workspace', { ...valid, repository: { ...valid.repository, full_name: 'temp' } }],
    ['changes that is an object', { ...valid, push: { changes: { 0: valid.push.changes[0] } } }],
    [
      'a change whose new hash is not hex',
      { ...valid, push: { changes: [{ ...valid.push.changes[0], new: { ...valid.push.changes[0].new, target: { hash: '../../etc' } } }] } },
    ],
    ['a change with neither side', { ...valid, push: { changes: [{ old: null, new: null }] } }],
    [
      'a ref type that is neither branch nor tag',
      { ...valid, push: { changes: [{ ...valid.push.changes[0], new: { ...valid.push.changes[0].new, type: 'named_branch' } }] } },
    ],
  ])('rejects %s with a problem description', (_case, body) => {
    const parsed = parsePushEvent(body);
    expect(parsed.ok).toBe(false);
    if (!parsed.ok) expect(parsed.problem.length).toBeGreaterThan(5);
  });

  it('ignores a prototype-pollution key and does not pollute', () => {
    const body = JSON.parse(`{"__proto__":{"polluted":true},${readWebhookFixture('updatePayload__normal-push').toString('utf8').slice(1)}`);
    expect(parsePushEvent(body).ok).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
