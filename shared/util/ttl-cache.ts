/**
 * Memoises an async lookup per key for `ttlMs`, so a burst of deliveries costs one read. Failed lookups are not
 * cached, nor results `keep` rejects (e.g. "not found", so a repository added a second ago is seen at once).
 * `forget(key)` drops one entry (its owner just changed it). `now` is injectable for tests.
 */
export function cacheFor<T>(
  ttlMs: number,
  lookup: (key: string) => Promise<T>,
  options: { keep?: (value: T) => boolean; now?: () => number } = {},
): ((key: string) => Promise<T>) & { forget(key: string): void } {
  const now = options.now ?? Date.now;
  const keep = options.keep ?? (() => true);
  const entries = new Map<string, { value: Promise<T>; expires: number }>();
  const cached = (key: string): Promise<T> => {
    const entry = entries.get(key);
    if (entry && entry.expires > now()) return entry.value;
    const value = lookup(key);
    entries.set(key, { value, expires: now() + ttlMs });
    value.then(
      (result) => {
        if (!keep(result)) entries.delete(key);
      },
      () => entries.delete(key),
    );
    // Bound memory: a flood of unknown uuids must not grow the map forever.
    if (entries.size > 10_000) entries.delete(entries.keys().next().value!);
    return value;
  };
  return Object.assign(cached, { forget: (key: string) => void entries.delete(key) });
}
