/**
 * What the stored models hold, for a comparison with a git tree. Two things make a record's blob id alone the
 * wrong answer: a body edited behind the engine's back (its attributes intact), which a verification must see as a
 * reader does; and a Git LFS file, whose tree entry is the pointer's blob id while the store keeps the content's.
 * Pure apart from reading pointers of the snapshot (local reads, no request).
 */
import type { IsModel } from './plan';
import type { LfsPointerIdentity, ReadBackModel, SourceSnapshot, StoredModelSummary } from './ports';

/**
 * The stored models as a reader gets them: the ids of the bytes read back (not the record's), and a record whose
 * body a reader cannot get marked `unreadableBody`, so a comparison rewrites it whatever its ids say.
 */
export function storedAsRead(models: readonly ReadBackModel[]): StoredModelSummary[] {
  return models.map(({ body, ...record }) => {
    if (body === undefined) return record;
    if (body === 'unreadable') return { ...record, unreadableBody: true };
    // A record written before blob ids were kept stays without one: the comparison backfills it.
    return { ...record, ...(record.blobId ? { blobId: body.blobId } : {}), sha256: body.sha256, size: body.size };
  });
}

/** Whether a Git LFS pointer names the content stored in `stored` (same sha256 and size, and a readable body). */
export function pointsAtStored(pointer: LfsPointerIdentity, stored: StoredModelSummary | undefined): boolean {
  return stored !== undefined && !stored.unreadableBody && stored.sha256 === pointer.sha256 && stored.size === pointer.size;
}

/**
 * The snapshot's files with the id of each model that is a Git LFS pointer to the content stored at its path
 * replaced by the stored blob id, so a snapshot plan takes it as unchanged instead of downloading and rewriting it
 * on every full sync. Reads (locally) only the models whose tree id differs from a stored record's id.
 */
export async function resolveLfsPointers(
  snapshot: SourceSnapshot,
  isModel: IsModel,
  stored: readonly StoredModelSummary[],
): Promise<ReadonlyMap<string, string>> {
  if (!snapshot.lfsPointer) return snapshot.files;
  const files = new Map(snapshot.files);
  for (const model of stored) {
    const treeId = files.get(model.path);
    if (treeId === undefined || treeId === model.blobId || !model.blobId || !model.sha256 || !isModel(model.path)) continue;
    const pointer = await snapshot.lfsPointer(model.path);
    if (pointer && pointsAtStored(pointer, model)) files.set(model.path, model.blobId);
  }
  return files;
}
