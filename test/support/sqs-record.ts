// One SQS record as Lambda's event source mapping hands it to the worker, for tests that call the handler directly.
import type { SQSRecord } from 'aws-lambda';
import type { SyncRequest } from '../../shared/domain/sync-request';

/** The FIFO record of `request` with message id `id`, received once. */
export function sqsRecord(request: SyncRequest, id: string): SQSRecord {
  return {
    messageId: id,
    receiptHandle: `handle-${id}`,
    body: JSON.stringify(request),
    md5OfBody: '',
    eventSource: 'aws:sqs',
    eventSourceARN: 'arn:aws:sqs:us-east-1:000000000000:q.fifo',
    awsRegion: 'us-east-1',
    messageAttributes: {},
    attributes: {
      ApproximateReceiveCount: '1',
      SentTimestamp: '0',
      SenderId: 'local',
      ApproximateFirstReceiveTimestamp: '0',
      MessageGroupId: request.repository.uuid,
      MessageDeduplicationId: id,
    },
  };
}
