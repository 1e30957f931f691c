/**
 * Decides what a sync does: from the saved progress and the source, the ops that bring the stored models to
 * the target commit (the diff, a reselection after a `.hubignore` change, or a full listing).
 */
import { createModelSelector } from '../../models/model-selection';
import { HUBIGNORE_FILE } from '../repository-config';
import { DiffUnavailableError } from './errors';
import { planFromDiff, planFromListing, type SyncOp } from './plan';
import type { SourceRepository, SyncMode, SyncProgress, SyncState } from './ports';
import type { SyncDeps, SyncTarget } from './sync-types';

/** The ops of the plan, the mode it turned out to be, and the `.hubignore` text at the target commit. */
export async function derivePlan(
  target: SyncTarget,
  progress: SyncProgress,
  state: SyncState,
  deps: SyncDeps,
): Promise<{ ops: SyncOp[]; mode: SyncMode; hubignore: string; fallbackReason?: string }> {
  const listStored = async () => new Set((await deps.models.listModels(target.uuid)).map((model) => model.path));
  const readHubignore = () => readOptionalFile(deps.source, progress.toCommit, HUBIGNORE_FILE);

  if (progress.mode !== 'full' && progress.fromCommit) {
    let changes;
    let fallbackReason: string | undefined;
    try {
      changes = await deps.source.listChangedFiles(progress.toCommit, progress.fromCommit);
    } catch (error) {
      if (!(error instanceof DiffUnavailableError)) throw error;
      fallbackReason = error.message;
    }
    if (changes) {
      const hubignoreChanged = changes.some((change) => change.oldPath === HUBIGNORE_FILE || change.newPath === HUBIGNORE_FILE);
      if (!hubignoreChanged && state.hubignore !== undefined) {
        const isModel = createModelSelector({ pattern: target.modelPattern, hubignore: state.hubignore });
        // Only the diff's paths matter: look them up rather than list the whole repository.
        const touched = changes.flatMap((change) => [change.oldPath, change.newPath].filter((path): path is string => path !== undefined));
        const stored = await deps.models.existingPaths(target.uuid, touched);
        return { ops: planFromDiff(changes, isModel, stored), mode: 'incremental', hubignore: state.hubignore };
      }
      // A changed .hubignore re-applies to the whole tree: newly ignored models go, un-ignored ones come back.
      const hubignore = await readHubignore();
      const isModel = createModelSelector({ pattern: target.modelPattern, hubignore });
      const changed = new Set(changes.flatMap((change) => (change.newPath && change.status !== 'removed' ? [change.newPath] : [])));
      const files = await deps.source.listFiles(progress.toCommit);
      return { ops: planFromListing(files, isModel, await listStored(), changed), mode: 'reselect', hubignore };
    }
    const hubignore = await readHubignore();
    const files = await deps.source.listFiles(progress.toCommit);
    return {
      ops: planFromListing(files, createModelSelector({ pattern: target.modelPattern, hubignore }), await listStored(), 'all'),
      mode: 'full',
      hubignore,
      fallbackReason,
    };
  }
  const hubignore = await readHubignore();
  const files = await deps.source.listFiles(progress.toCommit);
  return {
    ops: planFromListing(files, createModelSelector({ pattern: target.modelPattern, hubignore }), await listStored(), 'all'),
    mode: 'full',
    hubignore,
  };
}

export async function readOptionalFile(source: SourceRepository, commit: string, path: string): Promise<string> {
  const files = await source.listFiles(commit).catch(() => undefined);
  // Listing is cached by the adapter per commit, so this costs no extra request when the plan lists anyway.
  if (files && !files.includes(path)) return '';
  return (await source.getFile(commit, path)).toString('utf8');
}
