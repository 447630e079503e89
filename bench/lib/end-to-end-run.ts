/**
 * One measurement of the whole pipeline at one steady rate, and of the Temporal baselines at the
 * same rate: what bench/end-to-end.ts (fixed rates) and bench/capacity.ts (stepped rates) share.
 */
import type { Client } from '@temporalio/client';
import type { BaselineWorkflowType } from '../baseline/workflows';
import { createOfferSetup, createPostbackEndpoint } from './admin';
import { runWorkflowsAtRate, type BaselinePhase, type BaselineWorker } from './baseline';
import { insertClicks, postbackSpec } from './clicks';
import { cpuSnapshot, cpuUsage, type CpuUsage } from './cpu';
import {
  analyseReceipts,
  awaitWarmupDeliveries,
  fmtLatency,
  stageBreakdown,
  waitForReceipts,
  waitForSettled,
  type ReceiptWait,
} from './deliveries';
import type { PhaseResult } from './load';
import { log } from './log';
import { measure } from './measure';
import { RssSampler, type MemoryPeak } from './memory';
import { startPostflowProcesses } from './processes';
import { ReceiverProcess } from './receiver';
import type { BenchInfra } from './stack';
import { round } from './stats';

/** The load every measurement applies: open loop at the rate, after a warm-up whose work is awaited. */
export interface LoadShape {
  warmupS: number;
  durationS: number;
  /** Connection cap of the postback load generator. */
  concurrency: number;
  /** How long a load's last conversion (or baseline workflow) may take to complete. */
  deadlineMs: number;
}

export const API = 'postflow api';
export const WORKER = 'postflow worker';
export const BASELINE_WORKER = 'baseline worker';
export const BENCH = 'bench process';
export const TEMPORAL = 'temporal';

export const ids = (r: PhaseResult | undefined) => (r?.records ?? []).map(([id]) => id);
/** CPU-seconds of `labels` summed over phases (a process that exited mid-way counts until then). */
export const cpuS = (phases: Array<CpuUsage | undefined>, ...labels: string[]) =>
  phases.reduce((sum, c) => sum + labels.reduce((s, l) => s + (c?.oursCpuS[l] ?? 0), 0), 0);
export const pctOfCore = (seconds: number, windowMs: number) => round((seconds / (windowMs / 1000)) * 100, 1);
export const perItemMs = (seconds: number, n: number) => (n > 0 ? round((seconds * 1000) / n, 2) : Number.NaN);
export const shown = (v: number | undefined) => (v === undefined || !Number.isFinite(v) ? 'n/a' : v);

export interface BaselineRun {
  phase: BaselinePhase;
  cpu: CpuUsage | undefined;
  memory: MemoryPeak;
}

export async function measureBaseline(
  load: LoadShape,
  client: Client,
  worker: BaselineWorker,
  type: BaselineWorkflowType,
  rate: number,
): Promise<BaselineRun> {
  const { deadlineMs } = load;
  log(`  baseline ${type} at ${rate}/s: warm-up ${load.warmupS} s, then ${load.durationS} s`);
  if (load.warmupS > 0) await runWorkflowsAtRate(client, worker.taskQueue, type, { ratePerSec: rate, durationS: load.warmupS, deadlineMs });
  const labels = { ...(worker.proc.pid ? { [worker.proc.pid]: BASELINE_WORKER } : {}), [process.pid]: BENCH };
  const sampler = new RssSampler({ [BASELINE_WORKER]: worker.proc.pid });
  const before = cpuSnapshot(labels);
  const phase = await runWorkflowsAtRate(client, worker.taskQueue, type, {
    ratePerSec: rate,
    durationS: load.durationS,
    deadlineMs,
  });
  const cpu = cpuUsage(before, cpuSnapshot(labels));
  const memory = sampler.stop()[BASELINE_WORKER] ?? {};
  log(`    ${phase.completed}/${phase.started} completed, ${phase.completedPerSec}/s; start → result ${fmtLatency(phase.resultLatency)}`);
  return { phase, cpu, memory };
}

