// The Control Tower rules and cdk-nag run on the stack as `cdk synth` runs them (minus bundling): both pass, and a
// violation of either fails the synth.
import { App, Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { addPolicyChecks, controlTowerChecks, DISABLED_CONTROL_TOWER_RULES } from '../../../infra/policy-validation';
import { buildStack, cdkJsonContext } from '../../support/infra-stack';

/** An app like infra/app.ts builds, without bundling (no esbuild runs). */
function checkedApp(context: Record<string, unknown> = {}): App {
  const app = new App({ context: { ...cdkJsonContext(), 'aws:cdk:bundling-stacks': [], ...context } });
  addPolicyChecks(app);
  return app;
}

describe('policy validation on every synth', () => {
  test.each([[{}], [{ alarmEmail: 'ops@example.com', verifierReservedConcurrency: 'none', logRetentionDays: '3653' }]])(
    'the stack passes the Control Tower rules and cdk-nag (context %j)',
    (context) => {
      const app = checkedApp(context);
      buildStack(app);
      // Throws "Validation failed" with the plugin reports when a rule fails or a finding is not acknowledged.
      expect(() => app.synth()).not.toThrow();
    },
    60_000,
  );

  test('a Control Tower violation fails the synth', () => {
    const app = checkedApp();
    const stack = new Stack(app, 'Violating');
    // 30 days and no KMS key: CT.CLOUDWATCH.PR.2 and PR.3.
    new logs.LogGroup(stack, 'ShortLived', { retention: logs.RetentionDays.ONE_MONTH });
    expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.2[\s\S]*CT\.CLOUDWATCH\.PR\.3/);
  }, 60_000);

  test('exactly the three by-design rules are disabled, each with a reason', () => {
    expect(Object.keys(DISABLED_CONTROL_TOWER_RULES).sort()).toEqual(['ct-apigateway-pr-5', 'ct-lambda-pr-3', 'ct-sqs-pr-1']);
    for (const reason of Object.values(DISABLED_CONTROL_TOWER_RULES)) expect(reason.length).toBeGreaterThan(40);
    expect(controlTowerChecks().ruleIds).not.toEqual(expect.arrayContaining(['apigatewaypr5', 'lambdapr3', 'sqspr1']));
    expect(controlTowerChecks().ruleIds).toEqual(expect.arrayContaining(['cloudwatchpr1', 'cloudwatchpr2', 'cloudwatchpr3', 'lambdapr2']));
  });
});
