// Recognises Git LFS pointer files: git holds only these small texts, the content itself must be fetched over
// REST (`/src` follows Bitbucket's redirect to the LFS media store).

/** What a Git LFS pointer says about the real content. */
export interface LfsPointer {
  /** Hex sha256 of the real content. */
  readonly sha256: string;
  /** Size of the real content in bytes. */
  readonly size: number;
}

// The spec caps pointer files at 1024 bytes; anything larger is real content.
const MAX_POINTER_BYTES = 1024;
const VERSIONS = new Set(['https://git-lfs.github.com/spec/v1', 'https://hawser.github.com/spec/v1']);

/**
 * The pointer these bytes spell, or undefined when they are ordinary content. Follows the Git LFS spec
 * (github.com/git-lfs/git-lfs/blob/main/docs/spec.md): `key value` lines ending in LF, `version` first,
 * then at least `oid sha256:<64 hex>` and `size <digits>`; other keys (extensions) are allowed.
 */
export function parseLfsPointer(bytes: Uint8Array): LfsPointer | undefined {
  if (bytes.length === 0 || bytes.length > MAX_POINTER_BYTES) return undefined;
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length).toString('utf8');
  if (!text.startsWith('version ') || !text.endsWith('\n')) return undefined;
  const values = new Map<string, string>();
  for (const line of text.slice(0, -1).split('\n')) {
    const space = line.indexOf(' ');
    if (space <= 0) return undefined;
    values.set(line.slice(0, space), line.slice(space + 1));
  }
  const version = values.get('version');
  const oid = /^sha256:([0-9a-f]{64})$/.exec(values.get('oid') ?? '');
  const size = values.get('size') ?? '';
  if (!version || !VERSIONS.has(version) || !oid?.[1] || !/^\d{1,15}$/.test(size)) return undefined;
  return { sha256: oid[1], size: Number(size) };
}
