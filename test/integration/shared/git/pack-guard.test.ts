import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GitFetchError } from '../../../../shared/git/errors';
import { guardUploadPack, type PackLimits } from '../../../../shared/git/pack-guard';
import { createBareRepository, git } from '../../../../local/git-server';

// Real packs made by git pack-objects, framed as git-upload-pack frames them (side-band-64k pkt-lines).
let root: string;
let bare: string;
/** Sum of the inflated sizes of every object of the head (what a delta makes counted, not the delta). */
let inflatedTotal: number;
const big = randomBytes(100_000);
const bigTwin = Buffer.from(big);
bigTwin[50_000] = bigTwin[50_000]! ^ 0xff;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'pack-guard-test-'));
  const files = new Map<string, Buffer>([
    ['big-a.bin', big],
    ['big-b.bin', bigTwin],
    ['zeros.bin', Buffer.alloc(4 * 1024 * 1024)],
  ]);
  for (let i = 0; i < 300; i++) files.set(`models/d${i % 7}/m${i}.hck.json`, Buffer.from(JSON.stringify({ modelName: `m${i}` })));
  createBareRepository(root, 'repo', { files });
  bare = join(root, 'repo.git');
  const objects = git(bare, ['rev-list', '--objects', 'main']).toString('utf8').trim().split('\n');
  const sizes = git(bare, ['cat-file', '--batch-check=%(objectsize)'], objects.map((line) => line.slice(0, 40)).join('\n') + '\n');
  inflatedTotal = sizes
    .toString('utf8')
    .trim()
    .split('\n')
    .reduce((sum, size) => sum + Number(size), 0);
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The head's pack (ofs-deltas or ref-deltas), checked to hold deltas: a delta's size is not its object's. */
function headPack(ofsDelta: boolean): Buffer {
  return packWithIndex(ofsDelta).pack;
}

/** The head's pack and what `git verify-pack -v` says of it. */
function packWithIndex(ofsDelta: boolean): { pack: Buffer; verified: string } {
  const pack = git(bare, ['pack-objects', '--stdout', '--revs', ...(ofsDelta ? ['--delta-base-offset'] : [])], 'main\n');
  const packFile = join(root, `head-${ofsDelta}.pack`);
  writeFileSync(packFile, pack);
  git(root, ['index-pack', packFile]);
  const verified = git(root, ['verify-pack', '-v', packFile.replace(/\.pack$/, '.idx')]).toString('utf8');
  expect(verified).toMatch(/chain length = 1/);
  return { pack, verified };
}

function pktLine(payload: Buffer): Buffer {
  return Buffer.concat([Buffer.from((payload.byteLength + 4).toString(16).padStart(4, '0')), payload]);
}

/** An upload-pack response: NAK, then the pack on band 1 with progress on band 2 in between, then a flush. */
function uploadPackResponse(pack: Buffer): Buffer {
  const lines = [pktLine(Buffer.from('NAK\n'))];
  for (let at = 0, n = 0; at < pack.byteLength; n++) {
    const size = [65515, 1, 999, 7, 30_000][n % 5]!;
    lines.push(pktLine(Buffer.concat([Buffer.from([1]), pack.subarray(at, at + size)])));
    if (n % 3 === 0) lines.push(pktLine(Buffer.from(`\x02Counting objects: ${n}\r`, 'latin1')));
    at += size;
  }
  lines.push(Buffer.from('0000'));
  return Buffer.concat(lines);
}

/** Reads the response through the guard in chunks cut anywhere (pkt-line headers and object headers included). */
async function readGuarded(
  response: Buffer,
  limits: PackLimits,
  chunkSizes = [3, 4096, 1, 17, 70_000],
): Promise<{ out: Buffer; pulled: number; error?: unknown }> {
  let pulled = 0;
  async function* chunks(): AsyncGenerator<Uint8Array> {
    for (let at = 0, n = 0; at < response.byteLength; n++) {
      const size = chunkSizes[n % chunkSizes.length]!;
      pulled += Math.min(size, response.byteLength - at);
      yield response.subarray(at, at + size);
      at += size;
    }
  }
  const out: Buffer[] = [];
  try {
    for await (const chunk of guardUploadPack(chunks(), limits)) out.push(Buffer.from(chunk));
  } catch (error) {
    return { out: Buffer.concat(out), pulled, error };
  }
  return { out: Buffer.concat(out), pulled };
}

const roomy = (over: Partial<PackLimits> = {}): PackLimits => ({
  maxPackBytes: 1 << 30,
  maxObjectBytes: 1 << 30,
  maxInflatedBytes: 1 << 30,
  ...over,
});

describe('guardUploadPack', () => {
  test.each([
    ['ofs-deltas', true],
    ['ref-deltas', false],
  ])('with %s, counts every object at its inflated size: the exact total passes unchanged, a byte less is too large', async (_, ofs) => {
    const response = uploadPackResponse(headPack(ofs));
    const passed = await readGuarded(response, roomy({ maxInflatedBytes: inflatedTotal }));
    expect(passed.error).toBeUndefined();
    expect(passed.out.equals(response)).toBe(true);
    const { error } = await readGuarded(response, roomy({ maxInflatedBytes: inflatedTotal - 1 }));
    expect(error).toBeInstanceOf(GitFetchError);
    expect(error).toMatchObject({ reason: 'too-large', transient: false });
  });

  test('refuses an object over the limit from its header, before inflating it or reading the rest of the pack', async () => {
    const { pack, verified } = packWithIndex(true);
    const response = uploadPackResponse(pack);
    const { error, pulled } = await readGuarded(response, roomy({ maxObjectBytes: 1024 * 1024 }), [64]);
    expect(error).toMatchObject({ reason: 'too-large', message: expect.stringContaining(`blob object of ${4 * 1024 * 1024} bytes`) });
    // The zeros' zlib stream (a few KiB) was never read: the guard stopped within a chunk of its header.
    const zeros = git(bare, ['rev-parse', 'main:zeros.bin']).toString('utf8').trim();
    // verify-pack -v: "<oid> <type> <size> <size in pack> <offset>".
    const packed = Number(new RegExp(`^${zeros} blob +\\d+ (\\d+)`, 'm').exec(verified)![1]);
    expect(packed).toBeGreaterThan(1000);
    expect(pulled).toBeLessThan(response.byteLength - packed + 64);
  });

  test('a delta over the object limit is refused at the size of what it makes', async () => {
    const response = uploadPackResponse(headPack(true));
    const { error } = await readGuarded(response, roomy({ maxObjectBytes: 99_999 }));
    expect(error).toMatchObject({ reason: 'too-large', message: expect.stringMatching(/object of 100000 bytes/) });
  });

  test('stops as soon as the response is longer than the pack limit', async () => {
    const response = uploadPackResponse(headPack(true));
    const limit = Math.floor(response.byteLength / 2);
    const { error, out } = await readGuarded(response, roomy({ maxPackBytes: limit }));
    expect(error).toMatchObject({ reason: 'too-large', message: expect.stringContaining(`larger than ${limit} bytes`) });
    expect(out.byteLength).toBeLessThanOrEqual(limit);
  });

  test('a response that is no pkt-line stream fails as protocol', async () => {
    expect((await readGuarded(Buffer.from('HTTP/1.1 200 OK\r\n'), roomy())).error).toMatchObject({ reason: 'protocol' });
  });
});
