/**
 * A replica that verifies itself: brings a repository to the head of its branch (a normal sync), then compares
 * every stored model, as a reader gets it (its body read back and hashed, not its record's attributes), with the
 * head's tree (blob ids from one git snapshot) and repairs what differs. Any difference
 * found while the cursor equals the tree's commit is drift, which the sync engine alone never produces; a push
 * during the check is no drift (the check is made again once, else reported as not verified).
 */
import { createModelSelector, HUBIGNORE_FILE } from '../../models/model-selection';
import { gitBlobId } from '../../models/git-blob-id';
import { applyOps } from './apply-ops';
import { readOptionalFile, snapshotHubignore } from './derive-plan';
import {
  SnapshotUnavailableError,
  SourceDeadlineError,
  SourceEntryNotAFileError,
  SourceFileMissingError,
  SourceFileTooLargeError,
  SourceRateLimitedError,
} from './errors';
import { openHeadSnapshot } from './head-snapshot';
import type { IsModel, SyncOp } from './plan';
import { planFromSnapshot } from './plan-from-snapshot';
import type { SourceSnapshot, StoredModelSummary, SyncTransport } from './ports';
import { classifyOps, type ConfirmPut } from './replica-drift';
import { pointsAtStored, resolveLfsPointers, storedAsRead } from './stored-content';
import { readingAt, syncRepository } from './sync-repository';
import { SyncRunRecord } from './sync-run-record';
import {
  combineReports,
  DEFAULT_SAFETY_MARGIN_MS,
  zeroCounts,
  type SyncDeps,
  type SyncReport,
  type SyncTarget,
  type VerificationReport,
  type VerifyOptions,
} from './sync-types';

/** Without git, a comparison downloads every model: worth it for small repositories only (as the git threshold). */
const DEFAULT_REST_VERIFY_MAX_MODELS = 100;

/**
 * Syncs the repository to its head, then verifies the stored models against the head's tree and repairs any
 * difference. The report is the sync's, with `verification` saying what the comparison found; a verification
 * that could not compare says why (`not-verified`), never "no drift".
 */
export async function verifyRepository(target: SyncTarget, options: VerifyOptions, deps: SyncDeps): Promise<SyncReport> {
  let report = await syncRepository(target, options, deps);
  for (let attempt = 1; ; attempt++) {
    if (report.outcome !== 'synced' && report.outcome !== 'up-to-date') return { ...report, verification: notVerified(whyNot(report)) };
    if (options.remainingTimeMs() < (options.safetyMarginMs ?? DEFAULT_SAFETY_MARGIN_MS))
      // The continuation finds the cursor at the head (two API calls) and compares with a full invocation's time.
      return { ...report, outcome: 'partial', verification: notVerified('no time left in this invocation; its continuation verifies') };
    const verification = await compareAndRepair(target, report.branch!, options, deps);
    if (verification !== 'moved') {
      await deps.changes?.verified(verification);
      return { ...report, verification };
    }
    // A push landed between the sync and the snapshot: not drift. Sync to the new head and compare once more.
    if (attempt >= 2)
      return { ...report, verification: notVerified('the branch moved during the verification, twice; the next verification tries again') };
    report = merge(report, await syncRepository(target, { ...options, mode: undefined, fromCommit: undefined }, deps));
  }
}

function whyNot(report: SyncReport): string {
  switch (report.outcome) {
    case 'partial':
      return 'the sync to the head goes on in another invocation, which verifies';
    case 'deferred':
      return "Bitbucket's rate limit parked the sync to the head";
    case 'no-branch':
      return 'the repository has no default branch (no commits)';
    case 'blocked':
      return report.blockedReason ?? 'the sync to the head is blocked';
    default:
      return `the sync ended ${report.outcome}`;
  }
}

function merge(first: SyncReport, next: SyncReport): SyncReport {
  return combineReports(first, next, first.continued === true || next.continued === true);
}

const notVerified = (reason: string, uncompared = 0): VerificationReport => ({
  status: 'not-verified',
  reason,
  models: 0,
  backfilled: 0,
  repaired: 0,
  uncompared,
});

