// The generation rule every model store applies, in one place so the DynamoDB store and the in-memory fake
// fence writes alike: work of a removed repository never replaces or deletes a record of its re-added successor.
import { ModelWriteConflictError } from './errors';

/**
 * Whether a write of `generation` may replace or delete a record of `recordGeneration`: an unfenced write or an
 * unfenced record always; otherwise only the same generation (work of a removed repository must not touch a re-add's).
 */
export function mayTouch(recordGeneration: string | undefined, generation: string | undefined): boolean {
  return generation === undefined || recordGeneration === undefined || recordGeneration === generation;
}

/**
 * The error a write of `generation` meets at `record` when that record is another generation's (naming the record,
 * so a current writer can delete exactly it), or undefined when the write may touch it.
 */
export function generationConflict(
  repositoryUuid: string,
  path: string,
  record: { readonly generation?: string; readonly version: string } | undefined,
  generation: string | undefined,
): ModelWriteConflictError | undefined {
  if (!record || record.generation === undefined || mayTouch(record.generation, generation)) return undefined;
  return new ModelWriteConflictError(repositoryUuid, path, { path, generation: record.generation, version: record.version });
}
