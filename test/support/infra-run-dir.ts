// The infra tests' jest project shares one directory per run: the synthesized default-context template (made
// once, read by every infra test file) and every `cdk.out` a test synthesizes into. The project's globalSetup
// creates it and names it in the environment the workers inherit; its globalTeardown removes it, so a run
// leaves nothing in the system temp directory.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The environment variable naming the run's directory. */
export const INFRA_RUN_DIR_VARIABLE = 'MODEL_HUB_TEST_INFRA_RUN_DIR';

/** jest globalSetup: creates the run's directory. */
export function createInfraRunDir(): void {
  process.env[INFRA_RUN_DIR_VARIABLE] = mkdtempSync(join(tmpdir(), 'model-hub-infra-tests-'));
}

/** jest globalTeardown: removes it with everything synthesized into it. */
export function removeInfraRunDir(): void {
  const runDir = process.env[INFRA_RUN_DIR_VARIABLE];
  if (runDir) rmSync(runDir, { recursive: true, force: true });
  delete process.env[INFRA_RUN_DIR_VARIABLE];
}
