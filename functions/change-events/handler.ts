// Lambda entry of the change-events pipe's enrichment: a change record's stream image holds its detail as JSON text,
// which a pipe's input template cannot parse; this turns each record into the detail type and detail the pipe puts
// on the bus (`infra/constructs/change-events.ts`).
import type { DynamoDBRecord } from 'aws-lambda';
import { changeEventOfImage, type ChangeEvent, type StreamImage } from '../../shared/aws/dynamodb-change-store';

/** The pipe's batch of stream records (already filtered to inserted feed records), in order. */
export type ChangeEventsHandler = (records: readonly DynamoDBRecord[]) => Promise<ChangeEvent[]>;

export const handler: ChangeEventsHandler = async (records) =>
  records.map((record) => changeEventOfImage(record.dynamodb!.NewImage as StreamImage));
