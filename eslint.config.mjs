// Lint rules for the whole repository: typescript-eslint's recommended set plus the type-aware rules that catch
// promises nobody awaits (a lost write is a silent data bug here). Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import prettier from 'eslint-config-prettier';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'node_modules/',
      'cdk.out/',
      '.model-hub/',
      '.bench/',
      'coverage/',
      'dist/',
      'scratch/',
      'test/support/summary-reporter.js',
      'test/support/node-version.js',
      'jest.config.js',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports', disallowTypeAnnotations: false }],
      'no-console': 'off',
    },
  },
  {
    // The console's tests compile with the DOM and Preact's JSX (test/console/tsconfig.json), not the root project.
    files: ['test/console/**/*.ts', 'test/console/**/*.tsx'],
    languageOptions: {
      parserOptions: { projectService: false, project: ['./test/console/tsconfig.json'], tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The deployed code (the console included) keeps its functions short enough to read at once (the house rule "short functions").
    files: ['shared/**/*.ts', 'functions/**/*.ts', 'infra/**/*.ts', 'console/**/*.ts', 'console/**/*.tsx'],
    rules: { 'max-lines-per-function': ['error', { max: 80, skipBlankLines: true, skipComments: true }] },
  },
  prettier,
);
