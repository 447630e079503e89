import { rmSync } from 'node:fs';
import { TEST_ENV, type TestInfraHandle } from './test-env';

/** Stops only what globalSetup started (external servers are left alone) and removes its logs. */
export default async function globalTeardown(): Promise<void> {
  await (globalThis as TestInfraHandle).__postflowInfra?.stop();
  const runDir = process.env[TEST_ENV.runDir];
  // POSTFLOW_KEEP_TEST_LOGS=1 keeps the servers' logs for a look after a failed run.
  if (runDir && !process.env.POSTFLOW_KEEP_TEST_LOGS) rmSync(runDir, { recursive: true, force: true });
}
