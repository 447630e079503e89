import { Worker, type NativeConnection, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities';
import type { Config } from '../config';
import type { Models } from '../models';
import { deliveryTaskQueue } from '../temporal/task-queues';

/** The configuration sections the worker reads (config/index.ts): every setting is given, none defaulted here. */
export type WorkersConfig = Pick<Config, 'temporal' | 'worker' | 'delivery' | 'events'>;

export interface CreateWorkerOptions {
  connection: NativeConnection;
  config: WorkersConfig;
  models: Models;
  /** The activities' clock; the real one unless a test turns it. */
  now?: () => Date;
  /** The prebuilt workflow bundle (worker/workflow-bundle.ts): webpack never runs in the worker. */
  workflowBundle: WorkerOptions['workflowBundle'];
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
  const { workflowBundle } = opts;
  const { temporal, worker, delivery, events } = opts.config;
  const activities = createActivities({
    models: opts.models,
    now: opts.now ?? (() => new Date()),
    delivery,
    eventsRetentionMs: events.retentionMs,
  });
  const workers = await Promise.all(
    [temporal.taskQueue, deliveryTaskQueue(temporal.taskQueue)].map((taskQueue) =>
      Worker.create({
        connection: opts.connection,
        namespace: temporal.namespace,
        taskQueue,
        activities,
        workflowBundle,
        // Approved conversions wait out the reversal window, so the SDK's default cache (sized from
        // the heap, thousands) fills with idle workflows: RSS grew past 1.5 GB in the benchmark. An
        // evicted one is replayed from its short history when it is next needed.
        maxCachedWorkflows: worker.maxCachedWorkflows,
        maxConcurrentWorkflowTaskExecutions: worker.maxConcurrentWorkflowTasks,
        maxConcurrentActivityTaskExecutions: worker.maxConcurrentActivities,
        maxConcurrentLocalActivityExecutions: worker.maxConcurrentLocalActivities,
      }),
    ),
  );
  return {
    workers,
    run: async () => {
      await Promise.all(workers.map((w) => w.run()));
    },
    // Only running workers: one that already stopped (SIGINT through the SDK's runtime) would throw.
    shutdown: () => workers.filter((w) => w.getState() === 'RUNNING').forEach((w) => w.shutdown()),
  };
}
