import { bundleWorkflowCode, Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities';
import type { DeliverySettings } from '../activities/deps';
import type { Config } from '../config';
import { parseNetworkList } from '../domain/ip';
import { parseSchedule } from '../domain/retry-schedule';
import { deliveryTaskQueue } from '../temporal/task-queues';

export interface CreateWorkerOptions {
  connection: NativeConnection;
  namespace: string;
  /** Conversions run here; deliveries on deliveryTaskQueue(taskQueue). */
  taskQueue: string;
  deps: ActivityDeps;
  /**
   * Workflows each worker keeps in memory (sticky cache). Approved conversions wait out the
   * reversal window, so the SDK's default (sized from the heap, thousands) fills with idle
   * workflows: RSS grew past 1.5 GB in the benchmark. An evicted one is replayed from its short
   * history when it is next needed.
   */
  maxCachedWorkflows?: number;
  /** A prebuilt bundle (tests build one per run); else the workflows are bundled once here. */
  workflowBundle?: WorkerOptions['workflowBundle'];
}

export interface Workers {
  workers: Worker[];
  /** Runs every worker until shutdown() (or SIGINT/SIGTERM through the SDK runtime). */
  run(): Promise<void>;
  shutdown(): void;
}

/**
 * The process's workers: one for conversions and one for deliveries, sharing a connection,
 * the activities and one workflow bundle. Either queue can also be served by more processes.
 */
export async function createWorkers(opts: CreateWorkerOptions): Promise<Workers> {
  const workflowBundle = opts.workflowBundle ?? {
    code: (await bundleWorkflowCode({ workflowsPath: workflowsPath() })).code,
  };
  const activities = createActivities(opts.deps);
  const workers = await Promise.all(
    [opts.taskQueue, deliveryTaskQueue(opts.taskQueue)].map((taskQueue) =>
      Worker.create({
        connection: opts.connection,
        namespace: opts.namespace,
        taskQueue,
        activities,
        workflowBundle,
        ...(opts.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: opts.maxCachedWorkflows } : {}),
      }),
    ),
  );
  return {
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    shutdown: () => workers.forEach((w) => w.shutdown()),
  };
}

/** The worker's delivery settings from its configuration (parsed and validated by config/). */
export function deliverySettingsFrom(config: Config): DeliverySettings {
  return {
    scheduleMs: parseSchedule(config.DELIVERY_SCHEDULE),
    timeoutMs: config.DELIVERY_TIMEOUT_MS,
    allowedNetworks: parseNetworkList(config.DELIVERY_ALLOWED_NETWORKS),
    pauseAfterFailures: config.DELIVERY_PAUSE_AFTER_FAILURES,
    pauseMs: config.DELIVERY_PAUSE_MS,
  };
}

export function workflowsPath(): string {
  return require.resolve('../workflows');
}
