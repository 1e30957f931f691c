// The pipe's enrichment turns the stream image of a feed record into the detail type and detail put on the bus.
import type { DynamoDBRecord } from 'aws-lambda';
import { handler } from '../../../../functions/change-events/handler';

const detail = {
  schemaVersion: 1,
  idempotencyKey: 'mc-abc',
  repository: { uuid: '{5d0c0000-0000-4000-8000-000000000001}', fullName: 'acme/models' },
  committedAt: '2026-12-05T10:00:00.000Z',
  change: 'added',
  path: 'dir/a.hck.json',
  commit: 'c'.repeat(40),
  sha256: 'f'.repeat(64),
};

/** A stream record as the pipe passes it: keys and the new image in DynamoDB JSON. */
function streamRecord(detailType: string, value: object): DynamoDBRecord {
  return {
    eventName: 'INSERT',
    dynamodb: {
      Keys: { pk: { S: 'feed' }, sk: { S: '2026-12-05T10:00:00.000Z#{5d0c0000-0000-4000-8000-000000000001}#000000' } },
      NewImage: {
        pk: { S: 'feed' },
        sk: { S: '2026-12-05T10:00:00.000Z#{5d0c0000-0000-4000-8000-000000000001}#000000' },
        detailType: { S: detailType },
        detail: { S: JSON.stringify(value) },
        idempotencyKey: { S: 'mc-abc' },
        expiresAt: { N: '1800000000' },
      },
    },
  };
}

describe('change-events enrichment', () => {
  it('returns, in order, each record as its detail type and its parsed detail', async () => {
    const synced = { ...detail, idempotencyKey: 'rs-1' };

    const events = await handler([streamRecord('Model Changed', detail), streamRecord('Repository Synced', synced)]);

    expect(events).toEqual([
      { detailType: 'Model Changed', detail },
      { detailType: 'Repository Synced', detail: synced },
    ]);
  });
});
