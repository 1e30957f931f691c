/**
 * The one way the sync engine opens a git snapshot: its commit must be the branch head the REST API names. The
 * git side may land elsewhere (a ref that resolved to another commit, such as a tag named like the branch, or a
 * git replica behind the API), and a snapshot taken on trust would then be synced or verified as the head.
 */
import { SnapshotUnavailableError } from './errors';
import type { SourceRepository, SourceSnapshot } from './ports';

/**
 * A snapshot of `branch` whose commit is `expected` (the head read before), or a newer head that REST, asked
 * again, names (a push landed in between). Any other commit is refused with SnapshotUnavailableError, which
 * makes the caller read over REST and say why.
 */
export async function openHeadSnapshot(source: SourceRepository, branch: string, expected: string): Promise<SourceSnapshot> {
  if (!source.snapshot) throw new SnapshotUnavailableError('the source offers no git snapshots');
  const snapshot = await source.snapshot(branch);
  if (snapshot.commit === expected) return snapshot;
  try {
    const head = await source.getBranchHead(branch);
    if (head === snapshot.commit) return snapshot;
    throw new SnapshotUnavailableError(
      `the git fetch of ${branch} landed on ${snapshot.commit.slice(0, 12)}, not on the branch's head ${head.slice(0, 12)} over REST`,
    );
  } catch (error) {
    await snapshot.close();
    throw error;
  }
}
