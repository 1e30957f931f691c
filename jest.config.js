// Fails at once, with the next step, when started on an older Node.js than package.json declares.
require('./test/support/node-version').assertSupportedNode();

/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }] },
  setupFiles: ['<rootDir>/test/support/setup-env.ts'],
  // Captures everything each test file writes and fails the file if a registered secret appears in it; puts
  // process.env back after each test and file.
  setupFilesAfterEnv: ['<rootDir>/test/support/secret-hygiene.ts', '<rootDir>/test/support/restore-env.ts'],
  testTimeout: 30000,
  reporters: ['default', '<rootDir>/test/support/summary-reporter.js'],
  // Suites start their own embedded DynamoDB/SQS/Bitbucket servers on ephemeral ports, so they can run in parallel.
  maxWorkers: 2,
};
