/**
 * A repository added to the hub: domain vocabulary shared by the stores, the sync engine and the CLI, so no adapter
 * owns it. The defaults of its model selection live with the selection (shared/models/model-selection.ts).
 */
import { randomBytes } from 'node:crypto';

/** A repository added to the hub. Matched by uuid, which survives renames and transfers. */
export interface RepositoryConfig {
  readonly uuid: string;
  /** `workspace/repo_slug` as last known: what people read (a rename is recorded when a push or Bitbucket names it). */
  readonly fullName: string;
  /**
   * Uuid (with braces) of the repository's workspace, as last known. With it the hub addresses the repository in
   * Bitbucket by uuids, so renames and transfers do not break it; absent on repositories added before it was
   * stored (they are addressed by `fullName` until a push or an admin command fills it in).
   */
  readonly workspaceUuid?: string;
  /** gitignore-style pattern of model files. */
  readonly modelPattern: string;
  readonly addedAt: string;
  /**
   * Id of the stored access token this repository reads Bitbucket with; several repositories may share one (a
   * project or workspace access token). Absent on repositories added before tokens were shared: their token is
   * stored under their own uuid.
   */
  readonly tokenId?: string;
  /**
   * New at every `repo add`: work queued or in flight for an earlier generation (before a `repo remove`) cannot
   * write models or sync state of this one. Absent for repositories added before generations existed.
   */
  readonly generation?: string;
}

/** A fresh repository generation (random, so a re-add on another machine with another clock cannot collide). */
export function newRepositoryGeneration(now: Date = new Date()): string {
  return `${now.toISOString()}-${randomBytes(6).toString('hex')}`;
}
