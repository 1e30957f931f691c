/**
 * The repository reads the sync needs (repository, branch head, diffstat, recursive `/src` listing, file bytes),
 * each one endpoint call through the transport, with Bitbucket's JSON turned into small typed values.
 */
import { BitbucketDiffTooLargeError, BitbucketError } from './errors';
import { cloneUrlFrom } from '../git/clone-url';
import { encodePath, endpointUrl, repositoryName, repositoryParams, type RepositoryAddress } from './bitbucket-endpoints';
import type { BitbucketTransport } from './bitbucket-transport';

/** Page size asked of diffstat: its documented maximum. */
export const DIFFSTAT_PAGELEN = 5000;
// /src pages default to 10 entries; 100 is the documented global maximum.
const SRC_PAGELEN = 100;

/** Kind of change of one file between two commits. */
export type FileChangeStatus = 'added' | 'removed' | 'modified' | 'renamed';

/**
 * One changed file. `added` has only `newPath`, `removed` only `oldPath`, `modified` and `renamed` both.
 * Statuses Bitbucket may add (merge conflicts and the like) are reported as `modified` with whichever paths it gave.
 */
export interface FileChange {
  status: FileChangeStatus;
  oldPath?: string;
  newPath?: string;
  /** Lines added and removed, as Bitbucket counts them: a rename with 0 and 0 kept its content. */
  linesAdded?: number;
  linesRemoved?: number;
}

/** What a tree entry is: a regular file, a symbolic link, or a submodule (Bitbucket's `subrepository`). */
export type TreeEntryKind = 'file' | 'symlink' | 'submodule';

/** One non-directory entry of a commit's tree, as `/src` lists it. */
export interface TreeEntry {
  readonly path: string;
  readonly kind: TreeEntryKind;
  /** Bytes of a file, when Bitbucket said. */
  readonly size?: number;
}

/** Repository facts the sync needs. */
export interface BitbucketRepositoryInfo {
  /** Immutable id with braces, e.g. `{3deb8c29-778a-450c-8f69-3e50a18079df}`. */
  uuid: string;
  /** `workspace/repo_slug` as Bitbucket spells it now. */
  fullName: string;
  /** The uuid (with braces) of the workspace the repository is in now (`workspace.uuid`), when Bitbucket said. */
  workspaceUuid?: string;
  /** Default branch, absent for an empty repository without one. */
  mainBranch: string | undefined;
  /** The https clone URL without its user name (`links.clone`), for git smart HTTP; absent if not on Bitbucket's git host. */
  cloneUrl?: string;
}

/** The transport and the API root that resource and webhook calls are made through. */
export interface BitbucketApi {
  readonly transport: BitbucketTransport;
  /** API root without a trailing slash. */
  readonly baseUrl: string;
}

/** Reads the repository's uuid, current full name, workspace uuid and main branch (`GET /repositories/{workspace}/{repo_slug}`). */
export async function getRepository(api: BitbucketApi, repository: RepositoryAddress): Promise<BitbucketRepositoryInfo> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'repository', { ...repositoryParams(repository) });
  const json = (await api.transport.getJson(url, { repository: fullName, what: 'repository' })) as {
    uuid?: unknown;
    full_name?: unknown;
    mainbranch?: { name?: unknown } | null;
    workspace?: { uuid?: unknown } | null;
  };
  if (typeof json.uuid !== 'string' || typeof json.full_name !== 'string') {
    throw new BitbucketError(`Unexpected repository answer for ${fullName}: uuid or full_name missing.`, { repository: fullName });
  }
  const mainBranch = typeof json.mainbranch?.name === 'string' ? json.mainbranch.name : undefined;
  const cloneUrl = cloneUrlFrom(json, api.baseUrl);
  const workspaceUuid = typeof json.workspace?.uuid === 'string' ? json.workspace.uuid : undefined;
  return {
    uuid: json.uuid,
    fullName: json.full_name,
    mainBranch,
    ...(workspaceUuid ? { workspaceUuid } : {}),
    ...(cloneUrl ? { cloneUrl } : {}),
  };
}

