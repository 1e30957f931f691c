import { parseSince, shownDetail, shownRepository, shownTransport } from '../../../../cli/commands/events';
import { removedRepositories, shownCommits, shownCounts, toListing } from '../../../../shared/admin/event-listing';
import type { RepositoryConfig } from '../../../../shared/domain/repository-config';

describe('parseSince', () => {
  const now = new Date('2025-06-01T12:00:00.000Z');

  it.each([
    ['30m', '2025-06-01T11:30:00.000Z'],
    ['2h', '2025-06-01T10:00:00.000Z'],
    ['7d', '2025-05-25T12:00:00.000Z'],
    ['2025-05-31T08:00:00Z', '2025-05-31T08:00:00.000Z'],
  ])('reads %s', (value, expected) => {
    expect(parseSince(value, now)).toBe(expected);
  });

  it('refuses anything else with a usage message', () => {
    expect(() => parseSince('yesterday', now)).toThrow(/expected an age like 30m, 2h, 7d or an ISO time/);
  });
});

describe('events listing', () => {
  it('shows a line counting forged deliveries with its count, and the first request uuid', () => {
    const listing = toListing({
      kind: 'delivery',
      at: '2026-11-28T10:00:01.000Z',
      outcome: 'rejected',
      reason: 'invalid signature',
      requestUuid: 'first-of-the-minute',
      count: 42,
      attempt: 1,
    } as Parameters<typeof toListing>[0]);
    expect(listing).toEqual({
      time: '2026-11-28T10:00:01.000Z',
      kind: 'delivery',
      repository: null,
      outcome: 'rejected',
      reason: 'invalid signature',
      requestUuid: 'first-of-the-minute',
      count: 42,
      details: { attempt: 1 },
    });
    expect(shownDetail(listing)).toBe('invalid signature ×42');
  });

  it('shows a single event as it is, with count 1 and without its line id', () => {
    const listing = toListing({
      kind: 'delivery',
      at: '2026-11-28T10:00:00.000Z',
      repository: { uuid: '{1}', fullName: 'acme/models' },
      outcome: 'queued',
      reason: 'queued',
      eventId: 'line-id',
    });
    expect(listing).toMatchObject({ repository: 'acme/models', count: 1, details: {} });
    // The detail column does not repeat the outcome.
    expect(shownDetail(listing)).toBeNull();
  });

  it('says which transport a sync run read with and the requests of each kind', () => {
    const sync = (details: Record<string, unknown>) =>
      toListing({
        kind: 'sync',
        at: '2026-11-28T10:00:00.000Z',
        repository: { uuid: '{1}', fullName: 'acme/models' },
        outcome: 'synced',
        ...details,
      } as Parameters<typeof toListing>[0]);
    expect(shownTransport(sync({ transport: 'git', apiCalls: 3, gitRequests: 2 }))).toBe('git · 3 REST + 2 git');
    expect(shownTransport(sync({ transport: 'rest', apiCalls: 4, gitRequests: 0 }))).toBe('rest · 4 REST');
    // An up-to-date run made no plan: no transport, only the head lookups.
    expect(shownTransport(sync({ apiCalls: 2, gitRequests: 0 }))).toBe('- · 2 REST');
    expect(shownTransport(sync({}))).toBeNull();
    expect(shownTransport(toListing({ kind: 'delivery', at: '2026-11-28T10:00:00.000Z', outcome: 'queued' }))).toBeNull();
  });

  it("shows a sync run's commits and what it changed", () => {
    const listing = toListing({
      kind: 'sync',
      at: '2026-11-28T10:00:00.000Z',
      repository: { uuid: '{1}', fullName: 'acme/models' },
      outcome: 'synced',
      reason: 'synced',
      fromCommit: '0123456789abcdef0123456789abcdef01234567',
      toCommit: 'fedcba9876543210fedcba9876543210fedcba98',
      counts: { added: 2, updated: 1, removed: 1, renamed: 0, invalid: 0 },
    } as Parameters<typeof toListing>[0]);

    expect(shownCommits(listing)).toBe('0123456..fedcba9');
    expect(shownCounts(listing)).toBe('+2 ~1 -1');
    expect(shownDetail(listing)).toBeNull();
    expect(shownCommits({ ...listing, details: { fromCommit: null, toCommit: 'fedcba9876543210' } })).toBe('..fedcba9');
  });

  it('shows an admin action as its action, by whom, and marks a removed repository', () => {
    const listing = toListing(
      {
        kind: 'admin',
        at: '2026-11-28T10:00:00.000Z',
        repository: { uuid: '{1}', fullName: 'acme/models' },
        action: 'remove',
        actor: 'arn:aws:iam::111122223333:user/ada',
      } as Parameters<typeof toListing>[0],
      true,
    );

    expect(listing).toMatchObject({
      kind: 'admin',
      outcome: 'remove',
      removed: true,
      details: { actor: 'arn:aws:iam::111122223333:user/ada' },
    });
    expect(shownDetail(listing)).toBe('by arn:aws:iam::111122223333:user/ada');
    expect(shownRepository(listing)).toBe('acme/models (removed)');
  });

  it('finds the removed repositories from the remove actions, leaving out one added again', () => {
    const remove = (uuid: string, fullName: string) =>
      ({ kind: 'admin', at: '2026-11-28T10:00:00.000Z', action: 'remove', actor: 'x', repository: { uuid, fullName } }) as Parameters<
        typeof toListing
      >[0];

    const removed = removedRepositories([remove('{1}', 'acme/gone'), remove('{2}', 'acme/back')], [{ uuid: '{2}' } as RepositoryConfig]);

    expect([...removed]).toEqual([['{1}', 'acme/gone']]);
  });
});
