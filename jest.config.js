/**
 * Three projects, each runnable alone (`npm run test:unit`, `test:infra`, `test:integration`); `npm test` runs all:
 * - unit: pure code and in-memory fakes, no servers, no synth (seconds);
 * - infra: the CDK stack, synthesized once per run and shared (test/support/infra-stack.ts), the policy checks
 *   (cfn-guard, cdk-nag) and a real `cdk synth`; every synth writes into one directory per run, removed at the end;
 * - integration: real protocol implementations (dynalite, local-aws-sqs, the Bitbucket simulator, git http-backend);
 * - console: the admin console's components and client code in jsdom (a DOM without a browser, milliseconds a test);
 * - browser: the console end to end in Debian's Chromium (playwright-core) against the local hub and the simulator.
 */
// Fails at once, with the next step, when started on an older Node.js than package.json declares.
require('./test/support/node-version').assertSupportedNode();

const shared = {
  testEnvironment: 'node',
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Captures everything each test file writes and fails the file if a registered secret appears in it; puts
  // process.env back after each test and file.
  setupFilesAfterEnv: ['<rootDir>/test/support/secret-hygiene.ts', '<rootDir>/test/support/restore-env.ts'],
};

/** @type {import('jest').Config} */
module.exports = {
  projects: [
    { ...shared, displayName: 'unit', roots: ['<rootDir>/test/unit'] },
    {
      ...shared,
      displayName: 'infra',
      roots: ['<rootDir>/test/infra'],
      globalSetup: '<rootDir>/test/support/infra-global-setup.ts',
      globalTeardown: '<rootDir>/test/support/infra-global-teardown.ts',
    },
    { ...shared, displayName: 'integration', roots: ['<rootDir>/test/integration'] },
    {
      ...shared,
      displayName: 'console',
      roots: ['<rootDir>/test/console'],
      testEnvironment: 'jsdom',
      testMatch: ['**/*.test.ts', '**/*.test.tsx'],
      // The console's own JSX runtime (Preact), as esbuild compiles it for the bundle.
      transform: {
        '^.+\\.tsx?$': [
          '@swc/jest',
          {
            jsc: {
              target: 'es2022',
              parser: { syntax: 'typescript', tsx: true },
              transform: { react: { runtime: 'automatic', importSource: 'preact' } },
            },
            module: { type: 'commonjs' },
          },
        ],
      },
      // jsdom resolves packages by their browser entry, which for Preact is an ES module jest cannot load as is.
      testEnvironmentOptions: { customExportConditions: ['node', 'require', 'default'] },
    },
    { ...shared, displayName: 'browser', roots: ['<rootDir>/test/e2e'] },
  ],
  // A run-wide option (jest ignores it inside a project).
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Suites start their own embedded DynamoDB/SQS/Bitbucket servers on ephemeral ports, so they can run in parallel.
  maxWorkers: 2,
};
