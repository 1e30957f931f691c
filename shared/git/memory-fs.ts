// A map-backed file system with just the promise calls isomorphic-git makes, so a fetch never touches Lambda's
// /tmp. isomorphic-git holds the whole pack in memory while fetching and reading anyway, so this adds no copy.

type Node = { kind: 'file'; data: Uint8Array; mtimeMs: number } | { kind: 'dir'; mtimeMs: number };

/** The stat shape isomorphic-git reads. */
interface MemoryStats {
  type: 'file' | 'dir';
  mode: number;
  size: number;
  ino: number;
  mtimeMs: number;
  ctimeMs: number;
  uid: number;
  gid: number;
  dev: number;
  isFile(): boolean;
  isDirectory(): boolean;
  isSymbolicLink(): boolean;
}

function fsError(code: string, call: string, path: string): Error {
  return Object.assign(new Error(`${code}: ${call} '${path}'`), { code, path });
}

function normalise(path: string): string {
  const parts: string[] = [];
  for (const part of path.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') parts.pop();
    else parts.push(part);
  }
  return `/${parts.join('/')}`;
}

function parentOf(path: string): string {
  return path.slice(0, path.lastIndexOf('/')) || '/';
}

/** An in-memory file system for isomorphic-git (`{ promises }`), with the bytes it holds. */
export class MemoryFs {
  private readonly nodes = new Map<string, Node>([['/', { kind: 'dir', mtimeMs: Date.now() }]]);

  /** Bytes of every file held. */
  get bytes(): number {
    let total = 0;
    for (const node of this.nodes.values()) if (node.kind === 'file') total += node.data.byteLength;
    return total;
  }

  /** Drops everything, so the pack can be garbage-collected. */
  clear(): void {
    this.nodes.clear();
    this.nodes.set('/', { kind: 'dir', mtimeMs: Date.now() });
  }

  // isomorphic-git binds these when `promises` is an enumerable property whose readFile returns a promise.
  readonly promises = {
    readFile: async (path: string, options?: { encoding?: string } | string): Promise<Buffer | string> => {
      const node = this.nodes.get(normalise(String(path)));
      if (!node) throw fsError('ENOENT', 'open', path);
      if (node.kind === 'dir') throw fsError('EISDIR', 'read', path);
      const buffer = Buffer.from(node.data.buffer, node.data.byteOffset, node.data.byteLength);
      const encoding = typeof options === 'string' ? options : options?.encoding;
      return encoding ? buffer.toString(encoding as BufferEncoding) : buffer;
    },
    writeFile: async (path: string, data: Uint8Array | string, options?: { encoding?: string } | string): Promise<void> => {
      const key = normalise(path);
      this.requireDir(parentOf(key), 'open', path);
      if (this.nodes.get(key)?.kind === 'dir') throw fsError('EISDIR', 'open', path);
      const encoding = (typeof options === 'string' ? options : options?.encoding) as BufferEncoding | undefined;
      const bytes = typeof data === 'string' ? Buffer.from(data, encoding ?? 'utf8') : data;
      this.nodes.set(key, { kind: 'file', data: bytes, mtimeMs: Date.now() });
    },
    mkdir: async (path: string): Promise<void> => {
      const key = normalise(path);
      if (this.nodes.has(key)) throw fsError('EEXIST', 'mkdir', path);
      this.requireDir(parentOf(key), 'mkdir', path);
      this.nodes.set(key, { kind: 'dir', mtimeMs: Date.now() });
    },
    rmdir: async (path: string): Promise<void> => {
      const key = normalise(path);
      this.requireDir(key, 'rmdir', path);
      if (this.childrenOf(key).length > 0) throw fsError('ENOTEMPTY', 'rmdir', path);
      this.nodes.delete(key);
    },
    unlink: async (path: string): Promise<void> => {
      const key = normalise(path);
      const node = this.nodes.get(key);
      if (!node) throw fsError('ENOENT', 'unlink', path);
      if (node.kind === 'dir') throw fsError('EISDIR', 'unlink', path);
      this.nodes.delete(key);
    },
    stat: async (path: string): Promise<MemoryStats> => this.stat(path),
    lstat: async (path: string): Promise<MemoryStats> => this.stat(path),
    readdir: async (path: string): Promise<string[]> => {
      const key = normalise(path);
      this.requireDir(key, 'scandir', path);
      return this.childrenOf(key);
    },
    readlink: async (path: string): Promise<string> => {
      throw fsError('EINVAL', 'readlink', path); // nothing here is a link: a bare fetch writes none
    },
    symlink: async (_target: string, path: string): Promise<void> => {
      throw fsError('ENOSYS', 'symlink', path);
    },
  };

  private stat(path: string): MemoryStats {
    const node = this.nodes.get(normalise(path));
    if (!node) throw fsError('ENOENT', 'stat', path);
    const file = node.kind === 'file';
    return {
      type: node.kind,
      mode: file ? 0o100644 : 0o40755,
      size: file ? node.data.byteLength : 0,
      ino: 0,
      mtimeMs: node.mtimeMs,
      ctimeMs: node.mtimeMs,
      uid: 1,
      gid: 1,
      dev: 1,
      isFile: () => file,
      isDirectory: () => !file,
      isSymbolicLink: () => false,
    };
  }

  private requireDir(key: string, call: string, path: string): void {
    const node = this.nodes.get(key);
    if (!node) throw fsError('ENOENT', call, path);
    if (node.kind !== 'dir') throw fsError('ENOTDIR', call, path);
  }

  private childrenOf(key: string): string[] {
    const prefix = key === '/' ? '/' : `${key}/`;
    const names: string[] = [];
    for (const path of this.nodes.keys()) {
      if (path !== key && path.startsWith(prefix) && !path.slice(prefix.length).includes('/')) names.push(path.slice(prefix.length));
    }
    return names;
  }
}