export async function measurePostflow(load: LoadShape, env: BenchInfra, client: Client, rate: number, otherLabels: Record<number, string>) {
  const { deadlineMs } = load;
  const procs = await startPostflowProcesses({ infra: env.infra, runDir: env.runDir, name: `e2e_${rate}`, client });
  const receiver = await ReceiverProcess.start().catch(async (err: unknown) => {
    await procs.stop();
    throw err;
  });
  try {
    const setup = await createOfferSetup(procs.baseUrl, procs.adminKey);
    // e = event id (what receivers de-duplicate on), c = conversion id (to match the advertiser's 200).
    await createPostbackEndpoint(procs.baseUrl, procs.adminKey, setup.affiliateId, `${receiver.baseUrl}/pb?e={event_id}&c={conversion_id}`);
    const clickIds = await insertClicks(procs.models, setup, Math.ceil(rate * (load.warmupS + load.durationS)) + 100);
    const spec = postbackSpec(setup.token, clickIds, { recordJsonField: 'conversion_id' });
    const labels: Record<number, string> = { ...otherLabels, [process.pid]: BENCH };
    if (procs.api.pid) labels[procs.api.pid] = API;
    if (procs.worker.pid) labels[procs.worker.pid] = WORKER;
    if (receiver.pid) labels[receiver.pid] = 'receiver';
    const sampler = new RssSampler({ [API]: procs.api.pid, [WORKER]: procs.worker.pid });

    log(`  postflow at ${rate}/s`);
    let warmWait: ReceiptWait | undefined;
    // The measured phase starts with nothing in flight: the warm-up's conversions are delivered and settled.
    const m = await measure(
      procs.port,
      spec,
      {
        mode: 'open',
        concurrency: load.concurrency,
        ratePerSec: rate,
        warmupS: load.warmupS,
        durationS: load.durationS,
        expectStatus: 200,
        cpuLabels: labels,
      },
      async (warmup) => {
        warmWait = await awaitWarmupDeliveries(receiver, procs.models, ids(warmup).length, deadlineMs);
      },
    );
    const r = m.measured;
    const warmIds = ids(m.warmup);
    const measuredIds = ids(r);
    log(`  load done: ${measuredIds.length} accepted; waiting for their deliveries`);
    const beforeDrain = cpuSnapshot(labels);
    const arrival = await waitForReceipts(receiver, warmIds.length + measuredIds.length, deadlineMs);
    const drainCpu = cpuUsage(beforeDrain, cpuSnapshot(labels));
    const memory = sampler.stop();
    // Then until every delivery has finished, so late duplicates (retries) are counted too.
    const settle = await waitForSettled(procs.models, warmIds.length + measuredIds.length, Math.max(0, deadlineMs - arrival.waitedMs));
    const rx = analyseReceipts(await receiver.receipts(), r.records ?? [], warmIds, {
      startMs: m.measuredFrom.getTime(),
      elapsedMs: r.elapsedMs,
    });
    const { final, ...breakdown } = await stageBreakdown(procs.models, new Set(measuredIds), rx.firstReceipt);

    // Zero loss: every accepted conversion reached the receiver, is approved, and its delivery succeeded.
    const notApproved: Array<[string, string]> = [];
    const deliveryNotSucceeded: Array<[string, string]> = [];
    for (const id of measuredIds) {
      const f = final.get(id);
      if (f?.status !== 'approved') notApproved.push([id, f?.status ?? 'no conversion document']);
      if (f?.delivery !== 'succeeded') deliveryNotSucceeded.push([id, f?.delivery ?? 'no delivery']);
    }
    return {
      measurement: {
        ...m,
        warmup: m.warmup && { ...m.warmup, records: undefined },
        measured: { ...r, records: undefined },
      },
      accepted: measuredIds.length,
      rx: { ...rx, firstReceipt: undefined },
      breakdown,
      loss: {
        notDelivered: rx.missing,
        notApproved,
        deliveryNotSucceeded,
        zeroLoss: measuredIds.length > 0 && rx.missing.length === 0 && notApproved.length === 0 && deliveryNotSucceeded.length === 0,
      },
      cpu: { load: m.cpu, drain: drainCpu, windowMs: r.elapsedMs + arrival.waitedMs },
      memory,
      warmWait,
      arrival,
      settle,
      processOutput: { api: procs.api.unexpectedOutput(), worker: procs.worker.unexpectedOutput() },
    };
  } finally {
    await receiver.close();
    await procs.stop();
  }
}

export type PostflowRun = Awaited<ReturnType<typeof measurePostflow>>;
export interface RateRun {
  rate: number;
  empty?: BaselineRun;
  single?: BaselineRun;
  postflow: PostflowRun;
}

/** Ratio of postflow's completed conversions/s to a baseline's completed workflows/s. */
export const ratio = (p: PostflowRun, b: BaselineRun | undefined) =>
  b && b.phase.completedPerSec > 0 ? round(p.rx.deliveriesPerSecEndToEnd / b.phase.completedPerSec, 3) : undefined;
