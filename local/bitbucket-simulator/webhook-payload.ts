// Builds and delivers push webhooks shaped like Bitbucket Cloud's captured ones, so the verifier is exercised
// locally with realistic payloads and headers.
import { randomUUID } from 'node:crypto';
import { request } from 'node:http';
import { AUTHOR_EMAIL, AUTHOR_NAME, type CommitRecord } from './git-store';

/** What the payload builder needs to know about the repository. */
export interface PayloadRepository {
  readonly fullName: string;
  readonly uuid: string;
  readonly workspaceUuid: string;
  readonly projectUuid: string;
  readonly apiUrl: string;
}

/** One ref change of a push, as given to `pushPayload`. */
export interface PushChange {
  readonly branch: string;
  readonly oldHash: string | null;
  readonly newHash: string | null;
  readonly forced?: boolean;
  readonly refType?: 'branch' | 'tag';
}

const HTML = 'https://bitbucket.org';
/** Bitbucket lists at most this many commits per change and sets `truncated` beyond it. */
const MAX_PAYLOAD_COMMITS = 5;

const ACTOR_UUID = '{5f1c5c5e-2f7e-4f43-9a55-0b3a52b6c0de}';

/** The `actor` of simulated deliveries, shaped like a 2025 Bitbucket user object. */
export function actorJson(): Record<string, unknown> {
  return {
    display_name: AUTHOR_NAME,
    links: {
      self: { href: `https://api.bitbucket.org/2.0/users/${encodeURIComponent(ACTOR_UUID)}` },
      avatar: { href: 'https://secure.gravatar.com/avatar/00000000000000000000000000000000' },
      html: { href: `${HTML}/${encodeURIComponent(ACTOR_UUID)}/` },
    },
    type: 'user',
    uuid: ACTOR_UUID,
    account_id: '557058:00000000-0000-4000-8000-000000000000',
    nickname: AUTHOR_NAME,
  };
}

/** A commit object as Bitbucket embeds it in push payloads (`target`, `commits[]`). */
export function payloadCommitJson(repo: PayloadRepository, commit: CommitRecord): Record<string, unknown> {
  const api = `${repo.apiUrl}/repositories/${repo.fullName}`;
  return {
    type: 'commit',
    hash: commit.hash,
    date: isoDate(commit.time),
    author: { type: 'author', raw: `${AUTHOR_NAME} <${AUTHOR_EMAIL}>`, user: actorJson() },
    committer: {},
    message: commit.message,
    summary: { type: 'rendered', raw: commit.message, markup: 'markdown', html: `<p>${escapeHtml(commit.message.trim())}</p>` },
    links: {
      self: { href: `${api}/commit/${commit.hash}` },
      html: { href: `${HTML}/${repo.fullName}/commits/${commit.hash}` },
    },
    parents: commit.parents.map((hash) => ({
      hash,
      links: { self: { href: `${api}/commit/${hash}` }, html: { href: `${HTML}/${repo.fullName}/commits/${hash}` } },
      type: 'commit',
    })),
    rendered: {},
    properties: {},
  };
}

/**
 * Builds a `repo:push` body shaped like Bitbucket Cloud's real 2025 deliveries: `old`/`new` are null for
 * created/deleted refs, `commits` (at most 5, newest first) and `links` are absent for deletions, `commits` is
 * absent for tags, and `links.diff` (spec `{new}..{old}`) only appears for a plain update.
 */
