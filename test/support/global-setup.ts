import { mkdirSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Connection } from '@temporalio/client';
import { provisionInfrastructure } from '../../scripts/infra/provision';
import { resolveTimeSkippingServer } from '../../scripts/infra/temporal-test-server';
import { ensureConsoleBuilt } from '../../scripts/build-ui';
import { buildWorkflowBundle } from '../../scripts/workflow-bundle';
import { ensureSearchAttributes } from '../../temporal/ensure-search-attributes';
import { TEST_ENV, type TestInfraHandle } from './test-env';

/**
 * Once per run: start (or attach to, when TEMPORAL_ADDRESS / MONGO_URL are set) one Temporal
 * server and one MongoDB, and bundle the workflows once; test files read where they are from
 * TEST_ENV variables and isolate themselves by database name and task queue.
 */
export default async function globalSetup(): Promise<void> {
  const runDir = mkdtempSync(path.join(os.tmpdir(), 'postflow-test-'));
  mkdirSync(runDir, { recursive: true });
  const started = Date.now();
  const infra = await provisionInfrastructure({
    mode: 'test',
    dataDir: runDir,
    env: process.env,
    namespace: 'default',
    sinkFor: (component) => ({ file: path.join(runDir, `${component}.log`) }),
    log: (line) => process.stderr.write(`[test-infra] ${line}\n`),
  });
  (globalThis as TestInfraHandle).__postflowInfra = infra;

  const connection = await Connection.connect({ address: infra.temporalAddress });
  await ensureSearchAttributes(connection, 'default'); // for an external TEMPORAL_ADDRESS
  await connection.close();

  // Built as `npm run build:workflows` builds it (with its manifest), so worker processes check it as production does.
  const bundlePath = path.join(runDir, 'workflow-bundle.js');
  await buildWorkflowBundle(bundlePath, quietLogger);

  // The console's production build, once for the run: test files run in parallel and must not
  // build into the same dist/ui at once. A no-op when ui/ has not changed since the last build.
  ensureConsoleBuilt((line) => process.stderr.write(`[test-infra] ${line}\n`));

  process.env[TEST_ENV.temporalAddress] = infra.temporalAddress;
  process.env[TEST_ENV.mongoUrl] = infra.mongoUrl;
  process.env[TEST_ENV.workflowBundle] = bundlePath;
  process.env[TEST_ENV.runDir] = runDir;

  // Resolved (built once) here, started by each timer test file: time skipping is one clock per
  // server, so files running in parallel must not share one.
  const testServer = resolveTimeSkippingServer(process.env, (line) => process.stderr.write(`[test-infra] ${line}\n`));
  if ('executable' in testServer) process.env[TEST_ENV.timeSkippingServer] = testServer.executable;
  else if (process.env.POSTFLOW_REQUIRE_TIME_SKIPPING)
    // CI has Java and Maven: there, a missing server is a broken setup, not a reason to skip tests.
    throw new Error(`POSTFLOW_REQUIRE_TIME_SKIPPING is set but there is no time-skipping server: ${testServer.unavailable}`);
  else process.env[TEST_ENV.timeSkippingUnavailable] = testServer.unavailable;
  const summary = [
    ...infra.summary,
    'executable' in testServer ? `time skipping: ${testServer.how}` : `time skipping: none, timer tests skipped: ${testServer.unavailable}`,
  ];
  process.stderr.write(
    `\n[test-infra] ready in ${Date.now() - started} ms; logs in ${runDir}\n${summary.map((l) => `[test-infra] ${l}`).join('\n')}\n`,
  );
}

const quietLogger = {
  log: () => undefined,
  trace: () => undefined,
  debug: () => undefined,
  info: () => undefined,
  warn: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
  error: (message: string) => process.stderr.write(`[bundle] ${message}\n`),
};
