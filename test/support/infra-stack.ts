import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { existsSync, mkdirSync, mkdtempSync, openSync, closeSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readHubConfig } from '../../infra/config';
import { ModelHubStack, PROJECT_ROOT } from '../../infra/model-hub-stack';
import { addPolicyChecks } from '../../infra/policy-validation';
import { INFRA_RUN_DIR_VARIABLE } from './infra-run-dir';

/** Stub entry used for every function, so the assertion tests do not depend on the application code. */
export const FIXTURE_HANDLER = join(__dirname, 'fixtures', 'infra-handler.ts');

/** Stand-in for the built console (an index.html), so the assertion tests do not depend on the console's build. */
export const FIXTURE_CONSOLE_DIR = join(__dirname, 'fixtures', 'console-dist');

/** The feature flags from cdk.json, so tests synthesize what `cdk synth` would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * A fresh output directory for one synth, inside the jest run's directory (removed when the run ends). Without
 * an explicit `outdir`, every `app.synth()` leaves a `cdk.out*` folder in the system temp directory.
 */
export function synthOutdir(): string {
  const runDir = process.env[INFRA_RUN_DIR_VARIABLE];
  if (runDir) {
    mkdirSync(runDir, { recursive: true });
    return mkdtempSync(join(runDir, 'cdk.out-'));
  }
  // Outside the jest projects (a script importing this module): a temp dir removed when the process exits.
  const outdir = mkdtempSync(join(tmpdir(), 'model-hub-cdk.out-'));
  process.once('exit', () => rmSync(outdir, { recursive: true, force: true }));
  return outdir;
}

/**
 * An App like infra/app.ts builds, minus bundling (no esbuild runs: `aws:cdk:bundling-stacks` is empty), writing
 * into a run-scoped output directory. `checked` adds the policy checks infra/app.ts adds (Control Tower rules and
 * cdk-nag, slow: cfn-guard reads every rule); otherwise the built-in CloudFormation validation is off too (slow,
 * and covered by the checked synth and the real synth test).
 */
export function createTestApp(context: Record<string, unknown> = {}, options: { checked?: boolean } = {}): App {
  const app = new App({
    outdir: synthOutdir(),
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    ...(options.checked ? {} : { builtinCloudFormationValidation: false }),
  });
  if (options.checked) addPolicyChecks(app);
  return app;
}

/** Builds the stack from the given context values, exactly as infra/app.ts would. */
export function buildStack(app: App): ModelHubStack {
  const config = readHubConfig(app);
  return new ModelHubStack(app, config.stackName, {
    stackName: config.stackName,
    config,
    entries: {
      verifier: FIXTURE_HANDLER,
      worker: FIXTURE_HANDLER,
      reconciler: FIXTURE_HANDLER,
      reader: FIXTURE_HANDLER,
      admin: FIXTURE_HANDLER,
    },
    consoleAssetsDir: FIXTURE_CONSOLE_DIR,
  });
}

/** Synthesizes the stack for the given context values. */
export function synthTemplate(context: Record<string, unknown> = {}): { app: App; stack: Stack; template: Template } {
  const app = createTestApp(context);
  const stack = buildStack(app);
  return { app, stack, template: Template.fromStack(stack) };
}

/** The default-context stack as `cdk synth` checks it (minus bundling), synthesized once per jest run. */
export interface SharedSynth {
  /** The synthesized template. */
  readonly template: Template;
  /** The construct tree of the same stack (built, not synthesized), for logical ids: they depend only on the tree. */
  readonly stack: ModelHubStack;
  /** The policy plugins' report when the synth failed their checks; undefined when it passed. */
  readonly policyFailure: string | undefined;
}

interface SharedSynthResult {
  template: unknown;
  policyFailure?: string;
}

const SHARED_SYNTH_WAIT_MS = 10 * 60_000;

/**
 * The default-context stack synthesized with the policy checks once per jest run and shared by the infra test
 * files (each worker would otherwise pay for its own cfn-guard run). The first caller synthesizes and writes the
 * result into the run's directory; callers in other workers wait for that file.
 */
export async function sharedSynth(): Promise<SharedSynth> {
  const result = await readOrSynthesizeShared();
  return {
    template: Template.fromJSON(result.template as Record<string, unknown>),
    stack: buildStack(createTestApp()),
    policyFailure: result.policyFailure,
  };
}

async function readOrSynthesizeShared(): Promise<SharedSynthResult> {
  const runDir = process.env[INFRA_RUN_DIR_VARIABLE];
  if (!runDir) return synthesizeChecked();
  mkdirSync(runDir, { recursive: true });
  const resultFile = join(runDir, 'default-context.json');
  if (existsSync(resultFile)) return JSON.parse(readFileSync(resultFile, 'utf8')) as SharedSynthResult;
  let lock: number | undefined;
  try {
    lock = openSync(join(runDir, 'default-context.lock'), 'wx');
  } catch {
    return waitForShared(resultFile);
  }
  try {
    const result = synthesizeChecked();
    writeFileSync(`${resultFile}.partial`, JSON.stringify(result));
    renameSync(`${resultFile}.partial`, resultFile);
    return result;
  } finally {
    closeSync(lock);
  }
}

function synthesizeChecked(): SharedSynthResult {
  const app = createTestApp({}, { checked: true });
  const stack = buildStack(app);
  try {
    const assembly = app.synth();
    return { template: assembly.getStackArtifact(stack.artifactId).template };
  } catch (error) {
    // A failed policy check throws with both plugins' reports; the template is still built, for the other tests.
    return { template: Template.fromStack(buildStack(createTestApp())).toJSON(), policyFailure: String(error) };
  }
}

async function waitForShared(resultFile: string): Promise<SharedSynthResult> {
  const deadline = Date.now() + SHARED_SYNTH_WAIT_MS;
  while (!existsSync(resultFile)) {
    if (Date.now() > deadline) {
      throw new Error(
        `the shared synth of another jest worker did not write ${resultFile} within ${SHARED_SYNTH_WAIT_MS / 60_000} minutes`,
      );
    }
    await sleep(200);
  }
  return JSON.parse(readFileSync(resultFile, 'utf8')) as SharedSynthResult;
}
