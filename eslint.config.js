// @ts-check
const js = require('@eslint/js');
const tseslint = require('typescript-eslint');
const { builtinModules } = require('node:module');
const prettier = require('eslint-config-prettier');

// Workflow code runs in Temporal's deterministic sandbox: no Node built-ins, no drivers, no I/O.
// Activities are imported as types only (`import type`), so the bundle never sees a driver.
const forbiddenInWorkflows = {
  paths: [...builtinModules, ...builtinModules.map((m) => `node:${m}`)].map((name) => ({
    name,
    message: 'workflow code must be deterministic: do I/O in an activity',
  })),
  patterns: [
    {
      group: ['mongoose', 'mongodb', 'koa', '@koa/*', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'],
      message: 'not allowed in workflow code (use an activity)',
    },
    {
      group: ['**/activities', '**/activities/*', '**/models', '**/models/*', '**/api/*'],
      allowTypeImports: true,
      message: 'import activity and model *types* only (import type)',
    },
  ],
};

module.exports = tseslint.config(
  // ui/src/api/schema.d.ts is generated from /openapi.json (npm run ui:types).
  { ignores: ['node_modules/', 'dist/', 'coverage/', 'scratch/', 'bench/results/', '.postflow/', 'ui/src/api/schema.d.ts'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    // The console (ui/) is type-checked with its own ui/tsconfig.json, which the project service finds.
    files: ['**/*.ts', '**/*.tsx', '**/*.mts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: __dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: false }],
      '@typescript-eslint/consistent-type-imports': ['error', { fixStyle: 'inline-type-imports' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  {
    // Pure domain files are imported by workflows too, so they follow the same rule
    // (domain/conversion-id.ts uses node:crypto and is imported by the API only).
    files: ['workflows/**/*.ts', 'domain/**/*.ts', 'temporal/search-attributes.ts'],
    ignores: ['domain/conversion-id.ts'],
    rules: { 'no-restricted-imports': ['error', forbiddenInWorkflows] },
  },
  {
    files: ['**/*.js'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly' },
    },
    rules: {
      '@typescript-eslint/no-require-imports': 'off',
      'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }],
    },
  },
  // Layout is prettier's (`npm run format`; checked by `npm run lint`): no stylistic rule may fight it.
  prettier,
  // eslint-config-prettier turns max-len off, but prettier cannot break strings and comments: the width is still a rule.
  {
    files: ['**/*.ts', '**/*.tsx', '**/*.mts', '**/*.js'],
    rules: { 'max-len': ['error', { code: 140, ignoreUrls: true, ignoreRegExpLiterals: true }] },
  },
);
