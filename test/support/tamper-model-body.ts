/**
 * Edits a stored model body in the models table behind the store's back, its record untouched (an admin's edit of
 * the table, a restore gone wrong): what a verification must see as a reader does.
 */
import { UpdateItemCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { modelSortKey } from '../../shared/aws/dynamodb-model-store-keys';
import { key } from '../../shared/aws/model-item-codec';
import { encodeModelBody } from '../../shared/models/model-body-codec';

/** Replaces the inline body of the record at `path` with `bytes`, encoded as the record says (`br` by default). */
export async function tamperInlineBody(
  client: DynamoDBClient,
  tableName: string,
  repositoryUuid: string,
  path: string,
  bytes: Buffer,
): Promise<void> {
  await client.send(
    new UpdateItemCommand({
      TableName: tableName,
      Key: key(repositoryUuid, modelSortKey(path)),
      UpdateExpression: 'SET #body = :body',
      ConditionExpression: '#storage = :inline',
      ExpressionAttributeNames: { '#body': 'body', '#storage': 'storage' },
      ExpressionAttributeValues: { ':body': { B: encodeModelBody(bytes) }, ':inline': { S: 'inline' } },
    }),
  );
}
