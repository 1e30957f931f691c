import { App, type Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readHubConfig } from '../../infra/config';
import { ModelHubStack, PROJECT_ROOT } from '../../infra/model-hub-stack';

/** Stub entry used for every function, so the assertion tests do not depend on the application code. */
export const FIXTURE_HANDLER = join(__dirname, 'fixtures', 'infra-handler.ts');

/** The feature flags from cdk.json, so tests synthesize what `cdk synth` would. */
export function cdkJsonContext(): Record<string, unknown> {
  const cdkJson = JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context?: Record<string, unknown> };
  return cdkJson.context ?? {};
}

/**
 * Creates an App like infra/app.ts does, minus bundling (no esbuild runs: `aws:cdk:bundling-stacks` is empty) and
 * minus the built-in CloudFormation validation (slow, and covered by the real synth test).
 */
export function createTestApp(context: Record<string, unknown> = {}): App {
  return new App({
    context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context },
    builtinCloudFormationValidation: false,
  });
}

/** Builds the stack from the given context values, exactly as infra/app.ts would. */
export function buildStack(app: App): ModelHubStack {
  const config = readHubConfig(app);
  return new ModelHubStack(app, config.stackName, {
    stackName: config.stackName,
    config,
    entries: { verifier: FIXTURE_HANDLER, worker: FIXTURE_HANDLER, reconciler: FIXTURE_HANDLER },
  });
}

/** Synthesizes the stack for the given context values. */
export function synthTemplate(context: Record<string, unknown> = {}): { app: App; stack: Stack; template: Template } {
  const app = createTestApp(context);
  const stack = buildStack(app);
  return { app, stack, template: Template.fromStack(stack) };
}
