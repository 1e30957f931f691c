// Checks a named AWS profile before the SDK uses it: the SDK reports a missing profile as "no region" or "no
// credentials", which sends an admin looking in the wrong place.
import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { AdminError } from '../shared/admin/errors';

type Env = Readonly<Record<string, string | undefined>>;

/**
 * The shared config and credentials files the SDK reads (AWS_CONFIG_FILE, AWS_SHARED_CREDENTIALS_FILE, else ~/.aws).
 * The SDK reads the process environment; the CLI's own environment comes first where it sets them.
 */
export function sharedAwsFiles(env: Env): { config: string; credentials: string } {
  const setting = (name: string) => env[name] ?? process.env[name];
  const home = setting('HOME') ?? homedir();
  return {
    config: setting('AWS_CONFIG_FILE') ?? join(home, '.aws', 'config'),
    credentials: setting('AWS_SHARED_CREDENTIALS_FILE') ?? join(home, '.aws', 'credentials'),
  };
}

/** The profile names of an ini file: `[profile x]` and `[default]` in the config file, `[x]` in the credentials file. */
export function profileNames(ini: string, kind: 'config' | 'credentials'): string[] {
  return [...ini.matchAll(/^\s*\[([^\]]+)\]/gm)].flatMap((match) => {
    const section = match[1]!.trim();
    if (kind === 'credentials') return [section];
    if (section === 'default') return [section];
    const named = /^profile\s+(.+)$/.exec(section);
    return named ? [named[1]!.trim()] : [];
  });
}

/** Throws a AdminError naming the profile when neither shared file has it. */
export function checkProfileExists(profile: string, env: Env): void {
  const files = sharedAwsFiles(env);
  const known = (['config', 'credentials'] as const).flatMap((kind) =>
    existsSync(files[kind]) ? profileNames(readFileSync(files[kind], 'utf8'), kind) : [],
  );
  if (known.includes(profile)) return;
  throw new AdminError(`AWS profile ${profile} (from --profile or AWS_PROFILE) is in neither ${files.config} nor ${files.credentials}`, {
    hint:
      known.length > 0
        ? `use one of the profiles there (${[...new Set(known)].join(', ')}), or create it with \`aws configure --profile ${profile}\``
        : `create it with \`aws configure --profile ${profile}\` (or \`aws configure sso\`), or leave out --profile to use AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY`,
  });
}
