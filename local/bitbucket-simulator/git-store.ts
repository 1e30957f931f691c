// The git plumbing behind the Bitbucket simulator: real repositories, so trees, diffs and renames come from git
// itself rather than a model of it.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import type { Readable, Writable } from 'node:stream';

/** One entry of a commit's tree: a file (`blob`), a directory (`tree`) or a submodule (`commit`). */
export interface TreeEntry {
  readonly type: 'blob' | 'tree' | 'commit';
  readonly mode: string;
  readonly sha: string;
  /** Bytes of a blob; 0 for trees and submodules. */
  readonly size: number;
}

/** One file difference between two trees, as `git diff-tree --raw --numstat` reports it. */
export interface TreeChange {
  readonly status: 'added' | 'removed' | 'modified' | 'renamed';
  readonly oldPath?: string;
  readonly newPath?: string;
  readonly linesAdded: number;
  readonly linesRemoved: number;
  readonly binary: boolean;
}

/** What the simulator remembers about a commit it created (so commit metadata needs no git call). */
export interface CommitRecord {
  readonly hash: string;
  readonly parents: readonly string[];
  readonly message: string;
  /** Seconds since the epoch (author and committer date). */
  readonly time: number;
}

/** The changes of one commit, applied in the order renames, deletions, writes. */
export interface CommitChanges {
  readonly parent: string | undefined;
  /** Files (mode 100644), or with a mode: 120000 a symbolic link (content: its target), 160000 a submodule (content: the commit hash). */
  readonly writes: ReadonlyArray<readonly [path: string, content: Buffer, mode?: '100644' | '120000' | '160000']>;
  readonly deletes: readonly string[];
  readonly renames: ReadonlyArray<readonly [from: string, to: string]>;
  readonly message: string;
}

/** Git's well-known empty tree: a diff from it lists every file as added. */
export const EMPTY_TREE = '4b825dc642cb6eb9a060e54bf8d69288fbee4904';

/** Author and committer name of every simulated commit. */
export const AUTHOR_NAME = 'Simulated Developer';
/** Author and committer e-mail of every simulated commit. */
export const AUTHOR_EMAIL = 'developer@example.com';

// Isolate from the machine's git configuration and never let git gc repack behind our back.
const GIT_ENV: NodeJS.ProcessEnv = {
  ...process.env,
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_CONFIG_GLOBAL: '/dev/null',
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'gc.auto',
  GIT_CONFIG_VALUE_0: '0',
  LC_ALL: 'C',
};

/** Runs git and resolves with its stdout; rejects with stderr on a non-zero exit. */
export function runGit(gitDir: string, args: readonly string[], input?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const child = spawn('git', [`--git-dir=${gitDir}`, ...args], { env: GIT_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve(Buffer.concat(out));
      else reject(new Error(`git ${args[0]} failed (${code}): ${Buffer.concat(err).toString('utf8').trim()}`));
    });
    child.stdin.on('error', () => undefined); // git may exit before reading everything; the exit code tells
    child.stdin.end(input);
  });
}

/** C-style quoting for fast-import paths, so spaces, quotes and non-ASCII survive. */
function quotePath(path: string): Buffer {
  return Buffer.from(`"${path.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n')}"`, 'utf8');
}

/**
 * A bare git repository written through one long-lived `git fast-import` (a commit costs no process spawn,
 * however many files it holds; a `checkpoint` publishes the objects just before the next read) and read
 * with plumbing: `ls-tree` (cached per commit, commits are immutable), one long-lived `cat-file --batch` for
 * blobs, and `diff-tree` for diffs.
 */
export class GitStore {
  private readonly trees = new Map<string, Promise<Map<string, TreeEntry>>>();
  private readonly commits = new Map<string, CommitRecord>();
  private blobReader: BlobReader | undefined;
  private importer: FastImport | undefined;
  private clock = Math.floor(Date.UTC(2025, 0, 1) / 1000);
  private marks = 0;
  private readonly markOf = new Map<string, number>();
  private dirty = false;
  /** The latest checkpoint: resolved once every commit imported before it is visible to other git processes. */
  private publishing: Promise<void> = Promise.resolve();

