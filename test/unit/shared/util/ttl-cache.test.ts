import { cacheFor } from '../../../../shared/util/ttl-cache';

describe('cacheFor', () => {
  it('serves a cached value until it expires, and does not cache failures or values `keep` rejects', async () => {
    // Prepare
    let clock = 0;
    const calls: string[] = [];
    const answers: Record<string, string | undefined> = { known: 'K' };
    const lookup = cacheFor(
      1_000,
      async (key) => {
        calls.push(key);
        if (key === 'broken') throw new Error('unavailable');
        return answers[key];
      },
      { keep: (value) => value !== undefined, now: () => clock },
    );

    // Act + Assess
    expect(await lookup('known')).toBe('K');
    expect(await lookup('known')).toBe('K');
    expect(await lookup('unknown')).toBeUndefined();
    answers.unknown = 'added since';
    expect(await lookup('unknown')).toBe('added since');
    await expect(lookup('broken')).rejects.toThrow('unavailable');
    await expect(lookup('broken')).rejects.toThrow('unavailable');
    clock = 1_001;
    expect(await lookup('known')).toBe('K');
    expect(calls).toEqual(['known', 'unknown', 'unknown', 'broken', 'broken', 'known']);
  });

  it('looks a key up afresh once forgotten, and keeps the others', async () => {
    const answers: Record<string, string> = { a: 'a1', b: 'b1' };
    const lookup = cacheFor(60_000, async (key) => answers[key]);
    expect([await lookup('a'), await lookup('b')]).toEqual(['a1', 'b1']);
    answers.a = 'a2';
    answers.b = 'b2';
    lookup.forget('a');
    expect([await lookup('a'), await lookup('b')]).toEqual(['a2', 'b1']);
  });
});
