// Every App the infra tests build writes into the jest run's own directory (removed by the project's
// globalTeardown), never a `cdk.out*` folder of its own in the system temp directory.
import { App } from 'aws-cdk-lib';
import { tmpdir } from 'node:os';
import { dirname } from 'node:path';
import { createTestApp, synthOutdir } from '../support/infra-stack';
import { INFRA_RUN_DIR_VARIABLE } from '../support/infra-run-dir';

describe("the infra tests' output directories", () => {
  const runDir = process.env[INFRA_RUN_DIR_VARIABLE];

  test('the run has its own directory in the temp dir', () => {
    expect(runDir).toBeDefined();
    expect(dirname(runDir!)).toBe(tmpdir());
  });

  test('a test App, checked or not, synthesizes into it', () => {
    for (const app of [createTestApp(), createTestApp({}, { checked: true }), new App({ outdir: synthOutdir() })]) {
      expect(dirname(app.outdir)).toBe(runDir);
    }
  });
});