  private constructor(readonly gitDir: string) {}

  /** Creates an empty bare repository at `gitDir`. */
  static async create(gitDir: string): Promise<GitStore> {
    await runGit(gitDir, ['init', '--bare', '--quiet', gitDir]);
    return new GitStore(gitDir);
  }

  /** The record of a commit this store created, or undefined. */
  getCommit(hash: string): CommitRecord | undefined {
    return this.commits.get(hash);
  }

  /** Every commit hash this store created. */
  commitHashes(): IterableIterator<string> {
    return this.commits.keys();
  }

  /** Writes one commit through the long-lived fast-import and returns its hash; the parent's tree is the starting point. */
  async commit(changes: CommitChanges): Promise<string> {
    const time = ++this.clock;
    const message = Buffer.from(changes.message, 'utf8');
    const mark = ++this.marks;
    const parts: Buffer[] = [
      // `reset` starts the scratch ref afresh, so a root commit really starts from an empty tree.
      Buffer.from(`reset refs/sim/import\ncommit refs/sim/import\nmark :${mark}\n`),
      Buffer.from(`author ${AUTHOR_NAME} <${AUTHOR_EMAIL}> ${time} +0000\ncommitter ${AUTHOR_NAME} <${AUTHOR_EMAIL}> ${time} +0000\n`),
      Buffer.from(`data ${message.length}\n`),
      message,
      Buffer.from('\n'),
    ];
    // fast-import cannot look up by hash a commit it has not checkpointed yet; its mark always works.
    if (changes.parent)
      parts.push(Buffer.from(`from ${this.markOf.has(changes.parent) ? `:${this.markOf.get(changes.parent)}` : changes.parent}\n`));
    for (const [from, to] of changes.renames)
      parts.push(Buffer.from('R '), quotePath(from), Buffer.from(' '), quotePath(to), Buffer.from('\n'));
    for (const path of changes.deletes) parts.push(Buffer.from('D '), quotePath(path), Buffer.from('\n'));
    for (const [path, content, mode = '100644'] of changes.writes) {
      // A submodule is a gitlink: fast-import takes the other repository's commit hash in place of data.
      if (mode === '160000') parts.push(Buffer.from(`M 160000 ${content.toString('utf8')} `), quotePath(path), Buffer.from('\n'));
      else
        parts.push(
          Buffer.from(`M ${mode} inline `),
          quotePath(path),
          Buffer.from(`\ndata ${content.length}\n`),
          content,
          Buffer.from('\n'),
        );
    }
    parts.push(Buffer.from('\n'));
    this.importer ??= new FastImport(this.gitDir);
    const hash = await this.importer.send(Buffer.concat(parts), mark);
    this.dirty = true;
    this.markOf.set(hash, mark);
    this.commits.set(hash, { hash, parents: changes.parent ? [changes.parent] : [], message: changes.message, time });
    return hash;
  }

  /**
   * Makes every imported object visible to other git processes (one fast-import checkpoint per batch of writes).
   * A read that comes while another read's checkpoint is still running waits for that same checkpoint: returning at
   * once (nothing dirty any more) would let it ask git for objects not yet published ("not a tree object").
   */
  async flush(): Promise<void> {
    if (this.dirty && this.importer) {
      this.dirty = false;
      this.publishing = this.importer.send(Buffer.from('checkpoint\n\n'), this.marks).then(
        () => undefined,
        (error: unknown) => {
          this.dirty = true; // the next read tries again
          throw error;
        },
      );
    }
    await this.publishing;
  }

  /** All entries (files, directories, submodules) of a commit's tree, keyed by path. Cached: commits never change. */
  tree(commit: string): Promise<Map<string, TreeEntry>> {
    let cached = this.trees.get(commit);
    if (!cached) {
      cached = this.flush()
        .then(() => runGit(this.gitDir, ['ls-tree', '-r', '-t', '-l', '-z', commit]))
        .then(parseLsTree);
      this.trees.set(commit, cached);
      cached.catch(() => this.trees.delete(commit));
    }
    return cached;
  }

