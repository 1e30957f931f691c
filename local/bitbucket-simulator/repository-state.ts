/** One simulated repository's state: its git store, branch heads, webhooks and deliveries, and the test-facing operations on them. */
import { createHash, randomUUID } from 'node:crypto';
import { signBody } from '../../shared/domain/signature';
import { parseLfsPointer } from '../../shared/git/lfs-pointer';
import type { CommitRecord, GitStore } from './git-store';
import type { SimulatedDelivery, SimulatedEntry, SimulatedRepository, SimulatedWebhook } from './simulator-types';
import { buildPushPayload, deliveryHeaders, postJson, type PushChange } from './webhook-payload';

/** Internal state of one simulated repository. */
export class RepositoryState implements SimulatedRepository {
  readonly branches = new Map<string, string>();
  /** Lightweight tags, name → commit: served over git only (as `refs/tags/*`), never moved by a commit. */
  readonly tags = new Map<string, string>();
  readonly forgotten = new Set<string>();
  readonly lfsPaths = new Set<string>();
  /** Git LFS objects committed as `{ lfs }` entries, by sha256 (git holds their pointers). */
  readonly lfsObjects = new Map<string, Buffer>();
  readonly projectUuid = `{${randomUUID()}}`;
  readonly hookUuid = randomUUID();
  readonly createdOn = new Date().toISOString();
  readonly webhooks: SimulatedWebhook[] = [];
  readonly deliveries: SimulatedDelivery[] = [];
  private main: string;
  private name: string;
  private workspace: string;
  private accessToken: string;
  // Commits on one repository are serialised: each reads and moves a branch head.
  private writeQueue: Promise<unknown> = Promise.resolve();

  constructor(
    fullName: string,
    readonly uuid: string,
    workspaceUuid: string,
    token: string,
    mainBranch: string,
    readonly scopes: readonly string[],
    readonly git: GitStore,
    private readonly apiUrl: () => string,
  ) {
    this.name = fullName;
    this.workspace = workspaceUuid;
    this.accessToken = token;
    this.main = mainBranch;
  }

  get fullName(): string {
    return this.name;
  }

  /** The uuid of the workspace the repository is in now. */
  get workspaceUuid(): string {
    return this.workspace;
  }

  get token(): string {
    return this.accessToken;
  }

  get mainBranch(): string {
    return this.main;
  }

  /**
   * A rename or transfer (the simulator re-files the repository under its new name). Like Bitbucket, a transfer
   * to another workspace revokes the repository's access token: it gets a new one.
   */
  moveTo(fullName: string, workspaceUuid: string, newToken: string): void {
    if (workspaceUuid !== this.workspace) this.accessToken = newToken;
    this.name = fullName;
    this.workspace = workspaceUuid;
  }

  commit(
    changes: Record<string, SimulatedEntry>,
    options: { branch?: string; message?: string; renames?: ReadonlyArray<readonly [string, string]> } = {},
  ): Promise<string> {
    const run = async (): Promise<string> => {
      const branch = options.branch ?? this.main;
      const parent = this.branches.get(branch) ?? this.branches.get(this.main);
      const writes: Array<[string, Buffer, ('100644' | '120000' | '160000')?]> = [];
      const deletes: string[] = [];
      for (const [path, content] of Object.entries(changes)) {
        if (content === null) deletes.push(path);
        else if (typeof content === 'string') writes.push([path, Buffer.from(content, 'utf8')]);
        else if (Buffer.isBuffer(content)) writes.push([path, content]);
        else if ('symlink' in content) writes.push([path, Buffer.from(content.symlink, 'utf8'), '120000']);
        else if ('lfs' in content) writes.push([path, this.storeLfsObject(Buffer.from(content.lfs))]);
        else writes.push([path, Buffer.from(content.submodule, 'utf8'), '160000']);
      }
      const hash = await this.git.commit({
        parent,
        writes,
        deletes,
        renames: options.renames ?? [],
        message: options.message ?? `Update ${Object.keys(changes).length} file(s)\n`,
      });
      const old = this.branches.get(branch) ?? null;
      this.branches.set(branch, hash);
      await this.deliverToWebhooks({ branch, oldHash: old, newHash: hash });
      return hash;
    };
    const result = this.writeQueue.then(run, run);
    this.writeQueue = result.catch(() => undefined);
    return result;
  }

