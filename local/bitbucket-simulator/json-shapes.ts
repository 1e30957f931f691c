/** The Bitbucket Cloud JSON objects the simulator renders (repository, branch, commit, diffstat and tree entries, webhooks, pages, errors). */
import type { TreeEntry } from './git-store';
import { AUTHOR_EMAIL, AUTHOR_NAME } from './git-store';
import type { RepositoryState } from './repository-state';
import type { SimulatedWebhook } from './simulator-types';
import { isoDate } from './webhook-payload';

const HTML = 'https://bitbucket.org';

/** A JSON or text answer plus headers. */
export interface Answer {
  status: number;
  headers?: Record<string, string>;
  body?: Buffer | string | Record<string, unknown>;
}

export function errorAnswer(status: number, message: string): Answer {
  return { status, body: { type: 'error', error: { message } } };
}

/** Bitbucket's 403 for a token without a scope the endpoint needs: it names the granted and required scopes. */
export function missingScope(granted: readonly string[], scope: string): Answer {
  return {
    status: 403,
    body: {
      type: 'error',
      error: {
        message: 'Your credentials lack one or more required privilege scopes.',
        detail: { granted: [...granted], required: [scope] },
      },
    },
  };
}

/** Percent-encodes each path segment, keeping `/`. */
export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}

/**
 * One page of `items`. `opaque` pages name the next page by a token, not a number, and carry no total `size`,
 * like Bitbucket's `/src` listings (`?page=8xhd` in the recordings); clients must follow `next` as given.
 */
export function pageOf<T>(
  items: T[],
  url: URL,
  pagelen: { default: number; max: number },
  options: { opaque?: boolean } = {},
): Record<string, unknown> {
  const requested = Number(url.searchParams.get('pagelen'));
  const size = Math.max(1, Math.min(pagelen.max, Number.isInteger(requested) && requested > 0 ? requested : pagelen.default));
  const given = url.searchParams.get('page');
  const page = Math.max(1, (options.opaque ? pageOfToken(given) : Number(given)) || 1);
  const values = items.slice((page - 1) * size, page * size);
  const result: Record<string, unknown> = options.opaque
    ? { pagelen: size, values, page }
    : { pagelen: size, values, page, size: items.length };
  const link = (n: number): string => {
    const next = new URL(url.href);
    next.searchParams.set('page', options.opaque ? pageToken(n) : String(n));
    return next.href;
  };
  if (page * size < items.length) result.next = link(page + 1);
  if (page > 1 && !options.opaque) result.previous = link(page - 1);
  return result;
}

/** An opaque page token (never a plain number) and back; an unknown token reads as page 1's successor never. */
export function pageToken(page: number): string {
  return `p${(page * 7919).toString(36)}x`;
}

export function pageOfToken(token: string | null): number {
  const match = token ? /^p([0-9a-z]+)x$/.exec(token) : null;
  const value = match ? parseInt(match[1]!, 36) / 7919 : NaN;
  return Number.isInteger(value) ? value : NaN;
}