  /** The bytes of a blob. */
  async readBlob(sha: string): Promise<Buffer> {
    await this.flush();
    this.blobReader ??= new BlobReader(this.gitDir);
    return this.blobReader.read(sha);
  }

  /** Differences from tree-ish `from` to tree-ish `to`, with rename detection unless `renames` is false. */
  async diff(from: string, to: string, renames: boolean): Promise<TreeChange[]> {
    await this.flush();
    const out = await runGit(this.gitDir, ['diff-tree', '-r', '-z', '--raw', '--numstat', renames ? '-M' : '--no-renames', from, to]);
    return parseDiffTree(out.toString('utf8'));
  }

  /** The best common ancestor of two commits, or undefined when their histories are unrelated. */
  async mergeBase(a: string, b: string): Promise<string | undefined> {
    await this.flush();
    try {
      return (await runGit(this.gitDir, ['merge-base', a, b])).toString('utf8').trim() || undefined;
    } catch {
      return undefined;
    }
  }

  /** Stops the blob reader and lets fast-import finish writing. */
  async close(): Promise<void> {
    this.blobReader?.close();
    await this.importer?.close();
  }
}

function parseLsTree(out: Buffer): Map<string, TreeEntry> {
  const entries = new Map<string, TreeEntry>();
  for (const record of out.toString('utf8').split('\0')) {
    if (!record) continue;
    const tab = record.indexOf('\t');
    const [mode, type, sha, size] = record.slice(0, tab).split(/ +/);
    if (!mode || !sha || (type !== 'blob' && type !== 'tree' && type !== 'commit')) continue;
    entries.set(record.slice(tab + 1), { type, mode, sha, size: size === '-' || size === undefined ? 0 : Number(size) });
  }
  return entries;
}

function parseDiffTree(out: string): TreeChange[] {
  const tokens = out.split('\0');
  const raw: Array<{ status: TreeChange['status']; oldPath?: string; newPath?: string }> = [];
  const counts: Array<{ added: number; removed: number; binary: boolean }> = [];
  for (let i = 0; i < tokens.length; i++) {
    const token = tokens[i];
    if (!token) continue;
    if (token.startsWith(':')) {
      const letter = token.split(' ')[4]?.[0] ?? 'M';
      const first = tokens[++i] ?? '';
      if (letter === 'R' || letter === 'C') {
        const second = tokens[++i] ?? '';
        raw.push(letter === 'R' ? { status: 'renamed', oldPath: first, newPath: second } : { status: 'added', newPath: second });
      } else if (letter === 'A') raw.push({ status: 'added', newPath: first });
      else if (letter === 'D') raw.push({ status: 'removed', oldPath: first });
      else raw.push({ status: 'modified', oldPath: first, newPath: first }); // M, T (type change)
    } else {
      const [added, removed, path] = token.split('\t');
      if (path === '') i += 2; // a rename's numstat names both paths in the next two tokens
      counts.push({ added: Number(added) || 0, removed: Number(removed) || 0, binary: added === '-' });
    }
  }
  // diff-tree prints all raw records, then the numstat records in the same order.
  return raw.map((change, index) => {
    const count = counts[index] ?? { added: 0, removed: 0, binary: false };
    return { ...change, linesAdded: count.added, linesRemoved: count.removed, binary: count.binary };
  });
}