  /** Bitbucket delivers each push to the repository's active `repo:push` hooks, signed when the hook has a secret. */
  private async deliverToWebhooks(change: PushChange): Promise<void> {
    const hooks = this.webhooks.filter((hook) => hook.active && hook.events.includes('repo:push'));
    if (hooks.length === 0 || change.newHash === null) return;
    const body = Buffer.from(JSON.stringify(this.pushPayload(change)), 'utf8');
    for (const hook of hooks) {
      const headers = deliveryHeaders(hook.uuid.replace(/[{}]/g, ''), {});
      if (hook.secret) headers['x-hub-signature'] = signBody(hook.secret, body);
      const answer = await postJson(hook.url, body, headers).catch(() => ({ status: 0, body: '' }));
      this.deliveries.push({ hookUuid: hook.uuid, url: hook.url, commit: change.newHash, status: answer.status, body: answer.body });
    }
  }

  async createBranch(name: string, fromCommit: string): Promise<void> {
    this.requireCommit(fromCommit);
    this.branches.set(name, fromCommit);
  }

  async createTag(name: string, commit: string): Promise<void> {
    this.requireCommit(commit);
    this.tags.set(name, commit);
  }

  async deleteBranch(name: string): Promise<void> {
    this.branches.delete(name);
  }

  async forcePush(branch: string, commit: string): Promise<void> {
    this.requireCommit(commit);
    this.branches.set(branch, commit);
  }

  forgetCommit(hash: string): void {
    this.forgotten.add(hash);
  }

  setMainBranch(name: string): void {
    this.main = name;
  }

  markLfs(path: string): void {
    this.lfsPaths.add(path);
  }

  async head(branch: string = this.main): Promise<string> {
    await this.writeQueue;
    const hash = this.branches.get(branch);
    if (!hash) throw new Error(`branch ${branch} does not exist in ${this.fullName}`);
    return hash;
  }

  async readFiles(commit: string): Promise<Map<string, Buffer>> {
    const tree = await this.git.tree(commit);
    const files = new Map<string, Buffer>();
    // Regular files only: symbolic links (mode 120000) and submodules are no files.
    for (const [path, entry] of tree)
      if (entry.type === 'blob' && entry.mode !== '120000')
        files.set(path, (await this.lfsObject(entry.sha)) ?? (await this.git.readBlob(entry.sha)));
    return files;
  }

  /** The Git LFS object whose pointer is the blob `sha`, or undefined for any other blob. */
  async lfsObject(sha: string): Promise<Buffer | undefined> {
    const pointer = parseLfsPointer(await this.git.readBlob(sha));
    return pointer && this.lfsObjects.get(pointer.sha256);
  }

  /** Keeps `content` in the LFS store and returns the pointer git holds instead. */
  private storeLfsObject(content: Buffer): Buffer {
    const sha256 = createHash('sha256').update(content).digest('hex');
    this.lfsObjects.set(sha256, content);
    return Buffer.from(`version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${content.byteLength}\n`);
  }

  pushPayload(change: PushChange): Record<string, unknown> {
    const lookup = (hash: string): CommitRecord => this.requireCommit(hash);
    // A push is forced when the old head is not an ancestor of the new one.
    const forced = change.oldHash !== null && change.newHash !== null && !isAncestor(change.oldHash, change.newHash, lookup);
    return buildPushPayload(
      { fullName: this.fullName, uuid: this.uuid, workspaceUuid: this.workspaceUuid, projectUuid: this.projectUuid, apiUrl: this.apiUrl() },
      change,
      lookup,
      forced,
    );
  }

  async deliverPush(
    webhookUrl: string,
    secret: string,
    change: PushChange,
    options: { requestUuid?: string; attempt?: number } = {},
  ): Promise<{ status: number; body: string }> {
    const body = Buffer.from(JSON.stringify(this.pushPayload(change)), 'utf8');
    return postJson(webhookUrl, body, { ...deliveryHeaders(this.hookUuid, options), 'x-hub-signature': signBody(secret, body) });
  }

  /** Resolves a commit hash (full or abbreviated) or branch name the API was given; undefined if unknown or forgotten. */
  resolve(rev: string): string | undefined {
    let hash = this.branches.get(rev);
    if (!hash && /^[0-9a-f]{7,40}$/.test(rev)) {
      if (this.git.getCommit(rev)) hash = rev;
      else for (const known of this.git.commitHashes()) if (known.startsWith(rev)) hash = known;
    }
    return hash && !this.forgotten.has(hash) ? hash : undefined;
  }

  requireCommit(hash: string): CommitRecord {
    const commit = this.git.getCommit(hash);
    if (!commit) throw new Error(`unknown commit ${hash} in ${this.fullName}`);
    return commit;
  }
}

function isAncestor(ancestor: string, descendant: string, lookup: (hash: string) => CommitRecord): boolean {
  const seen = new Set<string>();
  for (const stack = [descendant]; stack.length > 0;) {
    const hash = stack.pop() as string;
    if (hash === ancestor) return true;
    if (seen.has(hash)) continue;
    seen.add(hash);
    stack.push(...lookup(hash).parents);
  }
  return false;
}
