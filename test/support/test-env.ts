import type { Infrastructure } from '../../scripts/infra/provision';

/** Variables globalSetup sets for the test processes. */
export const TEST_ENV = {
  temporalAddress: 'POSTFLOW_TEST_TEMPORAL_ADDRESS',
  mongoUrl: 'POSTFLOW_TEST_MONGO_URL',
  workflowBundle: 'POSTFLOW_TEST_WORKFLOW_BUNDLE',
  runDir: 'POSTFLOW_TEST_RUN_DIR',
  /** The time-skipping test server's executable, or why there is none (then the timer tests are skipped). */
  timeSkippingServer: 'POSTFLOW_TEST_TIME_SKIPPING_SERVER',
  timeSkippingUnavailable: 'POSTFLOW_TEST_TIME_SKIPPING_UNAVAILABLE',
} as const;

export type TestInfraHandle = typeof globalThis & { __postflowInfra?: Infrastructure };

export function testEnv(name: keyof typeof TEST_ENV): string {
  const value = process.env[TEST_ENV[name]];
  if (!value) throw new Error(`${TEST_ENV[name]} is unset: run integration tests through jest's integration project (globalSetup)`);
  return value;
}
