/**
 * Measures the git source alone (not yet part of `npm run bench`): a shallow fetch of 5,000 and 10,000
 * model-sized files (~5 KB JSON) from `git http-backend`, then listing the tree and reading every blob, with the
 * pack kept in memory or under /tmp. Each run is a child process, so its peak RSS is its own.
 * Usage: `npx tsx bench/git-snapshot.ts [5000 10000 ...]`.
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fetchHeadSnapshot } from '../shared/git/git-snapshot';
import { createBareRepository, startGitServer } from '../local/git-server';

/** A ~5 KB JSON document shaped like a small Hackolade model, different in every file. */
function modelJson(index: number): Buffer {
  const collections = Array.from({ length: 12 }, (_, c) => ({
    GUID: randomBytes(16).toString('hex'),
    collectionName: `entity_${index}_${c}`,
    properties: [
      { name: 'id', type: 'string' },
      { name: `field_${c}`, type: c % 2 ? 'number' : 'string' },
    ],
  }));
  return Buffer.from(
    JSON.stringify(
      { modelName: `model ${index}`, dbVendor: 'MongoDB', appTarget: 'MONGODB', GUID: randomBytes(16).toString('hex'), collections },
      null,
      2,
    ),
  );
}

async function child(): Promise<void> {
  const [url, storage] = process.argv.slice(3) as [string, 'memory' | 'tmp'];
  const tmp = storage === 'tmp' ? mkdtempSync(join(tmpdir(), 'git-bench-tmp-')) : undefined;
  const started = performance.now();
  const cpuAtStart = process.cpuUsage();
  const snapshot = await fetchHeadSnapshot({
    cloneUrl: url,
    token: process.env.BENCH_GIT_TOKEN!,
    branch: 'main',
    ...(tmp ? { tmpDir: tmp } : {}),
  });
  const fetched = performance.now();
  const fetchCpu = process.cpuUsage(cpuAtStart);
  const tmpBytes = tmp ? Number(execFileSync('du', ['-sb', tmp]).toString().split('\t')[0]) : 0;
  const entries = await snapshot.listEntries();
  const listed = performance.now();
  let bytes = 0;
  for (const entry of entries) bytes += (await snapshot.readBlob(entry.oid)).length;
  const read = performance.now();
  const totalCpu = process.cpuUsage(cpuAtStart);
  await snapshot.close();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
  process.stdout.write(
    `${JSON.stringify({
      storage,
      files: entries.length,
      contentMB: +(bytes / 1e6).toFixed(1),
      requests: snapshot.stats.requests,
      packMB: +(snapshot.stats.bytesReceived / 1e6).toFixed(2),
      fetchS: +((fetched - started) / 1000).toFixed(1),
      // CPU seconds of this (client) process: wall times on a shared machine include the server and other load.
      fetchCpuS: +((fetchCpu.user + fetchCpu.system) / 1e6).toFixed(1),
      listS: +((listed - fetched) / 1000).toFixed(1),
      readAllS: +((read - listed) / 1000).toFixed(1),
      totalCpuS: +((totalCpu.user + totalCpu.system) / 1e6).toFixed(1),
      peakRssMB: Math.round(process.resourceUsage().maxRSS / 1024),
      tmpMB: +(tmpBytes / 1e6).toFixed(2),
    })}\n`,
  );
}

async function main(): Promise<void> {
  const counts = process.argv
    .slice(2)
    .map(Number)
    .filter((n) => n > 0);
  const token = randomBytes(24).toString('base64url');
  for (const count of counts.length ? counts : [5000, 10000]) {
    const root = mkdtempSync(join(tmpdir(), 'git-bench-'));
    const files = new Map<string, Buffer>();
    for (let i = 0; i < count; i++) files.set(`models/d${i % 50}/model-${i}.hck.json`, modelJson(i));
    createBareRepository(root, 'models', { files });
    const server = await startGitServer(root, token);
    try {
      for (const storage of ['memory', 'tmp']) {
        // Asynchronous: this process serves the fetch.
        const { stdout: out } = await promisify(execFile)(
          process.execPath,
          ['--import', 'tsx', __filename, '--child', `${server.url}/acme/models.git`, storage],
          {
            env: { ...process.env, BENCH_GIT_TOKEN: token },
            maxBuffer: 1 << 20,
          },
        );
        process.stdout.write(out);
      }
    } finally {
      await server.close();
      rmSync(root, { recursive: true, force: true });
    }
  }
}

void (process.argv[2] === '--child' ? child() : main()).catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
