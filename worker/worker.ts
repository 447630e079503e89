import { type NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { DeliverySettings } from '../activities/deps';
import { parseAllowlist } from '../activities/http/address-guard';
import type { Config } from '../config';
import { parseSchedule } from '../domain/retry-schedule';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  deps: ActivityDeps;
  /** A prebuilt bundle (tests build one per run); else the workflows are bundled at start-up. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export function createWorker(opts: CreateWorkerOptions): Promise<Worker> {
  return Worker.create({
    connection: opts.connection,
    namespace: opts.namespace,
    taskQueue: opts.taskQueue,
    activities: createActivities(opts.deps),
    ...(opts.workflowBundle ? { workflowBundle: opts.workflowBundle } : { workflowsPath: workflowsPath() }),
  });
}

/** The worker's delivery settings from its configuration (parsed and validated by config/). */
export function deliverySettingsFrom(config: Config): DeliverySettings {
  return {
    scheduleMs: parseSchedule(config.DELIVERY_SCHEDULE),
    timeoutMs: config.DELIVERY_TIMEOUT_MS,
    allowedNetworks: parseAllowlist(config.DELIVERY_ALLOWED_NETWORKS),
    pauseAfterFailures: config.DELIVERY_PAUSE_AFTER_FAILURES,
    pauseMs: config.DELIVERY_PAUSE_MS,
  };
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}