/** Returns the commit hash `branch` points at now (`GET .../refs/branches/{name}`); 404 if it does not exist. */
export async function getBranchHead(api: BitbucketApi, repository: RepositoryAddress, branch: string): Promise<string> {
  const fullName = repositoryName(repository);
  // Branch names may contain '/', which Bitbucket expects literally in this path.
  const url = endpointUrl(api.baseUrl, 'branch', { ...repositoryParams(repository), name: encodePath(branch) });
  const json = (await api.transport.getJson(url, { repository: fullName, what: `branch ${JSON.stringify(branch)}` })) as {
    target?: { hash?: unknown };
  };
  const hash = json.target?.hash;
  if (typeof hash !== 'string')
    throw new BitbucketError(`Unexpected branch answer for ${fullName}: target.hash missing.`, { repository: fullName });
  return hash;
}

/** See `BitbucketClient.listChangedFiles`: the two-dot diffstat `new..old`, every page. */
export async function listChangedFiles(
  api: BitbucketApi,
  repository: RepositoryAddress,
  newCommit: string,
  oldCommit: string,
): Promise<FileChange[]> {
  const fullName = repositoryName(repository);
  const spec = `${encodeURIComponent(newCommit)}..${encodeURIComponent(oldCommit)}`;
  // The largest page Atlassian documents for diffstat (default 500): a big push costs as few requests as possible.
  const url = endpointUrl(
    api.baseUrl,
    'diffstat',
    { ...repositoryParams(repository), spec },
    { topic: 'false', pagelen: String(DIFFSTAT_PAGELEN) },
  );
  const changes: FileChange[] = [];
  for await (const value of api.transport.pagedValues(url, { repository: fullName, what: 'the diffstat' }))
    changes.push(toFileChange(value as DiffstatValue));
  return changes;
}

/** See `BitbucketClient.listTree`: breadth-first `/src` listings `maxDepth` deep, halved for a directory on 555. */
export async function listTree(api: BitbucketApi, repository: RepositoryAddress, commit: string, maxDepth: number): Promise<TreeEntry[]> {
  const files = new Map<string, TreeEntry>();
  const pending: string[] = [''];
  let depth = maxDepth;
  for (let dir = pending.shift(); dir !== undefined; dir = pending.shift()) {
    try {
      const entries = await listDirectory(api, repository, commit, dir, depth);
      const baseDepth = dir === '' ? 0 : dir.split('/').length;
      for (const entry of entries) {
        if (entry.type === 'commit_directory') {
          if (entry.path.split('/').length - baseDepth >= depth) pending.push(entry.path);
        } else if (entry.type === 'commit_file' || entry.kind !== 'file') {
          files.set(entry.path, { path: entry.path, kind: entry.kind, ...(entry.size !== undefined ? { size: entry.size } : {}) });
        }
      }
    } catch (error) {
      if (!(error instanceof BitbucketDiffTooLargeError) || depth === 1) throw error;
      depth = Math.max(1, Math.floor(depth / 2));
      pending.unshift(dir);
    }
  }
  return [...files.values()];
}

/** What `path` is at `commit`, and its size (`GET .../src/{commit}/{path}?format=meta`); 404 when absent. */
export async function getTreeEntry(api: BitbucketApi, repository: RepositoryAddress, commit: string, path: string): Promise<TreeEntry> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(
    api.baseUrl,
    'src',
    { ...repositoryParams(repository), commit: encodeURIComponent(commit), path: encodePath(path) },
    { format: 'meta' },
  );
  const json = (await api.transport.getJson(url, {
    repository: fullName,
    what: `the metadata of ${JSON.stringify(path)} at ${commit}`,
  })) as {
    attributes?: unknown;
    size?: unknown;
  };
  const size = typeof json.size === 'number' ? json.size : undefined;
  return { path, kind: entryKind(json.attributes), ...(size !== undefined ? { size } : {}) };
}