/** The tree a verification compares with, read over git or REST. */
interface ComparedTree {
  readonly via: SyncTransport;
  /** Files (path → blob id) the models are selected from. */
  readonly files: ReadonlyMap<string, string>;
  readonly hubignore: string;
  /** Models of the tree that could not be read: ops on them are left out, and they are counted as not compared. */
  readonly uncomparable: ReadonlySet<string>;
  /** `files` as a plan compares them with `stored`: Git LFS pointers to the stored content take the stored id. */
  planFiles(isModel: IsModel, stored: readonly StoredModelSummary[]): Promise<ReadonlyMap<string, string>>;
  readonly confirm: ConfirmPut;
  readFile(path: string): Promise<Buffer>;
  close(): Promise<void>;
}

async function compareAndRepair(
  target: SyncTarget,
  branch: string,
  options: VerifyOptions,
  deps: SyncDeps,
): Promise<VerificationReport | 'moved'> {
  const now = options.now ?? (() => new Date());
  const record = await SyncRunRecord.open(deps.state, target.uuid, now, options.requestUuid);
  const cursor = record.state.cursor;
  if (!cursor) return notVerified('no synced commit to compare with');
  let tree: ComparedTree | 'moved' | { reason: string };
  try {
    tree = await readTree(target, branch, cursor, options, deps);
  } catch (error) {
    if (error instanceof SourceDeadlineError || error instanceof SourceRateLimitedError)
      return notVerified(`reading the tree stopped: ${error.message}`);
    throw error;
  }
  if (tree === 'moved') return 'moved';
  if ('reason' in tree) return notVerified(tree.reason);
  const compared = tree;
  try {
    const stored = storedAsRead(await deps.models.readBackModels(target.uuid));
    const isModel = createModelSelector({ pattern: target.modelPattern, hubignore: compared.hubignore });
    const touchesUncomparable = (op: SyncOp) =>
      compared.uncomparable.has(op.kind === 'move' ? op.from : op.path) || (op.kind === 'move' && compared.uncomparable.has(op.to));
    const ops = planFromSnapshot(await compared.planFiles(isModel, stored), isModel, stored).filter((op) => !touchesUncomparable(op));
    let classified;
    try {
      classified = await classifyOps(ops, stored, compared.confirm);
    } catch (error) {
      if (error instanceof SourceDeadlineError || error instanceof SourceRateLimitedError)
        return notVerified(`reading the models to compare stopped: ${error.message}`);
      throw error;
    }
    const uncompared = classified.uncompared + compared.uncomparable.size;
    const models =
      [...compared.files.keys()].filter((path) => isModel(path) && !compared.uncomparable.has(path)).length - classified.uncompared;
    // Nothing compared proves nothing: that is no "no drift".
    if (models === 0 && uncompared > 0 && classified.repairs.length === 0)
      return notVerified(`none of the ${uncompared} models of the tree could be read, so none was compared`, uncompared);
    const found = {
      commit: cursor,
      via: compared.via,
      models,
      drift: classified.drift,
      backfilled: classified.backfilled,
      uncompared,
      status: classified.drift.count > 0 ? ('drift' as const) : ('no-drift' as const),
    };
    if (classified.repairs.length === 0) return { ...found, repaired: 0 };

    const progress = {
      branch,
      pattern: target.modelPattern,
      fromCommit: cursor,
      toCommit: cursor,
      mode: 'full' as const,
      transport: compared.via,
      startedAt: now().toISOString(),
      counts: zeroCounts(),
      invocations: 1,
    };
    const reading = { ...deps, source: readingAt(deps.source, cursor, (path) => compared.readFile(path)) };
    let run;
    try {
      // Repairs are few and idempotent: no checkpoints; an interrupted repair is handed to a full sync instead.
      run = await applyOps(target, progress, classified.repairs, options, reading, async () => undefined);
    } catch (error) {
      await distrust(record, target, stored, deps).catch(() => undefined);
      throw error;
    }
    if (!run.stoppedBy) return { ...found, repaired: run.applied };
    await distrust(record, target, stored, deps);
    return { ...found, repaired: run.applied, repairIncomplete: true };
  } finally {
    await compared.close();
  }
}

/**
 * A repair that stopped half way leaves the store matching no commit: forget the cursor, so the next sync is full.
 * A record whose body no reader can get and that the repair did not reach is deleted too: its ids still match the
 * tree, so a full sync (which compares ids) would keep it; deleted, the full sync writes it again.
 */
