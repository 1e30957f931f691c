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

/**
 * Whether a stored valid model has no entity index (written before indexes were kept): search cannot find its
 * objects, so a comparison rewrites it like a record without a blob id, and a verification counts it as backfilled.
 */
export function lacksEntityIndex(model: StoredModelSummary): boolean {
  return model.status === 'valid' && model.indexChunks === undefined;
}

/** Whether a Git LFS pointer names the content stored in `stored` (same sha256 and size, and a readable body). */
export function pointsAtStored(pointer: LfsPointerIdentity, stored: StoredModelSummary | undefined): boolean {
  return stored !== undefined && !stored.unreadableBody && stored.sha256 === pointer.sha256 && stored.size === pointer.size;
}

/**
 * The snapshot's files with the id of each model that is a Git LFS pointer to stored content replaced by the
 * stored blob id: the content stored at its path (a snapshot plan then takes it as unchanged instead of downloading
 * and rewriting it on every full sync), or at a path that leaves the tree (the plan then moves it). Reads (locally)
 * only the pointers of models whose tree id differs from the id stored at their path.
 */
export async function resolveLfsPointers(
  snapshot: SourceSnapshot,
  isModel: IsModel,
  stored: readonly StoredModelSummary[],
): Promise<ReadonlyMap<string, string>> {
  if (!snapshot.lfsPointer) return snapshot.files;
  const files = new Map(snapshot.files);
  const storedByPath = new Map(stored.map((model) => [model.path, model]));
  const comparable = (model: StoredModelSummary | undefined): model is StoredModelSummary & { blobId: string } =>
    model?.blobId !== undefined && model.sha256 !== undefined && !model.unreadableBody;
  const leaving = stored.filter((model) => comparable(model) && !(files.has(model.path) && isModel(model.path)));
  for (const [path, treeId] of snapshot.files) {
    const current = storedByPath.get(path);
    if (!isModel(path) || treeId === current?.blobId || (current ? !comparable(current) : leaving.length === 0)) continue;
    const pointer = await snapshot.lfsPointer(path);
    if (!pointer) continue;
    const same = current
      ? pointsAtStored(pointer, current)
        ? current
        : undefined
      : leaving.find((model) => pointsAtStored(pointer, model));
    if (same?.blobId) files.set(path, same.blobId);
  }
  return files;
}
