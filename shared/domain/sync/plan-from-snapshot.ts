/**
 * Planning a sync from a whole tree with blob ids (a git snapshot): compare each model's id with the stored one
 * and write only what differs. Pure. The plan lists only outstanding work, so derived again after some of it was
 * applied it is the rest of the same plan: a resume needs no stored plan.
 */
import type { IsModel, SyncOp } from './plan';
import type { StoredModelSummary } from './ports';
import { lacksEntityIndex } from './stored-content';

const PHASE = { delete: 0, move: 1, put: 2 } as const;

/**
 * Ops that make the stored models equal to the tree's models:
 * - a stored model whose id equals the tree's: nothing (a full resync of an unchanged repository writes nothing);
 * - a tree model whose id equals that of a stored model leaving its path: a move (pure exactly when ids match);
 * - any other tree model (new, changed, stored without a known id or entity index, or stored with a body a reader
 *   cannot get): a put;
 * - a stored model no longer in the tree's selection: a delete.
 */
export function planFromSnapshot(files: ReadonlyMap<string, string>, isModel: IsModel, stored: readonly StoredModelSummary[]): SyncOp[] {
  const desired = [...files.keys()].filter(isModel).sort(compare);
  const desiredSet = new Set(desired);
  const storedByPath = new Map(stored.map((model) => [model.path, model]));
  // Stored models that leave, by blob id (sorted, so the pairing is the same every time the plan is derived).
  const leaving = new Map<string, string[]>();
  for (const model of [...stored].sort((a, b) => compare(a.path, b.path))) {
    if (desiredSet.has(model.path) || !model.blobId || model.unreadableBody || lacksEntityIndex(model)) continue;
    leaving.set(model.blobId, [...(leaving.get(model.blobId) ?? []), model.path]);
  }
  const moved = new Set<string>();
  const ops: SyncOp[] = [];
  for (const path of desired) {
    const blobId = files.get(path)!;
    const current = storedByPath.get(path);
    if (current?.blobId === blobId && !current.unreadableBody && !lacksEntityIndex(current)) continue;
    const from = current ? undefined : leaving.get(blobId)?.shift();
    if (from !== undefined) {
      moved.add(from);
      ops.push({ kind: 'move', from, to: path, key: `${PHASE.move}:${from}` });
    } else {
      ops.push({ kind: 'put', path, change: current ? 'updated' : 'added', blobId, key: `${PHASE.put}:${path}` });
    }
  }
  for (const model of stored) {
    if (!desiredSet.has(model.path) && !moved.has(model.path))
      ops.push({ kind: 'delete', path: model.path, key: `${PHASE.delete}:${model.path}` });
  }
  return ops.sort((a, b) => compare(a.key, b.key));
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
