// The file a running local hub (`npm start`) leaves in its data dir so the admin CLI can find its stand-ins.
// Dependency-free on purpose: the runtime writes it and the CLI reads it, and neither should load the other.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const RUNTIME_FILE = 'runtime.json';

/** What a running local hub publishes in its data dir for the admin CLI. */
export interface LocalRuntimeInfo {
  readonly pid: number;
  readonly webhookUrl: string;
  /** Endpoints, table names and queue URLs, as given to the handlers. */
  readonly env: Record<string, string>;
}

/** The running local hub of a data dir, or undefined when none runs (a file left by a crash is ignored). */
export function readLocalRuntime(dataDir: string): LocalRuntimeInfo | undefined {
  const file = join(dataDir, RUNTIME_FILE);
  if (!existsSync(file)) return undefined;
  const info = JSON.parse(readFileSync(file, 'utf8')) as LocalRuntimeInfo;
  try {
    process.kill(info.pid, 0);
  } catch {
    return undefined;
  }
  return info;
}
