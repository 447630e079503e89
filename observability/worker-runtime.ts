import { Runtime } from '@temporalio/worker';
import type { Logger, LogLevel } from './logger';
import { PinoTemporalLogger } from './temporal-logger';
import { deliveryLatencyBuckets, workerMetricNames } from './worker-metrics';

export interface WorkerRuntimeOptions {
  logger: Logger;
  level: LogLevel;
  /** `ip:port` for the Prometheus exporter (served at /metrics), or undefined for none. */
  metricsAddress: string | undefined;
}

/**
 * Installs the process's one Temporal Runtime: every SDK line (Rust core included, forwarded
 * rather than printed to the console), workflow and activity line goes to our JSON logger, and
 * the SDK's metrics and postflow's worker metrics are served by one Prometheus exporter.
 * Durations are in seconds and counters end in `_total`, as Prometheus expects.
 * Throws if the address cannot be bound (e.g. already in use): the caller stops the process.
 */
export function installWorkerRuntime(opts: WorkerRuntimeOptions): Runtime {
  // Core's DEBUG is per-poll chatter; INFO is as verbose as it usefully gets.
  const core = opts.level === 'debug' || opts.level === 'trace' ? 'INFO' : opts.level === 'error' ? 'ERROR' : 'WARN';
  return Runtime.install({
    logger: new PinoTemporalLogger(opts.logger),
    telemetryOptions: {
      logging: { forward: {}, filter: { core, other: 'ERROR' } },
      ...(opts.metricsAddress
        ? {
            metrics: {
              prometheus: {
                bindAddress: opts.metricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
                histogramBucketOverrides: { [workerMetricNames.deliveryAttemptSeconds]: deliveryLatencyBuckets },
              },
            },
          }
        : {}),
    },
  });
}
