// The local admin console's one-time login token, kept in the data dir (0600) so the hub that checks it and the CLI
// that hands out a new login URL (`console-login`) share it without loading each other. Dependency-free on purpose.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The data dir's file holding the unused login token. */
export const LOGIN_TOKEN_FILE = 'console-login-token';

/** The unused login token of a data dir, if any. */
export function readLoginToken(dataDir: string): string | undefined {
  const file = join(dataDir, LOGIN_TOKEN_FILE);
  return (existsSync(file) && readFileSync(file, 'utf8').trim()) || undefined;
}

/** Stores a new login token (readable by its owner only), replacing an unused one; returns it. */
export function writeNewLoginToken(dataDir: string): string {
  const token = randomBytes(32).toString('base64url');
  const file = join(dataDir, LOGIN_TOKEN_FILE);
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  // Also when an older file had another mode.
  chmodSync(file, 0o600);
  return token;
}

/** Uses the token up. */
export function deleteLoginToken(dataDir: string): void {
  rmSync(join(dataDir, LOGIN_TOKEN_FILE), { force: true });
}