export function buildPushPayload(
  repo: PayloadRepository,
  change: PushChange,
  lookup: (hash: string) => CommitRecord,
  forcedByHistory: boolean,
): Record<string, unknown> {
  const refType = change.refType ?? 'branch';
  const api = `${repo.apiUrl}/repositories/${repo.fullName}`;
  const refJson = (hash: string | null): Record<string, unknown> | null => {
    if (hash === null) return null;
    const plural = refType === 'branch' ? 'branches' : 'tags';
    const ref: Record<string, unknown> = {
      name: change.branch,
      target: payloadCommitJson(repo, lookup(hash)),
      links: {
        self: { href: `${api}/refs/${plural}/${change.branch}` },
        commits: { href: `${api}/commits/${change.branch}` },
        html: { href: `${HTML}/${repo.fullName}/${refType === 'branch' ? 'branch' : 'commits/tag'}/${change.branch}` },
      },
      type: refType,
    };
    if (refType === 'branch') {
      Object.assign(ref, {
        merge_strategies: ['merge_commit', 'squash', 'fast_forward', 'squash_fast_forward', 'rebase_fast_forward', 'rebase_merge'],
        sync_strategies: ['merge_commit', 'rebase'],
        default_merge_strategy: 'merge_commit',
      });
    } else {
      Object.assign(ref, { message: null, date: null, tagger: null });
    }
    return ref;
  };

  const entry: Record<string, unknown> = {
    old: refJson(change.oldHash),
    new: refJson(change.newHash),
    truncated: false,
    created: change.oldHash === null,
    forced: change.forced ?? forcedByHistory,
    closed: change.newHash === null,
  };
  if (change.newHash !== null) {
    const links: Record<string, unknown> = {
      commits: { href: `${api}/commits?include=${change.newHash}${change.oldHash ? `&exclude=${change.oldHash}` : ''}` },
      html: { href: `${HTML}/${repo.fullName}/branches/compare/${change.newHash}${change.oldHash ? `..${change.oldHash}` : ''}` },
    };
    // Real captures carry a diff link only for plain updates (not for created branches or forced pushes).
    if (change.oldHash !== null && !entry.forced) links.diff = { href: `${api}/diff/${change.newHash}..${change.oldHash}` };
    entry.links = links;
    if (refType === 'branch') {
      const pushed = newCommits(change.newHash, change.oldHash, lookup);
      entry.truncated = pushed.length > MAX_PAYLOAD_COMMITS;
      entry.commits = pushed.slice(0, MAX_PAYLOAD_COMMITS).map((commit) => payloadCommitJson(repo, commit));
    }
  }

  const [workspace, slug] = repo.fullName.split('/') as [string, string];
  return {
    push: { changes: [entry] },
    repository: {
      type: 'repository',
      full_name: repo.fullName,
      links: {
        self: { href: api },
        html: { href: `${HTML}/${repo.fullName}` },
        avatar: { href: `https://bytebucket.org/ravatar/${encodeURIComponent(repo.uuid)}` },
      },
      name: slug,
      scm: 'git',
      website: null,
      owner: { ...actorJson() },
      workspace: {
        type: 'workspace',
        uuid: repo.workspaceUuid,
        name: workspace,
        slug: workspace,
        links: {
          avatar: { href: `${HTML}/workspaces/${workspace}/avatar/` },
          html: { href: `${HTML}/${workspace}/` },
          self: { href: `${repo.apiUrl}/workspaces/${workspace}` },
        },
      },
      is_private: true,
      project: {
        type: 'project',
        key: 'MOD',
        uuid: repo.projectUuid,
        name: 'Models',
        links: {
          self: { href: `${repo.apiUrl}/workspaces/${workspace}/projects/MOD` },
          html: { href: `${HTML}/${workspace}/workspace/projects/MOD` },
          avatar: { href: `${HTML}/${workspace}/workspace/projects/MOD/avatar/32` },
        },
      },
      uuid: repo.uuid,
      parent: null,
    },
    actor: actorJson(),
  };
}

/**
 * Commits reachable from `newHash` but not from `oldHash`, newest first (for a created ref: its history, as
 * Bitbucket lists existing ancestors too).
 */
export function newCommits(newHash: string, oldHash: string | null, lookup: (hash: string) => CommitRecord): CommitRecord[] {
  const excluded = new Set<string>();
  if (oldHash !== null) {
    for (const stack = [oldHash]; stack.length > 0;) {
      const hash = stack.pop() as string;
      if (excluded.has(hash)) continue;
      excluded.add(hash);
      stack.push(...lookup(hash).parents);
    }
  }
  const result: CommitRecord[] = [];
  const seen = new Set<string>();
  const queue = [newHash];
  // Enough to know whether there are more than MAX_PAYLOAD_COMMITS.
  while (queue.length > 0 && result.length <= MAX_PAYLOAD_COMMITS) {
    const hash = queue.shift() as string;
    if (seen.has(hash) || excluded.has(hash)) continue;
    seen.add(hash);
    const commit = lookup(hash);
    result.push(commit);
    queue.push(...commit.parents);
  }
  return result;
}

/** POSTs a body to a URL over a fresh connection; resolves with the status and text of the answer. */
export function postJson(url: string, body: Buffer, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent: false, headers: { ...headers, 'content-length': String(body.length) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** The headers Bitbucket Cloud sends with a delivery (minus the signature, added by the caller). */
export function deliveryHeaders(hookUuid: string, options: { requestUuid?: string; attempt?: number }): Record<string, string> {
  return {
    'content-type': 'application/json',
    'user-agent': 'Bitbucket-Webhooks/2.0',
    'x-event-key': 'repo:push',
    'x-request-uuid': options.requestUuid ?? randomUUID(),
    'x-attempt-number': String(options.attempt ?? 1),
    'x-hook-uuid': hookUuid,
  };
}

/** ISO-8601 with an explicit `+00:00` offset, as Bitbucket writes dates. */
export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().replace(/\.\d{3}Z$/, '+00:00');
}

function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
