// Two projects: `unit` needs no servers; `integration` (integration + end-to-end tests) gets one
// real Temporal server and one real MongoDB-compatible server for the whole run (globalSetup).
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { parser: { syntax: 'typescript' }, target: 'es2022' }, module: { type: 'commonjs' } }],
  // ESM-only packages the tests use, turned into CommonJS like the test files themselves.
  '/node_modules/eventsource-parser/.+\\.js$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};
const transformIgnorePatterns = ['/node_modules/(?!eventsource-parser/)'];

/** @type {import('jest').Config} */
module.exports = {
  // Integration tests wait for workflows with their own deadlines (waitFor); this is the backstop.
  testTimeout: 60_000,
  projects: [
    {
      displayName: 'unit',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/unit/**/*.test.ts'],
    },
    {
      displayName: 'integration',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      // test/browser: the console in Debian's Chromium (Playwright), on the same servers.
      testMatch: ['<rootDir>/test/integration/**/*.test.ts', '<rootDir>/test/e2e/**/*.test.ts', '<rootDir>/test/browser/**/*.test.ts'],
      globalSetup: '<rootDir>/test/support/global-setup.ts',
      globalTeardown: '<rootDir>/test/support/global-teardown.ts',
    },
    {
      // Fault injection (`npm run test:faults`, run by .ci/run after `npm test`): each file starts
      // and kills its own servers, so no globalSetup; minutes long, so kept out of `npm test`.
      displayName: 'faults',
      testEnvironment: 'node',
      transform,
      transformIgnorePatterns,
      testMatch: ['<rootDir>/test/faults/**/*.test.ts'],
    },
  ],
};
