/**
 * A repository added to the hub and the defaults of its model selection: domain vocabulary shared by the
 * stores, the sync engine and the CLI, so no adapter owns it.
 */

/** A repository added to the hub. Matched by uuid, which survives renames and transfers. */
export interface RepositoryConfig {
  readonly uuid: string;
  readonly fullName: string;
  /** gitignore-style pattern of model files. */
  readonly modelPattern: string;
  readonly addedAt: string;
  /**
   * Id of the stored access token this repository reads Bitbucket with; several repositories may share one (a
   * project or workspace access token). Absent on repositories added before tokens were shared: their token is
   * stored under their own uuid.
   */
  readonly tokenId?: string;
}

/** Model files of a repository unless its admin set another pattern: Hackolade models at any depth (gitignore semantics). */
export const DEFAULT_MODEL_PATTERN = '*.hck.json';

/** Name of the optional file at the repository root that excludes paths from replication (gitignore syntax). */
export const HUBIGNORE_FILE = '.hubignore';
