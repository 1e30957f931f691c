import { Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { buildStack, createTestApp } from '../support/infra-stack';

/**
 * cdk-nag 3 runs as a CDK policy-validation plugin: findings are not annotations but violations in the plugin
 * report (and `policy-validation-report.json`), and an unacknowledged one makes `app.synth()` throw.
 */
describe('cdk-nag AwsSolutions', () => {
  // With alarmEmail set, so that the optional topic and key are checked too.
  test.each([[{}], [{ alarmEmail: 'ops@example.com', verifierReservedConcurrency: 'none' }]])(
    'no unacknowledged findings (context %j)',
    (context) => {
      const app = createTestApp(context);
      const checks = new AwsSolutionsChecks(app, { verbose: true });
      Validations.of(app).addPlugins(checks);
      buildStack(app);
      // Throws "ValidationFailed" with the report when a finding is not acknowledged.
      expect(() => app.synth()).not.toThrow();
      const findings = checks.validateScope(app).violations.map((v) => `${v.ruleName}: ${v.description}`);
      expect(findings).toEqual([]);
    },
  );
});
