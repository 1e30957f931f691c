// The CLI's seam to its surroundings (environment, streams, stdin, clock), so tests can run it in-process.
import type { HubTarget } from '../shared/admin/hub-target';
import type { TargetOptions } from './target';
import type { CliOutput } from './output';

/**
 * Everything the CLI takes from its surroundings, so `bin/hub.ts` wires the real process and tests wire buffers,
 * a fast clock and the local stack of the test.
 */
export interface CliDeps {
  /** Environment: MODEL_HUB_DATA_DIR, BITBUCKET_API_URL, BITBUCKET_ACCESS_TOKEN, AWS_REGION… */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Results (tables, JSON, model bytes). */
  readonly stdout: CliOutput;
  /** Progress, warnings and errors. */
  readonly stderr: CliOutput;
  /** Everything piped to standard input, or undefined when standard input is a terminal (nothing piped). */
  readStdin(): Promise<string | undefined>;
  /** Asks for a secret on the terminal without echoing it; undefined when there is no terminal. */
  promptSecret?(question: string): Promise<string | undefined>;
  /**
   * Lets the admin tick repositories on the terminal (a multi-select; `disabled` ones are shown, not selectable)
   * and returns the chosen values; undefined when there is no terminal.
   */
  chooseRepositories?(
    question: string,
    choices: ReadonlyArray<{ value: string; name: string; disabled?: string }>,
  ): Promise<string[] | undefined>;
  /** Finds the hub; tests may count or wrap it. @default resolveTarget */
  resolveTarget?(options: TargetOptions, env: CliDeps['env']): Promise<HubTarget>;
  /** @default () => new Date() */
  now?(): Date;
  /** @default setTimeout */
  sleep?(ms: number): Promise<void>;
  /** Between two looks at a running sync. @default 1000 */
  readonly pollIntervalMs?: number;
  /**
   * How long a verifier may keep serving a cached webhook secret (the verifier's WEBHOOK_SECRET_MAX_AGE_SECONDS);
   * the rotation commands wait this long before relying on a new secret. @default 300
   */
  readonly secretCacheSeconds?: number;
}
