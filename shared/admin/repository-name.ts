// Checks a repository argument before anything connects, so a typo is a usage error even without a running hub.
import { usageError } from './errors';

/** Checks `workspace/slug`; a usage error (exit 2) otherwise. */
export function parseRepositoryName(fullName: string): { workspace: string; slug: string } {
  const match = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(fullName);
  if (!match)
    throw usageError(
      `repository must be written workspace/slug, got ${JSON.stringify(fullName)}`,
      'e.g. `acme/data-models`, as in the repository URL bitbucket.org/acme/data-models',
    );
  return { workspace: match[1]!, slug: match[2]! };
}
