/**
 * Turns a sync's pending intents into change records when the sync commits (before its cursor moves), so that only
 * committed changes are announced and every one of them is, however often the worker died on the way: an intent
 * stays pending until the records it became are in the feed, and a retry commits it again under the same
 * idempotency key. The records are written under an open mark (see `feed-position.ts`).
 */
import { createHash } from 'node:crypto';
import { ModelHubError } from '../../util/model-hub-error';
import type { SyncChanges, SyncedTarget, VerificationReport } from '../sync/sync-types';
import {
  CHANGE_SCHEMA_VERSION,
  type ChangedRepository,
  type ChangeRecord,
  type FeedRecord,
  type ModelChangedDetail,
  type ModelVersion,
} from './change-records';
import { feedPosition, MAX_COMMIT_MS } from './feed-position';
import type { ChangeIntent, ChangeLog, ChangeScope, ModelRecordReader } from './ports';
import { ownRecord, versionOf } from './recording-intents';

/** Records per feed write; between writes the commit checks it is still within {@link MAX_COMMIT_MS}. */
const APPEND_BATCH = 100;
/** Reads of the models' current records at once. */
const READ_CONCURRENCY = 8;

/** A commit ran so long that readers may stop waiting for it; the retry commits again (same idempotency keys). */
export class CommitTooSlowError extends ModelHubError {}

/** A record before it has a place in the feed. */
type UnplacedRecord = { readonly detailType: ChangeRecord['detailType']; readonly detail: Record<string, unknown> };

export interface ChangeCommitterContext {
  readonly scope: ChangeScope;
  readonly repository: ChangedRepository;
  readonly log: ChangeLog;
  readonly records: ModelRecordReader;
  /** The request the run serves (kept by retries and continuations): keys a verification's drift record. */
  readonly requestUuid?: string;
  readonly now?: () => Date;
}

/** The change records of one repository's sync runs. */
export class ChangeCommitter implements SyncChanges {
  private readonly now: () => Date;

  constructor(private readonly context: ChangeCommitterContext) {
    this.now = context.now ?? (() => new Date());
  }

  /** A sync reached `sync.toCommit`: its net model changes, then a `Repository Synced` record. */
  async synced(sync: SyncedTarget): Promise<void> {
    const { changes, intents } = await this.pendingChanges();
    const counts = { added: 0, modified: 0, removed: 0, renamed: 0 };
    for (const change of changes) counts[change.change] += 1;
    const { uuid } = this.context.repository;
    const synced: UnplacedRecord = {
      detailType: 'Repository Synced',
      detail: {
        idempotencyKey: `rs-${digest(uuid, this.context.scope.generation ?? '', sync.toCommit, sync.startedAt)}`,
        fromCommit: sync.fromCommit,
        toCommit: sync.toCommit,
        branch: sync.branch,
        mode: sync.mode,
        ...(sync.transport ? { transport: sync.transport } : {}),
        counts,
      },
    };
    await this.write([...changes.map((change) => modelChanged(change, sync.toCommit)), synced], intents);
  }

  /**
   * A verification compared the replica: a repair that ended commits what it rewrote (as a sync would); drift adds a
   * `Replica Drift` record. A repair that stopped half way commits nothing (the next full sync does).
   */
  async verified(verification: VerificationReport): Promise<void> {
    const commit = verification.commit;
    if (!commit || verification.status === 'not-verified') return;
    const pending =
      verification.repaired > 0 && !verification.repairIncomplete ? await this.pendingChanges() : { changes: [], intents: [] };
    const records = pending.changes.map((change) => modelChanged(change, commit));
    if (verification.status === 'drift' && verification.drift) {
      const { uuid } = this.context.repository;
      records.push({
        detailType: 'Replica Drift',
        detail: {
          idempotencyKey: `rd-${digest(uuid, this.context.scope.generation ?? '', commit, this.context.requestUuid ?? '')}`,
          commit,
          ...(verification.via ? { via: verification.via } : {}),
          drift: verification.drift,
          repaired: verification.repaired,
          repairIncomplete: verification.repairIncomplete === true,
        },
      });
    }
    await this.write(records, pending.intents);
  }

  /** The net change of every pending intent: what a reader got at the last commit against what it gets now. */
  private async pendingChanges(): Promise<{ changes: ModelChange[]; intents: ChangeIntent[] }> {
    const { scope, records } = this.context;
    const intents = await this.context.log.pendingIntents(scope);
    const after = new Map<string, ModelVersion | undefined>();
    await forEachLimited(intents, READ_CONCURRENCY, async (intent) => {
      const record = ownRecord(scope, await records.getRecord(scope.repositoryUuid, intent.path));
      after.set(intent.path, record ? versionOf(record) : undefined);
    });
    return { changes: netChanges(intents, after), intents };
  }

