/**
 * BatchWriteItem beyond one call: groups of 25 with bounded parallelism, unprocessed items retried with
 * jittered backoff, so a store can put or delete any number of items.
 */
import { BatchWriteItemCommand, type DynamoDBClient, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { sleep } from './dynamodb-paging';

const BATCH_WRITE_SIZE = 25;
const BATCH_WRITE_ATTEMPTS = 10;

/** Sends every request of `requests` to `tableName`; throws when some stay unprocessed after 10 attempts. */
export async function batchWriteAll(
  client: DynamoDBClient,
  tableName: string,
  requests: readonly WriteRequest[],
  concurrency: number,
): Promise<void> {
  const groups: WriteRequest[][] = [];
  for (let i = 0; i < requests.length; i += BATCH_WRITE_SIZE) groups.push(requests.slice(i, i + BATCH_WRITE_SIZE));
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < groups.length) {
      let pending = groups[next++]!;
      for (let attempt = 0; pending.length > 0; attempt++) {
        if (attempt >= BATCH_WRITE_ATTEMPTS)
          throw new Error(`BatchWriteItem left ${pending.length} items unprocessed after ${attempt} attempts`);
        if (attempt > 0) await sleep(Math.min(2000, 25 * 2 ** attempt) * (0.5 + Math.random() / 2));
        const { UnprocessedItems } = await client.send(new BatchWriteItemCommand({ RequestItems: { [tableName]: pending } }));
        pending = UnprocessedItems?.[tableName] ?? [];
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, groups.length) }, worker));
}
