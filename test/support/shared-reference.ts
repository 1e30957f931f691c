// Some tests check our code against reference material the team keeps beside the repository (../shared/reference:
// Atlassian's OpenAPI document, a published signature vector), which is never committed. On a clone without it
// those tests are skipped, and their titles say why, so the run's summary (test/support/summary-reporter.js)
// lists each one with its reason instead of hiding it.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** `../shared/reference` beside the repository root. */
export const SHARED_REFERENCE_DIR = resolve(__dirname, '..', '..', '..', 'shared', 'reference');

/** Atlassian's OpenAPI 3 document of the Bitbucket Cloud REST API. */
export const BITBUCKET_OPENAPI_PATH = join(SHARED_REFERENCE_DIR, 'bitbucket-cloud.oas.json');

/** The path of a reference file when it exists, otherwise undefined. */
export function sharedReference(path: string): string | undefined {
  return existsSync(path) ? path : undefined;
}

/** Why a test that needs `path` is skipped, for its title. */
export function missingReferenceReason(path: string): string {
  return `skipped: ${path} is absent (reference material kept beside the repository, not in it)`;
}

/**
 * `describe` when the reference file exists; otherwise `describe.skip` with the reason appended to the title.
 * @example describeWithReference(BITBUCKET_OPENAPI_PATH)('client endpoints against the spec', () => { ... });
 */
export function describeWithReference(path: string): (title: string, body: () => void) => void {
  if (sharedReference(path)) return (title, body) => describe(title, body);
  return (title, body) => describe.skip(`${title} (${missingReferenceReason(path)})`, body);
}

/** `it` when the reference file exists; otherwise `it.skip` with the reason appended to the title. */
export function itWithReference(path: string): (title: string, body: () => unknown, timeout?: number) => void {
  if (sharedReference(path)) return (title, body, timeout) => it(title, body as jest.ProvidesCallback, timeout);
  return (title, body, timeout) => it.skip(`${title} (${missingReferenceReason(path)})`, body as jest.ProvidesCallback, timeout);
}
