import { parseSince } from '../../../../cli/commands/events';

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