/** A long-lived `git cat-file --batch`: one process serves every blob read, in request order. */
class BlobReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly waiting: Array<{ sha: string; resolve: (data: Buffer) => void; reject: (error: Error) => void }> = [];
  /** Output not yet handed out, in the chunks it came in: joined only once the first waiter's blob is complete. */
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Bytes the first waiter's header and blob take, once its header is read (0 until then). */
  private needed = 0;
  private closed = false;

  constructor(gitDir: string) {
    this.child = spawn('git', [`--git-dir=${gitDir}`, 'cat-file', '--batch'], { env: GIT_ENV, stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdout.on('data', (chunk: Buffer) => {
      // Joining every 64 KiB chunk onto what came before copied a 31 MiB blob ~500 times (8 of them took minutes).
      this.chunks.push(chunk);
      this.buffered += chunk.length;
      if (this.buffered >= this.needed) this.drain();
    });
    this.child.stdin.on('error', () => undefined);
    this.child.on('close', () => {
      this.closed = true;
      for (const waiter of this.waiting.splice(0)) waiter.reject(new Error('git cat-file exited'));
    });
  }

  read(sha: string): Promise<Buffer> {
    if (this.closed || !/^[0-9a-f]{40}$/.test(sha)) return Promise.reject(new Error(`cannot read blob ${sha}`));
    return new Promise((resolve, reject) => {
      this.waiting.push({ sha, resolve, reject });
      this.child.stdin.write(`${sha}\n`);
    });
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill();
  }

  private drain(): void {
    let buffer = this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks, this.buffered);
    for (;;) {
      const waiter = this.waiting[0];
      const newline = buffer.indexOf(0x0a);
      if (!waiter || newline < 0) break;
      const header = buffer.subarray(0, newline).toString('utf8');
      if (header.endsWith(' missing')) {
        buffer = buffer.subarray(newline + 1);
        this.waiting.shift();
        waiter.reject(new Error(`blob ${waiter.sha} is missing`));
        continue;
      }
      const size = Number(header.split(' ')[2]);
      this.needed = newline + 1 + size + 1;
      if (buffer.length < this.needed) break; // content and its trailing newline not complete yet
      const data = Buffer.from(buffer.subarray(newline + 1, newline + 1 + size));
      buffer = buffer.subarray(this.needed);
      this.needed = 0;
      this.waiting.shift();
      waiter.resolve(data);
    }
    this.chunks = buffer.length > 0 ? [buffer] : [];
    this.buffered = buffer.length;
  }
}

/**
 * A long-lived `git fast-import`: commands go to stdin, `get-mark` answers come back on `--cat-blob-fd=3`,
 * one line per request, in order.
 */
class FastImport {
  private readonly child: ReturnType<typeof spawn>;
  private readonly answers: Readable;
  private readonly input: Writable;
  private readonly waiting: Array<{ resolve: (hash: string) => void; reject: (error: Error) => void }> = [];
  private pending = '';
  private stderr = '';
  private exited: Promise<void>;

  constructor(gitDir: string) {
    this.child = spawn('git', [`--git-dir=${gitDir}`, 'fast-import', '--quiet', '--force', '--cat-blob-fd=3'], {
      env: GIT_ENV,
      stdio: ['pipe', 'ignore', 'pipe', 'pipe'],
    });
    this.input = this.child.stdin as Writable;
    this.answers = this.child.stdio[3] as Readable;
    this.input.on('error', () => undefined);
    this.child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.answers.on('data', (chunk: Buffer) => {
      this.pending += chunk.toString('utf8');
      for (let newline = this.pending.indexOf('\n'); newline >= 0; newline = this.pending.indexOf('\n')) {
        const line = this.pending.slice(0, newline).trim();
        this.pending = this.pending.slice(newline + 1);
        this.waiting.shift()?.resolve(line);
      }
    });
    this.exited = new Promise((resolve) => {
      this.child.on('close', () => {
        const error = new Error(`git fast-import exited: ${this.stderr.trim()}`);
        for (const waiter of this.waiting.splice(0)) waiter.reject(error);
        resolve();
      });
    });
  }

  /** Writes `commands`, then asks for `mark`'s object: the answer arrives once the commands are processed. */
  send(commands: Buffer, mark: number): Promise<string> {
    return new Promise((resolve, reject) => {
      this.waiting.push({
        resolve: (line) =>
          /^[0-9a-f]{40}$/.test(line) ? resolve(line) : reject(new Error(`fast-import answered ${JSON.stringify(line)}`)),
        reject,
      });
      this.input.write(Buffer.concat([commands, Buffer.from(`get-mark :${mark}\n`)]));
    });
  }

  async close(): Promise<void> {
    this.input.end();
    await this.exited;
  }
}
