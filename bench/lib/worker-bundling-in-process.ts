/**
 * The worker as it started before its bundle was prebuilt: webpack bundles the workflows in the
 * worker's own heap, then the worker runs. Only bench/worker-memory.ts starts it, as the "before".
 */
import os from 'node:os';
import path from 'node:path';
import { buildWorkflowBundle } from '../../scripts/workflow-bundle';

async function main(): Promise<void> {
  const codePath = path.join(os.tmpdir(), `postflow-in-process-bundle-${process.pid}.js`);
  await buildWorkflowBundle(codePath);
  process.env.WORKER_WORKFLOW_BUNDLE = codePath;
  await import('../../worker/main');
}

main().catch((err: unknown) => {
  console.error(`worker (bundling in-process): ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
