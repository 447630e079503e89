import { Context } from '@temporalio/activity';
import type { LogMetadata, Logger as TemporalLogger, MetricMeter } from '@temporalio/common';

/**
 * postflow's worker metrics, recorded through the Temporal SDK's metric meter so the worker has
 * one Prometheus endpoint for the SDK's `temporal_…` series and these (observability/worker-runtime.ts).
 * Counter names carry no `_total`: the exporter appends it (`countersTotalSuffix`), to
 * `temporal_…` counters too. The activity meter adds `namespace`, `task_queue` and `activity_type`.
 */
export const workerMetricNames = {
  conversions: 'postflow_conversions', // exposed as postflow_conversions_total{status,reason}
  capRejections: 'postflow_cap_rejections', // …_total{action,metric,period}
  deliveryAttempts: 'postflow_delivery_attempts', // …_total{outcome}
  deliveryAttemptSeconds: 'postflow_delivery_attempt_duration_seconds', // histogram{outcome}
  deliveries: 'postflow_deliveries', // …_total{status}: finished deliveries
} as const;

/** Seconds; an attempt's timeout is DELIVERY_TIMEOUT_MS (10 s by default). */
export const deliveryLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The current activity's context, or undefined when an activity function is called directly
 * (tests call createActivities(...) outside a worker): then metrics and lines are skipped.
 */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

function meter(): MetricMeter | undefined {
  return activityContext()?.metricMeter;
}

/** The activity's logger (the runtime's, with workflow_id, activity_type… attached), if any. */
export function activityLog(): TemporalLogger | undefined {
  return activityContext()?.log;
}

/** One line through the activity logger; a no-op outside an activity. */
export function logActivity(level: 'info' | 'warn', message: string, fields: LogMetadata): void {
  activityLog()?.[level](message, fields);
}

/**
 * The reason label must stay a small set: the system's reason codes are fixed, but an ops
 * or advertiser change carries free text, so those count under who asked for them.
 */
export function conversionReasonLabel(actor: string, reasonCodes: string[]): string {
  if (actor !== 'system') return actor === 'advertiser' || actor === 'ops' ? `${actor}_request` : 'other_request';
  const code = reasonCodes[0];
  return code && /^[a-z][a-z0-9_]{0,40}$/.test(code) ? code : 'none';
}

export const workerMetrics = {
  conversion(status: string, reason: string): void {
    meter()?.createCounter(workerMetricNames.conversions, '', 'conversion status changes, by new status and main reason code').add(1, { status, reason });
  },
  capRejection(labels: { action: string; metric: string; period: string }): void {
    meter()?.createCounter(workerMetricNames.capRejections, '', 'conversions refused a cap place (rejected or held)').add(1, labels);
  },
  deliveryAttempt(outcome: string, durationMs: number | undefined): void {
    const m = meter();
    if (!m) return;
    m.createCounter(workerMetricNames.deliveryAttempts, '', 'affiliate postback attempts, by outcome').add(1, { outcome });
    if (durationMs !== undefined) {
      m.createHistogram(workerMetricNames.deliveryAttemptSeconds, 'float', 's', 'affiliate postback attempt latency').record(durationMs / 1000, { outcome });
    }
  },
  delivery(status: string): void {
    meter()?.createCounter(workerMetricNames.deliveries, '', 'finished deliveries, by final status').add(1, { status });
  },
};
