import { StoredModelCache } from '../../../../../shared/domain/read/stored-model-cache';
import type { StoredModel } from '../../../../../shared/domain/read/ports';
import type { ModelRecord } from '../../../../../shared/models/model-record';

const model = (path: string, version: string, bytes: number): StoredModel => {
  const body = Buffer.alloc(bytes, path);
  return { record: { path, version } as ModelRecord, body, stored: { encoding: 'identity', bytes: body } };
};

describe('StoredModelCache', () => {
  it('finds a model by repository, path and version only, and drops the least recently used over its budget', () => {
    const cache = new StoredModelCache(250);
    cache.set('r', model('a', 'v1', 100));
    cache.set('r', model('b', 'v1', 100));
    expect(cache.get('r', 'a', 'v1')?.record.path).toBe('a'); // a is now the most recently used
    cache.set('r', model('c', 'v1', 100));

    expect([cache.get('r', 'a', 'v1'), cache.get('r', 'b', 'v1'), cache.get('r', 'c', 'v1')].map((m) => m?.record.path)).toEqual([
      'a',
      undefined,
      'c',
    ]);
    expect(cache.get('r', 'a', 'v2')).toBeUndefined();
    expect(cache.get('other', 'a', 'v1')).toBeUndefined();
  });

  it('keeps nothing larger than its whole budget', () => {
    const cache = new StoredModelCache(50);
    cache.set('r', model('big', 'v1', 51));
    expect(cache.get('r', 'big', 'v1')).toBeUndefined();
  });
});
