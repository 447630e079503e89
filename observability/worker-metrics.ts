import { Context } from '@temporalio/activity';
import type { LogMetadata, MetricCounter, MetricHistogram, MetricTags } from '@temporalio/common';
import { Runtime } from '@temporalio/worker';

/**
 * postflow's worker metrics, recorded on the Temporal SDK runtime's metric meter, so one
 * Prometheus endpoint serves the SDK's `temporal_…` series and these (observability/worker-runtime.ts).
 * Counter names carry no `_total`: the exporter appends it (`countersTotalSuffix`), to the
 * SDK's counters too.
 */
export const workerMetricNames = {
  conversions: 'postflow_conversions', // exposed as postflow_conversions_total{status,reason}
  capRejections: 'postflow_cap_rejections', // …_total{action,metric,period}
  deliveryAttempts: 'postflow_delivery_attempts', // …_total{outcome}
  deliveryAttemptSeconds: 'postflow_delivery_attempt_duration_seconds', // histogram{outcome}
  deliveries: 'postflow_deliveries', // …_total{status}: finished delivery runs
} as const;

/** Seconds; an attempt's timeout is DELIVERY_TIMEOUT_MS (10 s by default). */
export const deliveryLatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * The current activity's context, or undefined when an activity function is called directly
 * (tests call createActivities(...) outside a worker): then no metric and no line is written.
 */
function activityContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined;
  }
}

interface Instruments {
  runtime: Runtime;
  conversions: MetricCounter;
  capRejections: MetricCounter;
  deliveryAttempts: MetricCounter;
  deliveryAttemptSeconds: MetricHistogram;
  deliveries: MetricCounter;
}
let instruments: Instruments | undefined;

/**
 * The instruments, created once on the runtime's meter, and this activity's tags. Not the
 * activity context's meter: it tags in camelCase (`taskQueue`, `activityType`), while the SDK's
 * own series use `task_queue`; one naming on one endpoint keeps dashboards simple.
 */
function record(): { i: Instruments; tags: MetricTags } | undefined {
  const context = activityContext();
  if (!context) return undefined;
  const runtime = Runtime.instance(); // installed: an activity context means a worker runs it
  if (instruments?.runtime !== runtime) {
    const meter = runtime.metricMeter;
    instruments = {
      runtime,
      conversions: meter.createCounter(workerMetricNames.conversions, '', 'conversion status changes, by new status and main reason'),
      capRejections: meter.createCounter(workerMetricNames.capRejections, '', 'conversions refused a cap place, by action (reject, hold)'),
      deliveryAttempts: meter.createCounter(workerMetricNames.deliveryAttempts, '', 'affiliate postback attempts, by outcome'),
      deliveryAttemptSeconds: meter.createHistogram(
        workerMetricNames.deliveryAttemptSeconds,
        'float',
        's',
        'affiliate postback attempt latency, by outcome',
      ),
      deliveries: meter.createCounter(workerMetricNames.deliveries, '', 'finished delivery runs, by final status'),
    };
  }
  return { i: instruments, tags: { namespace: context.info.namespace, task_queue: context.info.taskQueue } };
}

/** One line through the activity's logger (the runtime's, with workflow_id, activity_type… attached); a no-op outside an activity. */
export function logActivity(level: 'info' | 'warn', message: string, fields: LogMetadata): void {
  activityContext()?.log[level](message, fields);
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

/** A status change the projection took (counted once: a retried activity finds it applied). */
export function observeTransition(t: {
  conversionId: string;
  seq: number;
  from: string;
  to: string;
  reasonCodes: string[];
  actor: string;
}): void {
  const reason = conversionReasonLabel(t.actor, t.reasonCodes);
  const r = record();
  r?.i.conversions.add(1, { ...r.tags, status: t.to, reason });
  logActivity('info', `conversion ${t.from} -> ${t.to}`, {
    conversion_id: t.conversionId,
    seq: t.seq,
    from: t.from,
    to: t.to,
    reason_codes: t.reasonCodes,
    actor: t.actor,
  });
}

/** A conversion refused a place in a cap (rejected or held, per the cap's on_exceed). */
export function observeCapRejection(c: {
  conversionId: string;
  capId: string;
  action: string;
  metric: string;
  period: string;
  detail: string;
}): void {
  const r = record();
  r?.i.capRejections.add(1, { ...r.tags, action: c.action, metric: c.metric, period: c.period });
  logActivity('info', `cap reached: ${c.detail}`, { conversion_id: c.conversionId, cap_id: c.capId, action: c.action });
}

/** One attempt row written: success, retry, permanent, gone or inactive. */
export function observeDeliveryAttempt(a: {
  deliveryId: string;
  conversionId: string;
  endpointId: string;
  run: number;
  attempt: number;
  outcome: string;
  statusCode?: number;
  durationMs?: number;
  url?: string;
  error?: string;
}): void {
  const r = record();
  r?.i.deliveryAttempts.add(1, { ...r.tags, outcome: a.outcome });
  if (a.durationMs !== undefined) r?.i.deliveryAttemptSeconds.record(a.durationMs / 1000, { ...r.tags, outcome: a.outcome });
  logActivity(
    a.outcome === 'success' ? 'info' : 'warn',
    `delivery attempt ${a.attempt}: ${a.outcome}${a.statusCode !== undefined ? ` (${a.statusCode})` : ''}`,
    {
      delivery_id: a.deliveryId,
      conversion_id: a.conversionId,
      endpoint_id: a.endpointId,
      run: a.run,
      delivery_attempt: a.attempt, // `attempt` is the SDK's: the activity's own retry count
      outcome: a.outcome,
      status_code: a.statusCode,
      duration_ms: a.durationMs,
      url: a.url, // already masked (activities/http/mask-url.ts); the logger scrubs again
      error: a.error,
    },
  );
}

/** A delivery run ended: succeeded, failed or dead_lettered. */
export function observeDeliveryFinished(d: { deliveryId: string; status: string; reason?: string }): void {
  const r = record();
  r?.i.deliveries.add(1, { ...r.tags, status: d.status });
  logActivity(d.status === 'succeeded' ? 'info' : 'warn', `delivery ${d.status}`, {
    delivery_id: d.deliveryId,
    status: d.status,
    reason: d.reason,
  });
}
