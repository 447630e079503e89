import { waitFor } from '../../support/wait-for';
import type { Proc } from '../../support/processes';

/** How soon after MongoDB is back every process must be using it again (issue 10). */
export const MONGO_RECOVERY_DEADLINE_MS = 10_000;

/** The processes whose watchdog had to replace a stuck client after `since` (models/watchdog.ts). */
export function replacedClients(procs: Record<string, Proc>, since: number): string[] {
  return Object.entries(procs)
    .filter(([, proc]) => logLines(proc).some((l) => l.time >= since && l.msg.includes('replaced the client')))
    .map(([name]) => name);
}

/**
 * When each process's MongoDB client saw the server again, from its own log line
 * ("MongoDB reachable again", models/driver-events.ts), in ms after `restoredAt`: 0 if the
 * process never noticed the outage. Waits until every process has recovered or `waitMs` has
 * passed; a process still stuck then is reported as undefined.
 */
export async function mongoRecovery(
  procs: Record<string, Proc>,
  faultAt: number,
  restoredAt: number,
  waitMs = 60_000,
): Promise<Record<string, number | undefined>> {
  const measure = () =>
    Object.fromEntries(
      Object.entries(procs).map(([name, proc]) => {
        const lines = logLines(proc).filter((l) => l.time >= faultAt);
        const lost = lines.find((l) => l.msg.startsWith('MongoDB unreachable'));
        const back = lines.find((l) => l.msg.startsWith('MongoDB reachable again') && l.time >= (lost?.time ?? 0));
        return [name, !lost ? 0 : back ? Math.max(0, back.time - restoredAt) : undefined];
      }),
    );
  await waitFor('every process to reach MongoDB again', () => Object.values(measure()).every((ms) => ms !== undefined), waitMs, 100).catch(
    () => undefined,
  );
  return measure();
}

function logLines(proc: Proc): Array<{ time: number; msg: string }> {
  return proc
    .output()
    .split('\n')
    .flatMap((line) => {
      if (!line.startsWith('{')) return [];
      try {
        const parsed = JSON.parse(line) as { time?: string; msg?: string };
        return parsed.time && parsed.msg ? [{ time: Date.parse(parsed.time), msg: parsed.msg }] : [];
      } catch {
        return [];
      }
    });
}
