/**
 * Reading a Bitbucket Cloud `repo:push` delivery: only the fields the hub needs, checked for type, because a
 * correctly signed body is still untrusted in shape (a leaked secret, or a future payload change).
 */

/** One ref update of a push, reduced to what the worker needs. */
export interface RefChange {
  readonly refType: 'branch' | 'tag';
  readonly name: string;
  /** Commit before the push; null when the ref was created. */
  readonly oldHash: string | null;
  /** Commit after the push; null when the ref was deleted. */
  readonly newHash: string | null;
  readonly forced: boolean;
}

export interface PushEvent {
  readonly repository: { readonly uuid: string; readonly fullName: string };
  /**
   * Uuid (braces, lower case) of the repository's workspace (`repository.workspace.uuid`); absent from older
   * deliveries, and ignored when malformed (it only helps address the repository later, nothing depends on it).
   */
  readonly workspaceUuid?: string;
  readonly changes: readonly RefChange[];
}

export type ParsedPush = { ok: true; push: PushEvent } | { ok: false; problem: string };

const COMMIT_HASH = /^[0-9a-f]{7,64}$/i;
// Repository and workspace uuids alike.
const REPOSITORY_UUID = /^\{[0-9a-f-]{36}\}$/i;
const MAX_NAME_LENGTH = 1024;

/** Extracts the repository and ref changes from a parsed `repo:push` body, or says what is wrong with it. */
export function parsePushEvent(body: unknown): ParsedPush {
  if (!isRecord(body)) return { ok: false, problem: 'body is not a JSON object' };
  const { repository, push } = body;
  if (!isRecord(repository)) return { ok: false, problem: 'repository is missing' };
  const uuid = repository.uuid;
  const fullName = repository.full_name;
  if (typeof uuid !== 'string' || !REPOSITORY_UUID.test(uuid)) return { ok: false, problem: 'repository.uuid is not a Bitbucket uuid' };
  if (typeof fullName !== 'string' || !/^[^/\s]+\/[^/\s]+$/.test(fullName) || fullName.length > MAX_NAME_LENGTH) {
    return { ok: false, problem: 'repository.full_name is not workspace/slug' };
  }
  if (!isRecord(push) || !Array.isArray(push.changes)) return { ok: false, problem: 'push.changes is missing' };

  const changes: RefChange[] = [];
  for (const [index, change] of push.changes.entries()) {
    const parsed = parseChange(change);
    if (typeof parsed === 'string') return { ok: false, problem: `push.changes[${index}]: ${parsed}` };
    changes.push(parsed);
  }
  const workspaceUuid = isRecord(repository.workspace) ? repository.workspace.uuid : undefined;
  return {
    ok: true,
    push: {
      repository: { uuid: uuid.toLowerCase(), fullName },
      ...(typeof workspaceUuid === 'string' && REPOSITORY_UUID.test(workspaceUuid) ? { workspaceUuid: workspaceUuid.toLowerCase() } : {}),
      changes,
    },
  };
}

/** Branch updates and creations: what can move a default branch. Tags and deletions cannot. */
export function branchUpdates(push: PushEvent): RefChange[] {
  return push.changes.filter((change) => change.refType === 'branch' && change.newHash !== null);
}

/**
 * Why a push is ignored, or undefined when it may have moved the default branch: it carries a branch update, or
 * no change details at all (Bitbucket has sent `changes: []`, e.g. for very large pushes; a sync is cheap and
 * reads the truth anyway).
 */
export function reasonToIgnore(push: PushEvent): string | undefined {
  if (branchUpdates(push).length > 0 || push.changes.length === 0) return undefined;
  if (push.changes.every((change) => change.refType === 'tag')) return 'tag push only';
  return 'branch deletion only';
}

function parseChange(change: unknown): RefChange | string {
  if (!isRecord(change)) return 'not an object';
  const oldRef = parseRef(change.old, 'old');
  if (typeof oldRef === 'string') return oldRef;
  const newRef = parseRef(change.new, 'new');
  if (typeof newRef === 'string') return newRef;
  const ref = newRef ?? oldRef;
  if (!ref) return 'both old and new are null';
  if (oldRef && newRef && (oldRef.type !== newRef.type || oldRef.name !== newRef.name)) return 'old and new name different refs';
  return {
    refType: ref.type,
    name: ref.name,
    oldHash: oldRef?.hash ?? null,
    newHash: newRef?.hash ?? null,
    forced: change.forced === true,
  };
}

function parseRef(ref: unknown, side: string): { type: 'branch' | 'tag'; name: string; hash: string } | null | string {
  if (ref === null || ref === undefined) return null;
  if (!isRecord(ref)) return `${side} is not an object`;
  if (ref.type !== 'branch' && ref.type !== 'tag') return `${side}.type is not branch or tag`;
  if (typeof ref.name !== 'string' || ref.name.length === 0 || ref.name.length > MAX_NAME_LENGTH) return `${side}.name is missing`;
  const target = ref.target;
  if (!isRecord(target) || typeof target.hash !== 'string' || !COMMIT_HASH.test(target.hash))
    return `${side}.target.hash is not a commit hash`;
  return { type: ref.type, name: ref.name, hash: target.hash.toLowerCase() };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
