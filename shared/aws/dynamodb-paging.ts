/**
 * Reading DynamoDB past one response: Query and Scan pages through `LastEvaluatedKey`, and BatchGetItem with
 * `UnprocessedKeys` retried. Every adapter that pages uses these, so none hand-rolls the loop.
 */
import {
  BatchGetItemCommand,
  QueryCommand,
  ScanCommand,
  type AttributeValue,
  type DynamoDBClient,
  type KeysAndAttributes,
  type QueryCommandInput,
  type ScanCommandInput,
} from '@aws-sdk/client-dynamodb';

type Item = Record<string, AttributeValue>;

/** One page of a Query or Scan answer. */
export interface ItemPage {
  readonly Items?: Item[];
  readonly LastEvaluatedKey?: Item;
}

/**
 * Every page of a paginated read: calls `fetchPage` with the previous page's `LastEvaluatedKey` (undefined the
 * first time) until a page has none. Lazy: a caller that stops iterating sends no further request, and
 * `fetchPage` may build each request from what the caller has seen so far (e.g. a shrinking `Limit`).
 */
export async function* pages<P extends ItemPage>(fetchPage: (startKey: Item | undefined) => Promise<P>): AsyncGenerator<P> {
  let startKey: Item | undefined;
  do {
    const page = await fetchPage(startKey);
    yield page;
    startKey = page.LastEvaluatedKey;
  } while (startKey);
}

/** All items of a Query, every page. */
export async function queryAll(client: DynamoDBClient, input: Omit<QueryCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages((startKey) => client.send(new QueryCommand({ ...input, ExclusiveStartKey: startKey }))))
    items.push(...(page.Items ?? []));
  return items;
}

/** All items of a Scan, every page. */
export async function scanAll(client: DynamoDBClient, input: Omit<ScanCommandInput, 'ExclusiveStartKey'>): Promise<Item[]> {
  const items: Item[] = [];
  for await (const page of pages((startKey) => client.send(new ScanCommand({ ...input, ExclusiveStartKey: startKey }))))
    items.push(...(page.Items ?? []));
  return items;
}

/**
 * The items of `keys` in `tableName` that exist (BatchGetItem, 100 keys a call), retrying unprocessed keys
 * with a growing pause (DynamoDB returns them when it throttles).
 */
export async function batchGetAll(
  client: DynamoDBClient,
  tableName: string,
  keys: readonly Item[],
  options: Omit<KeysAndAttributes, 'Keys'> = {},
): Promise<Item[]> {
  const found: Item[] = [];
  for (let start = 0; start < keys.length; start += 100) {
    let request: Item[] | undefined = keys.slice(start, start + 100);
    for (let attempt = 0; request && request.length > 0; attempt++) {
      const response = await client.send(new BatchGetItemCommand({ RequestItems: { [tableName]: { ...options, Keys: request } } }));
      found.push(...(response.Responses?.[tableName] ?? []));
      request = response.UnprocessedKeys?.[tableName]?.Keys as Item[] | undefined;
      if (request && request.length > 0) await sleep(Math.min(1000, 25 * 2 ** attempt));
    }
  }
  return found;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