async function distrust(record: SyncRunRecord, target: SyncTarget, stored: readonly StoredModelSummary[], deps: SyncDeps): Promise<void> {
  await record.save({ ...record.withoutProgress(), cursor: undefined, lastRun: record.lastRun('verify-repair-incomplete') });
  const unreadable = new Map(stored.filter((model) => model.unreadableBody && model.version).map((model) => [model.path, model.version]));
  if (unreadable.size === 0) return;
  for (const model of await deps.models.listModels(target.uuid))
    if (model.version !== undefined && unreadable.get(model.path) === model.version) await deps.models.deleteModel(target.uuid, model.path);
}

async function readTree(
  target: SyncTarget,
  branch: string,
  cursor: string,
  options: VerifyOptions,
  deps: SyncDeps,
): Promise<ComparedTree | 'moved' | { reason: string }> {
  let gitReason = 'the source offers no git access';
  if (deps.source.snapshot) {
    try {
      const snapshot = await openHeadSnapshot(deps.source, branch, cursor);
      if (snapshot.commit === cursor) return await snapshotTree(snapshot);
      await snapshot.close();
      return 'moved';
    } catch (error) {
      if (!(error instanceof SnapshotUnavailableError)) throw error;
      gitReason = `git unavailable (${error.message})`;
    }
  }
  return restTree(target, cursor, options, deps, gitReason);
}

async function snapshotTree(snapshot: SourceSnapshot): Promise<ComparedTree> {
  try {
    const hubignore = await snapshotHubignore(snapshot);
    return {
      via: 'git',
      files: snapshot.files,
      hubignore,
      uncomparable: new Set(),
      planFiles: (isModel, stored) => resolveLfsPointers(snapshot, isModel, stored),
      // A tree id that differs from the stored one may still name the same content: a Git LFS pointer's names the
      // content by sha256 (no download); other files are compared by their bytes before calling it drift.
      confirm: async (path, stored) => {
        const pointer = await snapshot.lfsPointer?.(path);
        if (pointer) return pointsAtStored(pointer, stored) ? 'same' : 'drift';
        let bytes: Buffer;
        try {
          bytes = await snapshot.readFile(path);
        } catch (error) {
          if (error instanceof SourceFileMissingError) return 'unreadable';
          if (error instanceof SourceFileTooLargeError) return 'drift';
          throw error;
        }
        return stored?.blobId === gitBlobId(bytes) ? 'same' : 'drift';
      },
      readFile: (path) => snapshot.readFile(path),
      close: () => snapshot.close(),
    };
  } catch (error) {
    await snapshot.close();
    throw error;
  }
}

/** The cursor's tree over REST: the listing, and every model downloaded for its blob id (small repositories only). */
async function restTree(
  target: SyncTarget,
  cursor: string,
  options: VerifyOptions,
  deps: SyncDeps,
  gitReason: string,
): Promise<ComparedTree | { reason: string }> {
  const hubignore = await readOptionalFile(deps.source, cursor, HUBIGNORE_FILE);
  const isModel = createModelSelector({ pattern: target.modelPattern, hubignore });
  const paths = (await deps.source.listFiles(cursor)).filter(isModel);
  const limit = options.restVerifyMaxModels ?? DEFAULT_REST_VERIFY_MAX_MODELS;
  if (paths.length > limit)
    return { reason: `${gitReason}; comparing ${paths.length} models over REST would download every one (limit ${limit})` };
  const stored = new Map<string, StoredModelSummary>((await deps.models.listModels(target.uuid)).map((model) => [model.path, model]));
  const files = new Map<string, string>();
  const uncomparable = new Set<string>();
  for (const path of paths) {
    try {
      files.set(path, gitBlobId(await deps.source.getFile(cursor, path)));
    } catch (error) {
      if (error instanceof SourceEntryNotAFileError) continue; // no model: a record at its path is extra
      if (error instanceof SourceFileMissingError) uncomparable.add(path);
      else if (!(error instanceof SourceFileTooLargeError)) throw error;
      else if (stored.get(path)?.status === 'too-large') uncomparable.add(path);
      else files.set(path, ''); // no id to compare: stored as a model, so the repair records it as too large
    }
  }
  return {
    via: 'rest',
    files,
    hubignore,
    uncomparable,
    planFiles: async () => files, // REST gives the content itself, never a Git LFS pointer
    confirm: async () => 'drift', // the ids above are the bytes' own
    readFile: (path) => deps.source.getFile(cursor, path),
    close: async () => undefined,
  };
}
