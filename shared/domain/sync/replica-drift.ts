/**
 * What a verification found: the ops that would make the stored models equal to the synced commit's tree, sorted
 * into drift (the replica lost, gained or changed a model behind the engine's back: a bug or a manual edit) and
 * backfills (records written before blob ids were kept, which cannot be compared and are simply rewritten).
 * Pure apart from `confirm`, which reads a file's bytes when a tree id alone cannot prove a difference.
 */
import type { SyncOp } from './plan';
import type { StoredModelSummary } from './ports';
import { lacksEntityIndex } from './stored-content';
import type { VerificationReport } from './sync-types';

/** At most this many paths are named in a report (the counts are always complete). */
export const MAX_REPORTED_PATHS = 20;

/** Differences between the stored models and the tree of the synced commit. */
export interface DriftSummary {
  /** Stored models that differed: the sum of the five kinds. */
  readonly count: number;
  /** In the tree, but no record was stored. */
  readonly missing: number;
  /** Stored with other bytes than the tree's. */
  readonly changed: number;
  /** Stored, but no model of the tree (deleted from the store). */
  readonly extra: number;
  /** Stored under another path than the tree's (moved back). */
  readonly misplaced: number;
  /** Stored with a body a reader cannot get (chunks missing, bytes that fail the record's checks): rewritten. */
  readonly corrupt: number;
  /** The first {@link MAX_REPORTED_PATHS} differing paths, sorted. */
  readonly paths: readonly string[];
}

/** How the comparison judged the ops of a snapshot plan. */
export interface ClassifiedOps {
  /** Ops to apply: drift repairs and backfills. */
  readonly repairs: SyncOp[];
  readonly drift: DriftSummary;
  /** Records without a blob id, rewritten so the next comparison can judge them; not drift. */
  readonly backfilled: number;
  /** Models of the tree that could not be read (e.g. a lost Git LFS object): left as they are, not compared. */
  readonly uncompared: number;
}

/**
 * What reading a model's bytes says about a put the ids asked for: `drift` (they differ), `same` (equal bytes under
 * another tree id, e.g. a Git LFS pointer whose content is stored), `unreadable` (not downloadable: not compared).
 */
export type ConfirmPut = (path: string, stored: StoredModelSummary | undefined) => Promise<'drift' | 'same' | 'unreadable'>;

/**
 * Sorts `ops` (a snapshot plan made when the cursor equals the tree's commit, so every op is a difference the sync
 * engine did not make) into repairs, drift and backfills.
 */
export async function classifyOps(
  ops: readonly SyncOp[],
  stored: readonly StoredModelSummary[],
  confirm: ConfirmPut,
): Promise<ClassifiedOps> {
  const byPath = new Map(stored.map((model) => [model.path, model]));
  const repairs: SyncOp[] = [];
  const paths: string[] = [];
  const kinds = { missing: 0, changed: 0, extra: 0, misplaced: 0, corrupt: 0 };
  let backfilled = 0;
  let uncompared = 0;
  for (const op of ops) {
    if (op.kind === 'delete') {
      kinds.extra += 1;
      paths.push(op.path);
    } else if (op.kind === 'move') {
      kinds.misplaced += 1;
      paths.push(op.from);
    } else {
      const current = byPath.get(op.path);
      if (current?.unreadableBody) {
        kinds.corrupt += 1;
        paths.push(op.path);
      } else if (current && (!current.blobId || lacksEntityIndex(current))) {
        backfilled += 1;
      } else {
        const verdict = await confirm(op.path, current);
        if (verdict === 'same') continue;
        if (verdict === 'unreadable') {
          uncompared += 1;
          continue;
        }
        kinds[current ? 'changed' : 'missing'] += 1;
        paths.push(op.path);
      }
    }
    repairs.push(op);
  }
  const count = kinds.missing + kinds.changed + kinds.extra + kinds.misplaced + kinds.corrupt;
  return { repairs, drift: { count, ...kinds, paths: paths.sort().slice(0, MAX_REPORTED_PATHS) }, backfilled, uncompared };
}

/** The events-log text of a drift: how many, of which kind, which paths. */
export function describeDrift(drift: DriftSummary, commit: string): string {
  const kinds = (['changed', 'missing', 'extra', 'misplaced', 'corrupt'] as const)
    .filter((kind) => drift[kind] > 0)
    .map((kind) => `${drift[kind]} ${kind}`);
  const more = drift.count > drift.paths.length ? `, and ${drift.count - drift.paths.length} more` : '';
  return `${drift.count} model(s) differed from ${commit.slice(0, 12)} (${kinds.join(', ')}): ${drift.paths.join(', ')}${more}`;
}

/** The events-log text of a verification: "verified: no drift (N models)", "drift: …; repaired n", "not verified: …". */
export function describeVerification(verification: VerificationReport): string {
  if (verification.status === 'not-verified') return `not verified: ${verification.reason ?? 'no reason recorded'}`;
  const notes = [
    verification.backfilled > 0 ? `${verification.backfilled} backfilled with blob ids or entity indexes` : '',
    verification.uncompared > 0 ? `${verification.uncompared} unreadable, not compared` : '',
  ].filter(Boolean);
  const via = verification.via === 'rest' ? ' over REST' : '';
  if (verification.status === 'no-drift' || !verification.drift)
    return `verified${via}: no drift (${verification.models} models${notes.map((note) => `; ${note}`).join('')})`;
  const incomplete = verification.repairIncomplete ? ' (stopped early: the next sync is a full one)' : '';
  return [
    `drift${via}: ${describeDrift(verification.drift, verification.commit ?? '')}; repaired ${verification.repaired}${incomplete}`,
    ...notes,
  ].join('; ');
}
