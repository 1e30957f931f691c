// The local runtime's own AWS credentials: random per data dir, so its stand-ins can tell its processes (the
// functions, the admin CLI through runtime.json) from any other process on the machine.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
}

/** File in the data dir that keeps the credentials across restarts (mode 0600, like the secrets). */
export const CREDENTIALS_FILE = 'credentials.json';

/** Fresh random credentials in the shape of AWS's (an access key id of 20 upper-case characters). */
export function generateLocalCredentials(): LocalCredentials {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const id = [...randomBytes(16)].map((byte) => alphabet[byte % alphabet.length]).join('');
  return { accessKeyId: `LOCL${id}`, secretAccessKey: randomBytes(30).toString('base64url') };
}

/** The data dir's credentials, created on first use; without a data dir, new ones for this run only. */
export function loadLocalCredentials(dataDir: string | undefined): LocalCredentials {
  if (!dataDir) return generateLocalCredentials();
  const file = join(dataDir, CREDENTIALS_FILE);
  if (existsSync(file)) {
    const stored = JSON.parse(readFileSync(file, 'utf8')) as Partial<LocalCredentials>;
    if (
      typeof stored.accessKeyId === 'string' &&
      typeof stored.secretAccessKey === 'string' &&
      stored.accessKeyId.length >= 16 &&
      stored.secretAccessKey.length >= 16
    )
      return { accessKeyId: stored.accessKeyId, secretAccessKey: stored.secretAccessKey };
  }
  const credentials = generateLocalCredentials();
  writeFileSync(file, JSON.stringify(credentials), { mode: 0o600 });
  chmodSync(file, 0o600);
  return credentials;
}
