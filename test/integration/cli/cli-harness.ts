import { CommanderError } from 'commander';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBitbucketSimulator, type BitbucketSimulator } from '../../../local/bitbucket-simulator';
import { startLocalHub, type LocalHub, type LocalHubOptions } from '../../../local/runtime';
import { TOKEN_SECRET_PREFIX, WEBHOOK_SECRET_NAME } from '../../../local/stand-ins';
import type { CliDeps } from '../../../cli/deps';
import { buildProgram } from '../../../cli/program';

/** What one CLI run printed and how it ended. */
export interface CliRun {
  readonly code: number;
  readonly stdout: string;
  readonly stdoutBytes: Buffer;
  readonly stderr: string;
  /** stdout parsed as JSON (throws with the output when it is not). */
  json<T = unknown>(): T;
}

/** A local hub on a temp data dir, a Bitbucket simulator it reads from, and a way to run the CLI against both. */
export interface CliTestBed {
  readonly hub: LocalHub;
  readonly simulator: BitbucketSimulator;
  readonly dataDir: string;
  /** Everything any run printed, to check no secret leaked. */
  readonly transcript: string[];
  /** Runs `model-hub <args>` as a user would, with `stdin` piped and extra environment. */
  cli(args: string[], options?: { stdin?: string; env?: Record<string, string>; deps?: Partial<CliDeps> }): Promise<CliRun>;
  /** The stored access tokens by secret name (every secret under the token prefix), as the local secret store holds them. */
  tokenSecrets(): Record<string, string>;
  /** The webhook secret JSON as stored. */
  webhookSecret(): { current: string; previous: string; rotatedAt?: string };
  close(): Promise<void>;
}

/** Starts the simulator and a local hub (worker on, no schedule) that reads Bitbucket from it. */
export async function startCliTestBed(hubOptions: Partial<LocalHubOptions> = {}): Promise<CliTestBed> {
  const dataDir = mkdtempSync(join(tmpdir(), 'model-hub-cli-'));
  const simulator = await startBitbucketSimulator();
  const hub = await startLocalHub({
    dataDir,
    bitbucketApiUrl: simulator.apiUrl,
    reconcileEverySeconds: 0,
    pollWaitSeconds: 1,
    ...hubOptions,
  });
  const transcript: string[] = [];
  return {
    hub,
    simulator,
    dataDir,
    transcript,
    async cli(args, options = {}) {
      const out: Buffer[] = [];
      const err: string[] = [];
      const deps: CliDeps = {
        // Only what a user's shell would give: the data dir of the running hub and the simulator's API URL.
        env: { MODEL_HUB_DATA_DIR: dataDir, BITBUCKET_API_URL: simulator.apiUrl, ...options.env },
        stdout: { write: (chunk) => out.push(Buffer.from(chunk)) },
        stderr: { write: (chunk) => err.push(String(chunk)) },
        readStdin: async () => options.stdin,
        pollIntervalMs: 50,
        secretCacheSeconds: 0,
        ...options.deps,
      };
      let code = 0;
      try {
        await buildProgram(deps)
          .exitOverride()
          .configureOutput({ writeOut: (text) => out.push(Buffer.from(text)), writeErr: (text) => err.push(text) })
          .parseAsync(args, { from: 'user' });
      } catch (error) {
        if (!(error instanceof CommanderError)) throw error;
        code = error.exitCode;
      }
      const stdoutBytes = Buffer.concat(out);
      const stdout = stdoutBytes.toString('utf8');
      const stderr = err.join('');
      transcript.push(stdout, stderr);
      return {
        code,
        stdout,
        stdoutBytes,
        stderr,
        json<T>() {
          try {
            return JSON.parse(stdout) as T;
          } catch {
            throw new Error(`stdout of \`${args.join(' ')}\` is not JSON (exit ${code}):\n${stdout}\nstderr:\n${stderr}`);
          }
        },
      };
    },
    tokenSecrets() {
      const file = join(dataDir, 'secrets.json');
      const stored = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as Record<string, { value: string }>) : {};
      return Object.fromEntries(
        Object.entries(stored)
          .filter(([name]) => name.startsWith(TOKEN_SECRET_PREFIX))
          .map(([name, { value }]) => [name, value]),
      );
    },
    webhookSecret: () =>
      JSON.parse(hub.standIns.secrets.getSecret(WEBHOOK_SECRET_NAME)!) as { current: string; previous: string; rotatedAt?: string },
    async close() {
      await hub.close();
      await simulator.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Polls until `check` returns a value (not undefined/false), or fails after `timeoutMs`. */
export async function eventually<T>(what: string, check: () => Promise<T | undefined | false>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
