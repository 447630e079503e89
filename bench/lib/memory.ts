import { readFileSync } from 'node:fs';

/**
 * Resident memory of named processes, from /proc/<pid>/status (Linux; elsewhere every figure is
 * undefined and the reports say "n/a").
 */
export interface MemoryPeak {
  /** The highest VmRSS seen while sampling, MiB: the peak during the measured traffic. */
  peakRssMiB?: number;
  /** VmHWM when sampling stopped, MiB: the peak over the process's whole life (start-up included). */
  lifetimePeakMiB?: number;
}

const mib = (kib: number) => Math.round((kib / 1024) * 10) / 10;

function statusKiB(pid: number, field: 'VmRSS' | 'VmHWM'): number | undefined {
  try {
    const match = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : undefined;
  } catch {
    return undefined; // exited, or no /proc
  }
}

/**
 * Samples RSS every `everyMs` until stop(). Sampling, not VmHWM alone, because a worker's
 * start-up (bundling the workflow code) can peak higher than the traffic that follows.
 */
export class RssSampler {
  private readonly peaks = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pids: Record<string, number | undefined>,
    everyMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs).unref(); // never what keeps a failed run alive
  }

  private sample(): void {
    for (const [label, pid] of Object.entries(this.pids)) {
      const kib = pid === undefined ? undefined : statusKiB(pid, 'VmRSS');
      if (kib !== undefined) this.peaks.set(label, Math.max(this.peaks.get(label) ?? 0, kib));
    }
  }

  stop(): Record<string, MemoryPeak> {
    clearInterval(this.timer);
    this.sample();
    return Object.fromEntries(
      Object.entries(this.pids).map(([label, pid]) => {
        const peak = this.peaks.get(label);
        const hwm = pid === undefined ? undefined : statusKiB(pid, 'VmHWM');
        return [
          label,
          {
            peakRssMiB: peak === undefined ? undefined : mib(peak),
            lifetimePeakMiB: hwm === undefined ? undefined : mib(hwm),
          },
        ];
      }),
    );
  }
}
