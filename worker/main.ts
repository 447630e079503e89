import path from 'node:path';
import { loadConfigOrExit } from '../config';
import { createLogger, type Logger } from '../observability/logger';
import { installWorkerRuntime } from '../observability/worker-runtime';
import { startSystem } from '../system/start';
import { pingMongo } from '../models/connect';
import { pingTemporal } from '../temporal/connect';
import { startWorkerHealthServer, type WorkerHealthServer } from './health';
import { verifiedBundle } from './workflow-bundle';

let logger: Logger | undefined;

/** Worker process: connects MongoDB and Temporal, runs until SIGINT/SIGTERM, then drains. */
async function main(): Promise<void> {
  const config = loadConfigOrExit();
  const log = (logger = createLogger({ level: config.log.level, service: 'worker' }));
  // Start-up and shutdown lines are written whatever LOG_LEVEL says: scripts wait for them.
  const lifecycle = log.child({}, { level: 'info' });
  // Checked before anything listens or connects, so a missing or stale bundle stops the start with one clear line.
  const bundle = verifiedBundle(path.resolve(config.worker.workflowBundle));
  lifecycle.info(
    { workflow_bundle: bundle.codePath, built_at: bundle.manifest.builtAt, sources_hash: bundle.manifest.sourcesHash },
    bundle.sourcesChecked
      ? `workflow bundle ${bundle.codePath} matches the workflow sources`
      : `workflow bundle ${bundle.codePath} (no workflow sources here to check it against)`,
  );
  const { metricsAddress } = config.worker;
  try {
    installWorkerRuntime({ logger: log, level: config.log.level, metricsAddress });
  } catch (err) {
    throw new Error(`WORKER_METRICS_ADDRESS ${metricsAddress}: ${(err as Error).message} (set another ip:port, or off)`);
  }
  if (metricsAddress)
    lifecycle.info(
      { address: metricsAddress },
      metricsAddress.endsWith(':0')
        ? 'worker metrics on a free port (WORKER_METRICS_ADDRESS port 0)'
        : `worker metrics on http://${metricsAddress}/metrics`,
    );
  // Listening before anything connects: a worker waiting for MongoDB or Temporal is alive, not ready.
  let health: WorkerHealthServer | undefined;
  if (config.worker.healthAddress) {
    try {
      health = await startWorkerHealthServer(config.worker.healthAddress);
    } catch (err) {
      throw new Error(`WORKER_HEALTH_ADDRESS ${config.worker.healthAddress}: ${(err as Error).message} (set another ip:port, or off)`);
    }
    lifecycle.info({ address: health.address }, `worker health on http://${health.address}/healthz and /readyz`);
  }
  // The SDK's runtime (installed above) takes SIGINT/SIGTERM to drain running workers; with none
  // running yet it does nothing, so a worker waiting for MongoDB or Temporal could not be stopped
  // (an orchestrator would wait out its grace period and SIGKILL it). Until the workers run,
  // nothing is in flight: a signal ends the process at once.
  const stopBeforeStart = (signal: NodeJS.Signals) => {
    lifecycle.info({ signal }, `worker: ${signal} before start-up finished; worker stopped`);
    process.exit(0);
  };
  process.once('SIGINT', stopBeforeStart);
  process.once('SIGTERM', stopBeforeStart);
  const system = await startSystem(config, {
    lifecycle,
    registerSearchAttributes: true,
    schedules: true,
    workers: { workflowBundle: { codePath: bundle.codePath } },
  });
  process.off('SIGINT', stopBeforeStart);
  process.off('SIGTERM', stopBeforeStart);
  health?.setChecks({
    mongodb: () => pingMongo(system.mongo),
    temporal: () => pingTemporal(system.client),
    // A draining, stopped or failed worker, or one whose poller failed, takes no new work.
    workers: () => {
      for (const w of system.workers.workers) {
        const status = w.getStatus();
        const queue = w.options.taskQueue;
        if (status.runState !== 'RUNNING') throw new Error(`task queue ${queue}: ${status.runState.toLowerCase()}`);
        if (status.workflowPollerState === 'FAILED' || status.activityPollerState === 'FAILED')
          throw new Error(`task queue ${queue}: poller failed`);
      }
    },
  });
  const { namespace } = config.temporal;
  const queues = system.workers.workers.map((w) => w.options.taskQueue);
  lifecycle.info(
    { task_queues: queues, namespace },
    `worker polling task queues ${queues.map((q) => `"${q}"`).join(' and ')} in namespace "${namespace}"`,
  );
  // The SDK's runtime turns SIGINT/SIGTERM into worker.shutdown(): in-flight tasks finish first.
  await system.workersStopped;
  await system.stop();
  await health?.close();
  lifecycle.info('worker stopped');
}

main().catch((err: unknown) => {
  const message = `worker: ${err instanceof Error ? err.message : String(err)}`;
  if (logger) logger.fatal({ err }, message);
  else console.error(message);
  process.exit(1);
});
