/**
 * Planning a sync: turning what Bitbucket says changed (or what the tree holds) into an ordered list of
 * idempotent operations on the model store. Pure: the engine fetches, this decides.
 *
 * Plans are re-derived, not stored, when a long sync resumes (a 10,000-model plan does not fit in a DynamoDB
 * item): the inputs for one target commit are deterministic, ops are sorted by `key`, and progress is a
 * watermark key below which every op is done.
 */

/** A file change between two commits (from Bitbucket's diffstat, in git's old→new direction). */
export interface PlannedChange {
  readonly status: 'added' | 'removed' | 'modified' | 'renamed';
  readonly oldPath?: string;
  readonly newPath?: string;
  /** True only when the source proves a rename kept the content (line counts prove nothing: binary files count 0/0). */
  readonly contentUnchanged?: boolean;
}

export type SyncOp =
  | { readonly kind: 'delete'; readonly path: string; readonly key: string }
  | { readonly kind: 'move'; readonly from: string; readonly to: string; readonly key: string }
  | {
      readonly kind: 'put';
      readonly path: string;
      readonly key: string;
      readonly change: 'added' | 'updated';
      /** The tree's blob id when known (a snapshot plan), kept on a too-large record so the next compare skips it. */
      readonly blobId?: string;
    };

export type IsModel = (path: string) => boolean;

/** Deletes first, then moves, then puts: a path freed by a delete or move may be written again. */
const PHASE = { delete: 0, move: 1, put: 2 } as const;

function op<T extends Omit<SyncOp, 'key'>>(value: T, path: string): T & { key: string } {
  return { ...value, key: `${PHASE[value.kind]}:${path}` };
}

/**
 * Plans an incremental sync from a diff. A rename whose content is proven unchanged becomes a move (no refetch) when
 * both paths are models and neither path takes part in another change; otherwise it is a delete and a put.
 * Removals are planned for every path that would be a model under the current selection, and for paths the
 * store holds (`stored`), so nothing that was replicated is left behind.
 */
export function planFromDiff(changes: readonly PlannedChange[], isModel: IsModel, stored: ReadonlySet<string>): SyncOp[] {
  const touches = new Map<string, number>();
  const touch = (path: string | undefined) => path !== undefined && touches.set(path, (touches.get(path) ?? 0) + 1);
  for (const change of changes) {
    touch(change.oldPath);
    if (change.newPath !== change.oldPath) touch(change.newPath);
  }
  const wasModel = (path: string) => stored.has(path) || isModel(path);
  const ops = new Map<string, SyncOp>();
  const add = (next: SyncOp) => ops.set(next.key, next);

  for (const change of changes) {
    const { oldPath, newPath } = change;
    switch (change.status) {
      case 'added':
      case 'modified':
        if (newPath !== undefined && isModel(newPath))
          add(op({ kind: 'put', path: newPath, change: change.status === 'added' && !stored.has(newPath) ? 'added' : 'updated' }, newPath));
        break;
      case 'removed':
        if (oldPath !== undefined && wasModel(oldPath)) add(op({ kind: 'delete', path: oldPath }, oldPath));
        break;
      case 'renamed': {
        const fromModel = oldPath !== undefined && wasModel(oldPath);
        const toModel = newPath !== undefined && isModel(newPath);
        const independent = touches.get(oldPath!) === 1 && touches.get(newPath!) === 1;
        if (fromModel && toModel && change.contentUnchanged && independent && stored.has(oldPath!)) {
          add(op({ kind: 'move', from: oldPath!, to: newPath! }, oldPath!));
          break;
        }
        if (fromModel) add(op({ kind: 'delete', path: oldPath! }, oldPath!));
        if (toModel) add(op({ kind: 'put', path: newPath!, change: stored.has(newPath!) ? 'updated' : 'added' }, newPath!));
        break;
      }
    }
  }
  return sortOps([...ops.values()]);
}

/**
 * Plans a sync from a full listing of the target commit: every model of the tree in `refetch` is written, and
 * every stored model that is no longer a model is deleted. A full sync refetches all models (Bitbucket's
 * listing carries no content hash); re-applying a changed `.hubignore` refetches only the newly selected ones
 * plus those the diff changed.
 */
export function planFromListing(
  files: readonly string[],
  isModel: IsModel,
  stored: ReadonlySet<string>,
  refetch: 'all' | ReadonlySet<string>,
): SyncOp[] {
  const desired = new Set(files.filter(isModel));
  const ops: SyncOp[] = [];
  for (const path of stored) if (!desired.has(path)) ops.push(op({ kind: 'delete', path }, path));
  for (const path of desired) {
    if (refetch === 'all' || refetch.has(path) || !stored.has(path))
      ops.push(op({ kind: 'put', path, change: stored.has(path) ? 'updated' : 'added' }, path));
  }
  return sortOps(ops);
}

/** Ops not yet done after a checkpoint (every op with a key up to and including `watermark` is done). */
export function remainingOps(ops: readonly SyncOp[], watermark: string | undefined): SyncOp[] {
  return watermark === undefined ? [...ops] : ops.filter((candidate) => candidate.key > watermark);
}

function sortOps(ops: SyncOp[]): SyncOp[] {
  return ops.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
}
