// The Control Tower rules and cdk-nag run on the stack as `cdk synth` runs them (minus bundling): both pass, and a
// violation of either fails the synth.
import { Stack } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';
import { controlTowerChecks, DISABLED_CONTROL_TOWER_RULES } from '../../infra/policy-validation';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { failingControlTowerRules } from '../support/control-tower-rules';
import { buildStack, createTestApp, sharedSynth, synthOutdir, synthTemplate } from '../support/infra-stack';

/** An app like infra/app.ts builds, with its policy checks, without bundling (no esbuild runs). */
const checkedApp = (context: Record<string, unknown> = {}) => createTestApp(context, { checked: true });

/** cfn-guard reads all 237 Control Tower rule files per synth: ~5 s on 2 idle cores, 25 s seen on a loaded machine. */
const CFN_GUARD_BUDGET_MS = 120_000;

describe('policy validation on every synth', () => {
  test(
    "the stack passes the Control Tower rules and cdk-nag (default context: the run's shared synth)",
    async () => {
      // The shared synth keeps the plugins' report ("Validation failed ...") when a rule fails or a finding is not acknowledged.
      expect((await sharedSynth()).policyFailure).toBeUndefined();
    },
    CFN_GUARD_BUDGET_MS,
  );

  test(
    'the stack passes the Control Tower rules and cdk-nag (alarmEmail, no reserved concurrency, 10-year logs, JWT, CORS, console domain)',
    () => {
      const app = checkedApp({
        alarmEmail: 'ops@example.com',
        verifierReservedConcurrency: 'none',
        logRetentionDays: '3653',
        readJwtIssuer: 'https://login.example.com/tenant/v2.0',
        readJwtAudience: 'catalog-reader',
        adminJwtIssuer: 'https://login.example.com/tenant/v2.0',
        adminJwtAudience: 'hub-console',
        corsOrigins: 'https://catalog.example.com',
        consoleDomainName: 'hub.example.com',
        consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b8e5a3c-1f2d-4e6f-9a7b-2c3d4e5f6a7b',
      });
      buildStack(app);
      // Throws "Validation failed" with the plugin reports when a rule fails or a finding is not acknowledged.
      expect(() => app.synth()).not.toThrow();
    },
    CFN_GUARD_BUDGET_MS,
  );

  test(
    'a Control Tower violation fails the synth',
    () => {
      const app = checkedApp();
      const stack = new Stack(app, 'Violating');
      // 30 days and no KMS key: CT.CLOUDWATCH.PR.2 and PR.3.
      new logs.LogGroup(stack, 'ShortLived', { retention: logs.RetentionDays.ONE_MONTH });
      expect(() => app.synth()).toThrow(/CT\.CLOUDWATCH\.PR\.2[\s\S]*CT\.CLOUDWATCH\.PR\.3/);
    },
    CFN_GUARD_BUDGET_MS,
  );

  test(
    "with a console domain, the distribution passes Control Tower's certificate, SNI and TLS rules (CT.CLOUDFRONT.PR.6, 7, 9)",
    () => {
      const template = synthTemplate({
        consoleDomainName: 'hub.example.com',
        consoleCertificateArn: 'arn:aws:acm:us-east-1:123456789012:certificate/0b8e5a3c-1f2d-4e6f-9a7b-2c3d4e5f6a7b',
      }).template;
      const file = join(synthOutdir(), 'with-console-domain.template.json');
      writeFileSync(file, JSON.stringify(template.toJSON()));
      const failing = failingControlTowerRules(file);
      expect(failing).toEqual(
        Object.keys(DISABLED_CONTROL_TOWER_RULES)
          .filter((rule) => !/^ct-cloudfront-pr-[679]$/.test(rule))
          .sort(),
      );
    },
    CFN_GUARD_BUDGET_MS,
  );

  test('exactly the by-design rules are disabled, each with a reason', () => {
    expect(Object.keys(DISABLED_CONTROL_TOWER_RULES).sort()).toEqual([
      'ct-apigateway-pr-5',
      // The console's distribution and buckets (infra/constructs/console-hosting.ts).
      'ct-cloudfront-pr-4',
      'ct-cloudfront-pr-6',
      'ct-cloudfront-pr-7',
      'ct-cloudfront-pr-9',
      'ct-lambda-pr-3',
      'ct-s3-pr-10',
      'ct-sqs-pr-1',
    ]);
    for (const reason of Object.values(DISABLED_CONTROL_TOWER_RULES)) expect(reason.length).toBeGreaterThan(40);
    expect(controlTowerChecks().ruleIds).not.toEqual(expect.arrayContaining(['apigatewaypr5', 'lambdapr3', 'sqspr1']));
    expect(controlTowerChecks().ruleIds).toEqual(
      expect.arrayContaining(['cloudwatchpr1', 'cloudwatchpr2', 'cloudwatchpr3', 'lambdapr2', 'cloudfrontpr10', 's3pr1', 's3pr2', 's3pr9']),
    );
  });
});
