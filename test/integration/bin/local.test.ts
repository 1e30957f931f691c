import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `npm start -- <args>` as npm does (tsx bin/local.ts), with its own data dir. */
function npmStart(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(
      TSX,
      [join(ROOT, 'bin', 'local.ts'), ...args],
      { cwd: ROOT, env: { ...process.env, ...env }, timeout: 120_000 },
      (error, stdout, stderr) => done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('npm start: its command line and a busy port', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-start-'));
  let busy: Server;
  let busyPort: number;

  beforeAll(async () => {
    busy = createServer();
    await new Promise<void>((listening) => busy.listen(0, '127.0.0.1', listening));
    busyPort = (busy.address() as { port: number }).port;
  });
  afterAll(async () => {
    await new Promise((closed) => busy.close(closed));
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('prints its usage for --help, refuses an unknown flag with exit 2, and names PORT= for a busy port', async () => {
    // Act
    const [help, unknown, taken] = await Promise.all([
      npmStart(['--help'], { MODEL_HUB_DATA_DIR: join(dataDir, 'help') }),
      npmStart(['--dmeo'], { MODEL_HUB_DATA_DIR: join(dataDir, 'unknown') }),
      npmStart([], { MODEL_HUB_DATA_DIR: join(dataDir, 'taken'), PORT: String(busyPort) }),
    ]);

    // Assess
    expect(help).toMatchObject({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm start \[-- --demo \| --help\]/);
    expect(help.stdout).toContain('PORT ');
    expect(unknown.code).toBe(2);
    expect(unknown.stdout).toBe('');
    expect(unknown.stderr).toMatch(/^model-hub: unknown option "--dmeo"\n\nUsage: npm start/);
    expect(taken.code).toBe(1);
    expect(taken.stderr).toContain(`model-hub: port ${busyPort} is in use by another program (or another hub): choose another with PORT=`);
  }, 180_000);
});
