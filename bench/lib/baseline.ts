/**
 * The Temporal baseline of bench/end-to-end.ts: the same server running the cheapest possible
 * workflows (bench/baseline/workflows.ts) at the same rates, started through the client on a
 * fixed schedule and timed from the scheduled start to the result.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Client } from '@temporalio/client';
import type { Infrastructure } from '../../scripts/infra/provision';
import type { BaselineWorkflowType } from '../baseline/workflows';
import { roundSummary } from './deliveries';
import { openLoop } from './load';
import { log } from './log';
import { hasPollers, startService, waitUntil, type ServiceProcess } from './processes';
import { round, summarise, type LatencySummary } from './stats';

export interface BaselineWorker {
  proc: ServiceProcess;
  taskQueue: string;
}

/** bench/baseline/worker.ts in its own process, on its own task queue, polling before this resolves. */
export async function startBaselineWorker(opts: { infra: Infrastructure; runDir: string; client: Client }): Promise<BaselineWorker> {
  const taskQueue = `bench-baseline-${randomBytes(4).toString('hex')}`;
  // NODE_ENV only decides whether config/ insists on ADMIN_API_KEY, which this worker has no use for.
  const env = {
    NODE_ENV: 'development',
    TEMPORAL_ADDRESS: opts.infra.temporalAddress,
    TEMPORAL_NAMESPACE: 'default',
    TASK_QUEUE: taskQueue,
    LOG_LEVEL: 'info',
    WORKER_METRICS_ADDRESS: '127.0.0.1:0',
  };
  const t = Date.now();
  const proc = startService(
    'baseline worker',
    'bench/baseline/worker.ts',
    env,
    path.join(opts.runDir, `${taskQueue}.log`),
    /^baseline worker (polling|stopped)/,
  );
  try {
    await waitUntil('polling', proc, () => hasPollers(opts.client, taskQueue));
  } catch (err) {
    await proc.stop();
    throw err;
  }
  log(`baseline worker (pid ${proc.pid}) ready in ${Date.now() - t} ms, task queue ${taskQueue}`);
  return { proc, taskQueue };
}

export interface BaselinePhase {
  workflowType: BaselineWorkflowType;
  ratePerSec: number;
  /** Time the starts were being issued. */
  loadMs: number;
  started: number;
  completed: number;
  /** Starts or results that failed, by error message (trimmed). */
  failed: Record<string, number>;
  /** Still without a result at the deadline. */
  unfinished: number;
  /** Scheduled start time → the server acknowledged the start. */
  startLatency: LatencySummary;
  /** Scheduled start time → the workflow's result reached the client. */
  resultLatency: LatencySummary;
  /** completed / (phase start → the last result). */
  completedPerSec: number;
  /** Load end → the last result. */
  drainS: number;
  /** From the phase start to the last result: the window the CPU figures cover. */
  windowMs: number;
  maxSendLagMs: number;
}

/**
 * Starts `type` at `ratePerSec` for `durationS` (open loop: on schedule whatever the earlier ones
 * do) and waits for every result, up to `deadlineMs` after the last start.
 */
export async function runWorkflowsAtRate(
  client: Client,
  taskQueue: string,
  type: BaselineWorkflowType,
  opts: { ratePerSec: number; durationS: number; deadlineMs: number },
): Promise<BaselinePhase> {
  const tag = randomBytes(4).toString('hex');
  const startLat: number[] = [];
  const resultLat: number[] = [];
  const failed: Record<string, number> = {};
  let started = 0;
  let unfinished = 0;
  let lastDone = 0;
  let loadEnd = 0;
  let seq = 0;
  const total = Math.floor(opts.durationS * opts.ratePerSec);
  const t0 = performance.now();
  // The deadline is armed when the last start is issued; results that have not come by then count as unfinished.
  let armDeadline: () => void = () => undefined;
  const deadline = new Promise<'deadline'>(
    (resolve) => (armDeadline = () => setTimeout(() => resolve('deadline'), opts.deadlineMs).unref()),
  );
  const fail = (err: unknown) => {
    const key = (err instanceof Error ? err.message : String(err)).slice(0, 120);
    failed[key] = (failed[key] ?? 0) + 1;
  };
  const one = async (scheduled: number) => {
    const handle = await client.workflow.start(type, { taskQueue, workflowId: `${type}-${tag}-${seq++}`, args: [] });
    started += 1;
    startLat.push(performance.now() - scheduled);
    const outcome = await Promise.race([handle.result(), deadline]);
    if (outcome === 'deadline') {
      unfinished += 1;
      return;
    }
    const now = performance.now();
    resultLat.push(now - scheduled);
    lastDone = Math.max(lastDone, now);
  };
  const loop = openLoop({ ratePerSec: opts.ratePerSec, total, start: t0 }, (scheduled) => {
    const p = one(scheduled).catch(fail); // one() takes its seq synchronously
    if (seq >= total) {
      loadEnd = performance.now();
      armDeadline();
    }
    return p;
  });
  const { maxLagMs } = await loop;
  loadEnd ||= performance.now();
  const completed = resultLat.length;
  const windowMs = Math.max(lastDone, loadEnd) - t0;
  return {
    workflowType: type,
    ratePerSec: opts.ratePerSec,
    loadMs: round(loadEnd - t0),
    started,
    completed,
    failed,
    unfinished,
    startLatency: roundSummary(summarise(startLat)),
    resultLatency: roundSummary(summarise(resultLat)),
    completedPerSec: round(completed / (windowMs / 1000)),
    drainS: round(Math.max(0, lastDone - loadEnd) / 1000, 1),
    windowMs: round(windowMs),
    maxSendLagMs: round(maxLagMs),
  };
}