/**
 * The kind an entry's `attributes` say: recorded answers carry an array (`[]`, `["link"]`), the OpenAPI document
 * a single string; `link` is a symbolic link, `subrepository` a submodule.
 */
export function entryKind(attributes: unknown): TreeEntryKind {
  const list = Array.isArray(attributes) ? attributes : [attributes];
  if (list.includes('subrepository')) return 'submodule';
  if (list.includes('link')) return 'symlink';
  return 'file';
}

/** See `BitbucketClient.getFile`: the exact bytes, at most `maxBytes` (a Git LFS redirect is followed by the transport). */
export async function getFile(
  api: BitbucketApi,
  repository: RepositoryAddress,
  commit: string,
  path: string,
  maxBytes: number,
): Promise<Buffer> {
  const fullName = repositoryName(repository);
  const url = endpointUrl(api.baseUrl, 'src', {
    ...repositoryParams(repository),
    commit: encodeURIComponent(commit),
    path: encodePath(path),
  });
  const { body } = await api.transport.fetch(url, {
    repository: fullName,
    what: `file ${JSON.stringify(path)} at ${commit}`,
    maxBytes,
    filePath: path,
  });
  return body;
}

/** Every entry of one directory listing, all pages collected first (a 555 on a later page retries the whole directory). */
async function listDirectory(
  api: BitbucketApi,
  repository: RepositoryAddress,
  commit: string,
  dir: string,
  depth: number,
): Promise<Array<{ type: string; path: string; kind: TreeEntryKind; size?: number }>> {
  const fullName = repositoryName(repository);
  // The root needs the trailing slash (`/src/{commit}/`); keep it for subdirectories too, so they can't be mistaken for files.
  const path = dir === '' ? '' : `${encodePath(dir)}/`;
  const query = { max_depth: String(depth), pagelen: String(SRC_PAGELEN) };
  const url = endpointUrl(api.baseUrl, 'src', { ...repositoryParams(repository), commit: encodeURIComponent(commit), path }, query);
  const entries: Array<{ type: string; path: string; kind: TreeEntryKind; size?: number }> = [];
  const context = { repository: fullName, what: `the listing of ${JSON.stringify(dir || '/')} at ${commit}` };
  for await (const value of api.transport.pagedValues(url, context)) {
    const entry = value as { type?: unknown; path?: unknown; attributes?: unknown; size?: unknown };
    if (typeof entry.type === 'string' && typeof entry.path === 'string')
      entries.push({
        type: entry.type,
        path: entry.path,
        kind: entryKind(entry.attributes),
        ...(typeof entry.size === 'number' ? { size: entry.size } : {}),
      });
  }
  return entries;
}

interface DiffstatValue {
  status?: unknown;
  lines_added?: unknown;
  lines_removed?: unknown;
  old?: { path?: unknown } | null;
  new?: { path?: unknown } | null;
}

/** One diffstat entry as a {@link FileChange}; unknown statuses become `modified` with whatever paths were named. */
export function toFileChange(value: DiffstatValue): FileChange {
  const oldPath = typeof value.old?.path === 'string' ? value.old.path : undefined;
  const newPath = typeof value.new?.path === 'string' ? value.new.path : undefined;
  const withPaths = (status: FileChangeStatus, keepOld: boolean, keepNew: boolean): FileChange => ({
    status,
    ...(keepOld && oldPath !== undefined ? { oldPath } : {}),
    ...(keepNew && newPath !== undefined ? { newPath } : {}),
    ...(typeof value.lines_added === 'number' ? { linesAdded: value.lines_added } : {}),
    ...(typeof value.lines_removed === 'number' ? { linesRemoved: value.lines_removed } : {}),
  });
  switch (value.status) {
    case 'added':
      return withPaths('added', false, true);
    case 'removed':
      return withPaths('removed', true, false);
    case 'renamed':
      return withPaths('renamed', true, true);
    default:
      // 'modified', and conflict statuses of merge-style diffs: re-read whatever paths are named.
      return withPaths('modified', true, true);
  }
}
