import { execFile } from 'node:child_process';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..', '..', '..');
const TSX = join(ROOT, 'node_modules', '.bin', 'tsx');

/** Runs `npm run bench -- <args>` as npm does (tsx bench/run.ts). */
function npmRunBench(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) =>
    execFile(TSX, [join(ROOT, 'bench', 'run.ts'), ...args], { cwd: ROOT, timeout: 60_000 }, (error, stdout, stderr) =>
      done({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    ),
  );
}

describe('npm run bench: its command line', () => {
  it('prints the sections, settings and outputs for --help and exits 0 without measuring anything', async () => {
    // Act
    const help = await npmRunBench(['--help']);

    // Assert
    expect({ code: help.code, stderr: help.stderr }).toEqual({ code: 0, stderr: '' });
    expect(help.stdout).toMatch(/^Usage: npm run bench -- \[section \.\.\.\] \[--write-docs\] \[--help\]$/m);
    expect(help.stdout).toMatch(/^ {2}bounded-memory +Bounded memory$/m);
    expect(help.stdout).toMatch(/^ {2}BENCH_RTT_MS +/m);
  }, 60_000);

  it('refuses an unknown argument with exit 1 and the valid ones, before starting anything', async () => {
    // Act
    const unknown = await npmRunBench(['bounded-memory', '--no-such-flag']);

    // Assert
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('unknown bench argument(s) --no-such-flag; choose sections from: verifier');
    expect(unknown.stderr).not.toContain('bounded memory:');
  }, 60_000);
});
