// Reads a repository access token from the environment, standard input or a hidden prompt, never from an argument.
import type { CliDeps } from './deps';
import { usageError } from '../shared/admin/errors';

/** Environment variable the CLI reads a repository access token from (never from an argument). */
export const TOKEN_ENV_VAR = 'BITBUCKET_ACCESS_TOKEN';

/**
 * The repository access token: from BITBUCKET_ACCESS_TOKEN, else from piped standard input, else asked for on
 * the terminal (without echo). Command-line arguments are never used: they end up in shell history and `ps`.
 * Returns undefined when none was given and `required` is false.
 */
export async function readAccessToken(deps: CliDeps, options: { required: boolean; ask: boolean }): Promise<string | undefined> {
  const fromEnv = deps.env[TOKEN_ENV_VAR]?.trim();
  if (fromEnv) return fromEnv;
  const piped = (await deps.readStdin())?.trim();
  if (piped) {
    if (/\s/.test(piped)) throw usageError('standard input holds more than one word; expected just the repository access token');
    return piped;
  }
  if (options.ask && deps.promptSecret) {
    const typed = (await deps.promptSecret('Repository access token (input hidden): '))?.trim();
    if (typed) return typed;
  }
  if (!options.required) return undefined;
  throw usageError(
    'no repository access token given',
    `pipe it on standard input (e.g. \`model-hub repo add ws/slug < token.txt\`) or set ${TOKEN_ENV_VAR}; create it in Bitbucket under Repository settings → Access tokens with the scopes Repositories: Read and Webhooks: Read and write`,
  );
}
