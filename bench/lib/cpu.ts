import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/**
 * Who used the CPUs during a measurement: this benchmark's process tree (API/worker, load
 * generator, Temporal, MongoDB) versus everything else. On a shared 2-core machine a compile or a
 * test run next door halves the figures; this makes that visible instead of silently wrong.
 * Linux /proc only; elsewhere the snapshot is undefined and the report says "n/a".
 */
export interface CpuSnapshot {
  atMs: number;
  machineBusyTicks: number;
  machineTotalTicks: number;
  /** Ticks (user + system) of each process in our tree, by pid, with a readable label. */
  ours: Map<number, { label: string; ticks: number }>;
}

export interface CpuUsage {
  /** Share of the machine's capacity in use during the phase, all processes. */
  machineBusyPct: number;
  /** CPU-seconds by our processes, by role. */
  oursCpuS: Record<string, number>;
  /** CPU-seconds used by everything outside our tree (other work on the machine, the kernel). */
  foreignCpuS: number;
  /** foreignCpuS as a share of the machine's capacity over the phase. */
  foreignPct: number;
}

let ticksPerSecond: number | undefined;
function clockTicks(): number {
  ticksPerSecond ??= Number(spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).stdout.trim()) || 100;
  return ticksPerSecond;
}

function procStat(pid: string): { ppid: number; comm: string; ticks: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm is in parentheses and may contain spaces: split after the last ')'.
    const close = text.lastIndexOf(')');
    const comm = text.slice(text.indexOf('(') + 1, close);
    const fields = text.slice(close + 2).split(' ');
    return { ppid: Number(fields[1]), comm, ticks: Number(fields[11]) + Number(fields[12]) };
  } catch {
    return undefined; // the process exited while we looked
  }
}

export function cpuSnapshot(labels: Record<number, string> = {}): CpuSnapshot | undefined {
  try {
    const cpu = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
    const [user = 0, nice = 0, system = 0, idle = 0, iowait = 0, irq = 0, softirq = 0, steal = 0] = cpu;
    const procs = new Map<number, { ppid: number; comm: string; ticks: number }>();
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      const s = procStat(entry);
      if (s) procs.set(Number(entry), s);
    }
    const inTree = (pid: number): boolean => {
      for (let p: number | undefined = pid; p !== undefined && p > 1; p = procs.get(p)?.ppid) if (p === process.pid) return true;
      return false;
    };
    const ours = new Map<number, { label: string; ticks: number }>();
    for (const [pid, s] of procs) {
      if (!inTree(pid)) continue;
      const label =
        labels[pid] ?? (pid === process.pid ? 'bench process (server under test)' : s.comm === 'java' ? 'mongo-java-server' : s.comm);
      ours.set(pid, { label, ticks: s.ticks });
    }
    const busy = user + nice + system + irq + softirq + steal;
    return { atMs: Date.now(), machineBusyTicks: busy, machineTotalTicks: busy + idle + iowait, ours };
  } catch {
    return undefined;
  }
}

export function cpuUsage(a: CpuSnapshot | undefined, b: CpuSnapshot | undefined): CpuUsage | undefined {
  if (!a || !b) return undefined;
  const hz = clockTicks();
  const oursCpuS: Record<string, number> = {};
  let oursTicks = 0;
  for (const [pid, after] of b.ours) {
    // A process born during the phase counts from zero.
    const delta = after.ticks - (a.ours.get(pid)?.ticks ?? 0);
    oursTicks += delta;
    oursCpuS[after.label] = Math.round(((oursCpuS[after.label] ?? 0) + delta / hz) * 100) / 100;
  }
  const busy = b.machineBusyTicks - a.machineBusyTicks;
  const total = b.machineTotalTicks - a.machineTotalTicks;
  const foreign = Math.max(0, busy - oursTicks);
  return {
    machineBusyPct: total > 0 ? Math.round((busy / total) * 1000) / 10 : 0,
    oursCpuS,
    foreignCpuS: Math.round((foreign / hz) * 100) / 100,
    foreignPct: total > 0 ? Math.round((foreign / total) * 1000) / 10 : 0,
  };
}
