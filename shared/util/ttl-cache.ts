/**
 * Memoises an async lookup per key for `ttlMs`, so a burst of deliveries costs one read. Failed lookups are not
 * cached, nor results `keep` rejects (e.g. "not found", so a repository added a second ago is seen at once).
 * `now` is injectable for tests.
 */
export function cacheFor<T>(
  ttlMs: number,
  lookup: (key: string) => Promise<T>,
  options: { keep?: (value: T) => boolean; now?: () => number } = {},
): (key: string) => Promise<T> {
  const now = options.now ?? Date.now;
  const keep = options.keep ?? (() => true);
  const entries = new Map<string, { value: Promise<T>; expires: number }>();
  return (key) => {
    const cached = entries.get(key);
    if (cached && cached.expires > now()) return cached.value;
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
}