/** The JSON renderers; `apiUrl` is read at render time (the server's port is known only once it listens). */
export function createJsonShapes(apiUrl: () => string) {
  const webhookJson = (repo: RepositoryState, hook: SimulatedWebhook): Record<string, unknown> => ({
    type: 'webhook_subscription',
    uuid: hook.uuid,
    url: hook.url,
    description: hook.description,
    subject_type: 'repository',
    subject: { type: 'repository', full_name: repo.fullName, uuid: repo.uuid, name: repo.fullName.split('/')[1] },
    active: hook.active,
    created_at: hook.createdAt,
    events: [...hook.events],
    secret_set: hook.secret !== '',
    links: { self: { href: `${apiUrl()}/repositories/${encodePath(repo.fullName)}/hooks/${encodeURIComponent(hook.uuid)}` } },
  });

  const repositoryJson = (repo: RepositoryState): Record<string, unknown> => {
    const [workspace, slug] = repo.fullName.split('/') as [string, string];
    const api = `${apiUrl()}/repositories/${encodePath(repo.fullName)}`;
    return {
      type: 'repository',
      full_name: repo.fullName,
      name: slug,
      slug,
      uuid: repo.uuid,
      description: '',
      scm: 'git',
      is_private: true,
      fork_policy: 'no_public_forks',
      language: '',
      size: 0,
      has_issues: false,
      has_wiki: false,
      created_on: repo.createdOn,
      updated_on: repo.createdOn,
      links: {
        self: { href: api },
        html: { href: `${HTML}/${repo.fullName}` },
        avatar: { href: `https://bytebucket.org/ravatar/${encodeURIComponent(repo.uuid)}` },
        commits: { href: `${api}/commits` },
        pullrequests: { href: `${api}/pullrequests` },
        hooks: { href: `${api}/hooks` },
        // Like Bitbucket, the https clone URL carries a user name; git smart HTTP is served by the API's host.
        // (Bitbucket's `ssh` entry, `git@bitbucket.org:ws/slug.git`, is no URI for the spec's schema; nothing serves it here.)
        clone: [{ name: 'https', href: `${new URL(apiUrl()).origin.replace('://', '://x-token-auth@')}/${encodePath(repo.fullName)}.git` }],
      },
      owner: {
        type: 'team',
        display_name: workspace,
        uuid: repo.workspaceUuid,
        links: {
          self: { href: `${apiUrl()}/workspaces/${encodeURIComponent(workspace)}` },
          avatar: { href: `${HTML}/workspaces/${workspace}/avatar/` },
          html: { href: `${HTML}/${workspace}/` },
        },
      },
      workspace: {
        type: 'workspace',
        uuid: repo.workspaceUuid,
        name: workspace,
        slug: workspace,
        links: {
          self: { href: `${apiUrl()}/workspaces/${encodeURIComponent(workspace)}` },
          html: { href: `${HTML}/${workspace}/` },
          avatar: { href: `${HTML}/workspaces/${workspace}/avatar/` },
        },
      },
      project: {
        type: 'project',
        key: 'MOD',
        uuid: repo.projectUuid,
        name: 'Models',
        links: {
          html: { href: `${HTML}/${workspace}/workspace/projects/MOD` },
          avatar: { href: `${HTML}/${workspace}/workspace/projects/MOD/avatar/32` },
        },
      },
      mainbranch: { type: 'branch', name: repo.mainBranch },
    };
  };

  const commitJson = (repo: RepositoryState, hash: string): Record<string, unknown> => {
    const commit = repo.requireCommit(hash);
    const api = `${apiUrl()}/repositories/${encodePath(repo.fullName)}`;
    const commitLinks = (h: string) => ({ self: { href: `${api}/commit/${h}` }, html: { href: `${HTML}/${repo.fullName}/commits/${h}` } });
    return {
      type: 'commit',
      hash,
      date: isoDate(commit.time),
      author: { type: 'author', raw: `${AUTHOR_NAME} <${AUTHOR_EMAIL}>` },
      message: commit.message,
      summary: {
        raw: commit.message,
        markup: 'markdown',
        html: `<p>${commit.message.trim().replace(/&/g, '&amp;').replace(/</g, '&lt;')}</p>`,
      },
      parents: commit.parents.map((parent) => ({ type: 'commit', hash: parent, links: commitLinks(parent) })),
      links: commitLinks(hash),
    };
  };

  const branchJson = (repo: RepositoryState, name: string, hash: string): Record<string, unknown> => {
    const api = `${apiUrl()}/repositories/${encodePath(repo.fullName)}`;
    return {
      type: 'branch',
      name,
      target: commitJson(repo, hash),
      links: {
        self: { href: `${api}/refs/branches/${encodePath(name)}` },
        commits: { href: `${api}/commits/${encodePath(name)}` },
        html: { href: `${HTML}/${repo.fullName}/branch/${encodePath(name)}` },
      },
      merge_strategies: ['merge_commit', 'squash', 'fast_forward', 'squash_fast_forward', 'rebase_fast_forward', 'rebase_merge'],
      default_merge_strategy: 'merge_commit',
    };
  };

  const srcHref = (repo: RepositoryState, commit: string, path: string): string =>
    `${apiUrl()}/repositories/${encodePath(repo.fullName)}/src/${commit}/${encodePath(path)}`;

  const shortCommitJson = (repo: RepositoryState, commit: string): Record<string, unknown> => ({
    type: 'commit',
    hash: commit,
    links: {
      self: { href: `${apiUrl()}/repositories/${encodePath(repo.fullName)}/commit/${commit}` },
      html: { href: `${HTML}/${repo.fullName}/commits/${commit}` },
    },
  });

  /** The recorded shape: an array of what the entry is (`[]` for a plain file), not the spec's single string. */
  const fileAttributes = (repo: RepositoryState, path: string, mode: string | undefined, type: TreeEntry['type']): string[] => {
    if (type === 'commit' || mode === '160000') return ['subrepository'];
    if (mode === '120000') return ['link'];
    if (repo.lfsPaths.has(path)) return ['lfs'];
    if (mode === '100755') return ['executable'];
    return [];
  };

  /** Diffstat entries as recorded: path, type, escaped_path and a self link; they do not say what the entry is. */
  const diffFileJson = (repo: RepositoryState, commit: string, path: string): Record<string, unknown> => ({
    path,
    type: 'commit_file',
    escaped_path: path,
    links: { self: { href: srcHref(repo, commit, path) } },
  });

  const treeEntryJson = (repo: RepositoryState, commit: string, path: string, entry: TreeEntry): Record<string, unknown> => {
    if (entry.type === 'tree') {
      const href = `${srcHref(repo, commit, path)}/`;
      return {
        path,
        type: 'commit_directory',
        commit: shortCommitJson(repo, commit),
        links: { self: { href }, meta: { href: `${href}?format=meta` } },
      };
    }
    const href = srcHref(repo, commit, path);
    return {
      mimetype: path.endsWith('.json') ? 'application/json' : null,
      path,
      escaped_path: path,
      type: 'commit_file',
      attributes: fileAttributes(repo, path, entry.mode, entry.type),
      size: entry.type === 'commit' ? 0 : entry.size,
      commit: shortCommitJson(repo, commit),
      links: {
        self: { href },
        meta: { href: `${href}?format=meta` },
        history: { href: `${apiUrl()}/repositories/${encodePath(repo.fullName)}/filehistory/${commit}/${encodePath(path)}` },
      },
    };
  };

  return { webhookJson, repositoryJson, commitJson, branchJson, srcHref, shortCommitJson, fileAttributes, diffFileJson, treeEntryJson };
}

export type JsonShapes = ReturnType<typeof createJsonShapes>;
