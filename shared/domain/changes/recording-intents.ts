/**
 * The model store of a sync with every write announced first: before a path is written, deleted or moved, an
 * intent records what a reader got there at the last commit. The intent is what lets the commit derive the change
 * even when the worker died right after the write, and a retry's plan no longer lists it (a git plan skips what
 * already matches): the commit compares each intent's `before` with what is stored then.
 */
import { randomBytes } from 'node:crypto';
import type { ModelRecord } from '../../models/model-record';
import type { ModelStore } from '../sync/ports';
import type { ModelVersion } from './change-records';
import type { ChangeIntent, ChangeLog, ChangeScope, ModelRecordReader } from './ports';

/** `models` with an intent recorded in `log` before each write of `scope`'s repository. */
export function recordingIntents(scope: ChangeScope, models: ModelStore, log: ChangeLog, records: ModelRecordReader): ModelStore {
  const intend = async (path: string, link: Pick<ChangeIntent, 'movedTo' | 'movedFrom'> = {}): Promise<void> => {
    const before = ownRecord(scope, await records.getRecord(scope.repositoryUuid, path));
    await log.recordIntent(scope, {
      path,
      changeId: newChangeId(),
      ...(before ? { before: { ...versionOf(before), version: before.version } } : {}),
      ...link,
    });
  };
  return {
    putModel: async (input) => {
      await intend(input.path);
      return models.putModel(input);
    },
    recordTooLarge: async (input) => {
      await intend(input.path);
      return models.recordTooLarge(input);
    },
    deleteModel: async (repositoryUuid, path, options) => {
      await intend(path);
      return models.deleteModel(repositoryUuid, path, options);
    },
    moveModel: async (repositoryUuid, fromPath, toPath, commit, options) => {
      await intend(fromPath, { movedTo: toPath });
      await intend(toPath, { movedFrom: fromPath });
      return models.moveModel(repositoryUuid, fromPath, toPath, commit, options);
    },
    listModels: (repositoryUuid) => models.listModels(repositoryUuid),
    readBackModels: (repositoryUuid) => models.readBackModels(repositoryUuid),
    existingPaths: (repositoryUuid, paths) => models.existingPaths(repositoryUuid, paths),
    removeOrphanChunks: (repositoryUuid, options) => models.removeOrphanChunks(repositoryUuid, options),
  };
}

/** The record when it is this generation's (a removed generation's stranded record is no model a reader had). */
export function ownRecord(scope: ChangeScope, record: ModelRecord | undefined): ModelRecord | undefined {
  if (!record) return undefined;
  const foreign = record.generation !== undefined && scope.generation !== undefined && record.generation !== scope.generation;
  return foreign ? undefined : record;
}

/** What a consumer is told of a stored model. */
export function versionOf(record: ModelRecord): ModelVersion {
  return withoutUndefined({
    blobId: record.blobId,
    sha256: record.sha256,
    size: record.size,
    status: record.status,
    modelName: record.modelName,
    vendor: record.dbVendor,
    target: record.appTarget,
  });
}

function withoutUndefined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, field]) => field !== undefined)) as T;
}

/** 96 random bits: the idempotency key of the change an intent becomes. */
function newChangeId(): string {
  return randomBytes(12).toString('base64url');
}