  /** Places `records` in the feed under an open mark, then clears the intents they came from. */
  private async write(records: readonly UnplacedRecord[], intents: readonly ChangeIntent[]): Promise<void> {
    const { scope, log, repository } = this.context;
    if (records.length > 0) {
      const started = this.now();
      await log.openCommit(scope, started.toISOString());
      // Taken once the mark is acknowledged: a reader that did not see the mark reads below this time.
      const at = this.now();
      const placed = records.map(
        (record, index): FeedRecord =>
          ({
            position: feedPosition(at, repository.uuid, index),
            detailType: record.detailType,
            detail: { schemaVersion: CHANGE_SCHEMA_VERSION, ...record.detail, repository, committedAt: at.toISOString() },
          }) as FeedRecord,
      );
      for (let start = 0; start < placed.length; start += APPEND_BATCH) {
        if (this.now().getTime() - started.getTime() > MAX_COMMIT_MS)
          throw new CommitTooSlowError(`the change records of ${repository.fullName} took over ${MAX_COMMIT_MS / 60_000} minutes to write`);
        await log.append(placed.slice(start, start + APPEND_BATCH));
      }
    }
    if (intents.length > 0)
      await log.clearIntents(
        scope,
        intents.map((intent) => intent.path),
      );
    if (records.length > 0) await log.closeCommit(scope);
  }
}

/** A model's net change over the uncommitted writes of its path (or of both paths of a move). */
interface ModelChange {
  readonly change: ModelChangedDetail['change'];
  readonly path: string;
  readonly previousPath?: string;
  readonly changeId: string;
  readonly before?: ModelVersion;
  readonly after?: ModelVersion;
}

/** The changes the intents amount to, by path: a write that changed nothing a reader sees is no change. */
export function netChanges(intents: readonly ChangeIntent[], after: ReadonlyMap<string, ModelVersion | undefined>): ModelChange[] {
  const byPath = new Map(intents.map((intent) => [intent.path, intent]));
  const paired = new Set<string>();
  const changes: ModelChange[] = [];
  for (const from of intents) {
    const to = from.movedTo === undefined ? undefined : byPath.get(from.movedTo);
    // A rename: the model left `from`, arrived at `to`, and `to` held nothing before.
    if (!to || to.movedFrom !== from.path || !from.before || to.before || after.get(from.path) || !after.get(to.path)) continue;
    changes.push({
      change: 'renamed',
      path: to.path,
      previousPath: from.path,
      changeId: from.changeId,
      before: withoutVersion(from.before),
      after: after.get(to.path),
    });
    paired.add(from.path).add(to.path);
  }
  for (const intent of intents) {
    if (paired.has(intent.path)) continue;
    const now = after.get(intent.path);
    const before = intent.before ? withoutVersion(intent.before) : undefined;
    const change = !before ? (now ? 'added' : undefined) : !now ? 'removed' : differs(before, now) ? 'modified' : undefined;
    if (change) changes.push({ change, path: intent.path, changeId: intent.changeId, before, after: now });
  }
  return changes.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Whether a reader gets other bytes (or another kind of record) than before. */
function differs(before: ModelVersion, after: ModelVersion): boolean {
  if (before.sha256 && after.sha256) return before.sha256 !== after.sha256;
  if (before.blobId && after.blobId) return before.blobId !== after.blobId;
  return before.status !== after.status || before.size !== after.size;
}

function modelChanged(change: ModelChange, commit: string): UnplacedRecord {
  // A removal describes the model that went; the others the model as it is now, with what it was.
  const current = change.change === 'removed' ? change.before : change.after;
  return {
    detailType: 'Model Changed',
    detail: {
      idempotencyKey: `mc-${change.changeId}`,
      change: change.change,
      path: change.path,
      ...(change.previousPath !== undefined ? { previousPath: change.previousPath } : {}),
      commit,
      ...current,
      ...(change.change !== 'removed' && change.before ? { previous: change.before } : {}),
    },
  };
}

function withoutVersion(before: NonNullable<ChangeIntent['before']>): ModelVersion {
  const { version: _version, ...rest } = before;
  return rest;
}

function digest(...parts: string[]): string {
  return createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 22);
}

async function forEachLimited<T>(items: readonly T[], limit: number, run: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) await run(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
