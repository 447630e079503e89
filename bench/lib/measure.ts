import { cpuSnapshot, cpuUsage, type CpuUsage } from './cpu';
import type { PhaseOptions, PhaseResult, RequestSpec } from './load';
import { LoadClient } from './load-client';
import { log } from './log';

export interface MeasureOptions {
  mode: 'closed' | 'open';
  concurrency: number;
  ratePerSec?: number;
  warmupS: number;
  durationS: number;
  expectStatus: number;
  /** Names for other child processes in the CPU split (pid → label), e.g. a fake receiver. */
  cpuLabels?: Record<number, string>;
}

export interface Measurement {
  warmup: PhaseResult | undefined;
  measured: PhaseResult;
  /** Wall clock when the measured phase began: to pick its rows out of MongoDB afterwards. */
  measuredFrom: Date;
  /** Who used the CPUs during the measured phase (undefined off Linux). */
  cpu: CpuUsage | undefined;
}

/**
 * Warm-up (discarded: JIT, connection pools, keep-alive sockets), then the measured phase, on the
 * same generator so both use the same sockets. `between` runs in the gap, e.g. to drain a backlog.
 */
export async function measure(
  port: number,
  spec: RequestSpec,
  opts: MeasureOptions,
  between?: (warmup: PhaseResult | undefined) => Promise<void>,
): Promise<Measurement> {
  // Open loop: the socket cap only bounds a backlog; closed loop: one socket per virtual user.
  const maxSockets = opts.concurrency;
  const client = await LoadClient.start({ host: '127.0.0.1', port }, spec, maxSockets);
  try {
    const phase = (durationS: number): PhaseOptions => ({
      mode: opts.mode,
      concurrency: opts.concurrency,
      ratePerSec: opts.ratePerSec,
      durationMs: durationS * 1000,
      expectStatus: opts.expectStatus,
    });
    let warmup: PhaseResult | undefined;
    if (opts.warmupS > 0) {
      log(`  warm-up ${opts.warmupS} s`);
      warmup = await client.run(phase(opts.warmupS));
    }
    if (between) await between(warmup);
    const measuredFrom = new Date();
    log(
      `  measuring ${opts.durationS} s ` +
        `(${opts.mode === 'closed' ? `${opts.concurrency} connections` : `${opts.ratePerSec}/s, up to ${opts.concurrency} connections`})`,
    );
    const labels = { ...opts.cpuLabels, ...(client.pid === undefined ? {} : { [client.pid]: 'load generator' }) };
    const before = cpuSnapshot(labels);
    const measured = await client.run(phase(opts.durationS));
    return { warmup, measured, measuredFrom, cpu: cpuUsage(before, cpuSnapshot(labels)) };
  } finally {
    await client.close();
  }
}

/** Statuses other than the expected one, summed. */
export function unexpectedCount(r: PhaseResult, expectStatus: number): number {
  return Object.entries(r.statusCounts).reduce((n, [status, count]) => (Number(status) === expectStatus ? n : n + count), 0);
}

export function transportErrors(r: PhaseResult): number {
  return Object.values(r.errors).reduce((a, b) => a + b, 0);
}

/** "postflow 1.2 s, temporal 0.8 s, …; other processes 0.1 s (1 %)" for a report's notes. */
export function describeCpu(cpu: CpuUsage | undefined): string {
  if (!cpu) return 'CPU use: n/a (no /proc)';
  const ours = Object.entries(cpu.oursCpuS)
    .filter(([, s]) => s > 0) // tsx's idle esbuild service and the like
    .sort((a, b) => b[1] - a[1])
    .map(([label, s]) => `${label} ${s} s`)
    .join(', ');
  return `CPU use: machine ${cpu.machineBusyPct} % busy; ${ours}; other processes ${cpu.foreignCpuS} s (${cpu.foreignPct} % of capacity)`;
}
