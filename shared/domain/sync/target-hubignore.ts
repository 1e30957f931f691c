/**
 * Reads a commit's `.hubignore` the same way on both transports. A `.hubignore` that is no regular file (a
 * symbolic link or a submodule) is treated as absent, as git treats a `.gitignore` that is a symbolic link
 * (gitignore(5): not followed, so a tree and a checkout behave alike): its bytes are a link target or a commit
 * id, never rules. The run says so (`notice`), so nobody wonders why the file had no effect.
 */
import { HUBIGNORE_FILE } from '../../models/model-selection';
import { SourceEntryNotAFileError, SourceFileMissingError } from './errors';
import type { SourceRepository, SourceSnapshot } from './ports';

/** A commit's `.hubignore`: its text ('' when absent or not applied), and why it was not applied, when not. */
export interface TargetHubignore {
  readonly text: string;
  readonly notice?: string;
}

/** `.hubignore` of a snapshot's tree (its files hold regular files only: a link is asked about by reading it). */
export async function snapshotHubignoreOf(snapshot: SourceSnapshot): Promise<TargetHubignore> {
  try {
    return { text: (await snapshot.readFile(HUBIGNORE_FILE)).toString('utf8') };
  } catch (error) {
    if (error instanceof SourceFileMissingError && !snapshot.files.has(HUBIGNORE_FILE)) return { text: '' };
    return notApplied(error);
  }
}

/** `.hubignore` at `commit` over REST: absent from the listing, it is not fetched. */
export async function restHubignoreOf(source: SourceRepository, commit: string): Promise<TargetHubignore> {
  const files = await source.listFiles(commit).catch(() => undefined);
  // Listing is cached by the adapter per commit, so this costs no extra request when the plan lists anyway.
  if (files && !files.includes(HUBIGNORE_FILE)) return { text: '' };
  try {
    return { text: (await source.getFile(commit, HUBIGNORE_FILE)).toString('utf8') };
  } catch (error) {
    return notApplied(error);
  }
}

function notApplied(error: unknown): TargetHubignore {
  if (!(error instanceof SourceEntryNotAFileError)) throw error;
  const what = error.kind === 'symlink' ? 'a symbolic link' : 'a submodule';
  return { text: '', notice: `${HUBIGNORE_FILE} is ${what}, not a file: not applied (no path is excluded; commit it as a regular file)` };
}
