import type { ModelRecord } from '../../../../shared/models/model-record';
import { clipMetadata, projection, recordFromItem, recordToItem } from '../../../../shared/aws/model-item-codec';

/** The model record ↔ DynamoDB item mapping, without a table. */
describe('model item codec', () => {
  const record: ModelRecord = {
    repositoryUuid: '{r-1}',
    path: 'models/a b/ü.hck.json',
    commit: 'c0ffee',
    size: 1234,
    sha256: 'ab'.repeat(32),
    syncedAt: '2026-01-02T03:04:05.000Z',
    status: 'valid',
    modelName: 'Orders',
    dbVendor: 'MongoDB',
    collections: 3,
    entityNames: ['customer', 'order'],
    version: 'v1',
    encoding: 'br',
    storage: 'chunked',
    chunkCount: 2,
    storedBytes: 700,
    sharedChunks: true,
  };

  it('round-trips every attribute of a record and keys the item by repository and path', () => {
    const item = recordToItem(record, undefined);
    expect(item.pk).toEqual({ S: '{r-1}' });
    expect(item.sk).toEqual({ S: 'model#models/a b/ü.hck.json' });
    expect(item.size).toEqual({ N: '1234' });
    expect(item.sharedChunks).toEqual({ BOOL: true });
    expect(item.entityNames).toEqual({ L: [{ S: 'customer' }, { S: 'order' }] });
    expect(item.body).toBeUndefined();
    expect(recordFromItem(item)).toEqual(record);
  });

  it('keeps an inline body in the item but never in the decoded record', () => {
    const body = Uint8Array.from([1, 2, 3]);
    const item = recordToItem({ ...record, storage: 'inline', chunkCount: 0 }, body);
    expect(item.body).toEqual({ B: body });
    expect(recordFromItem(item)).not.toHaveProperty('body');
  });

  it('leaves absent optional attributes out instead of writing empty values', () => {
    const {
      sha256: _sha,
      modelName: _name,
      dbVendor: _vendor,
      collections: _c,
      entityNames: _e,
      sharedChunks: _s,
      encoding: _enc,
      ...minimal
    } = record;
    const item = recordToItem(minimal as ModelRecord, undefined);
    expect(Object.keys(item)).not.toContain('sha256');
    expect(Object.keys(item)).not.toContain('sharedChunks');
    expect(recordFromItem(item)).toEqual(minimal);
  });

  it('aliases every projected name, since size, path, status and commit are reserved words', () => {
    expect(projection(['size', 'path'], { '#pk': 'pk' }, ['sk'])).toEqual({
      ProjectionExpression: '#a0, #a1, #a2',
      ExpressionAttributeNames: { '#pk': 'pk', '#a0': 'sk', '#a1': 'size', '#a2': 'path' },
    });
  });

  it('clips over-long metadata strings and leaves other values alone', () => {
    const clipped = clipMetadata({ modelName: 'x'.repeat(5000), collections: 7 });
    expect(clipped.modelName).toHaveLength(1024);
    expect(clipped.collections).toBe(7);
  });
});
