import type { Models } from '../../models';
import { summarise, type LatencySummary } from './stats';

export interface DrainResult {
  drained: boolean;
  waitedMs: number;
  /** Conversions still `processing` (or not yet written) when the wait began. */
  backlogAtStart: number;
  decided: number;
}

/** Conversions that have left `processing`: the workflow's first decision is in MongoDB. */
async function decidedCount(models: Models): Promise<number> {
  const [total, processing] = await Promise.all([
    models.Conversion.countDocuments(),
    models.Conversion.countDocuments({ status: 'processing' }),
  ]);
  return total - processing;
}

/**
 * Waits until `expected` conversions are decided, polling, up to a deadline. The database is
 * fresh per run, so counting all conversions counts exactly the ones this run's postbacks created
 * (the projection is written by the workflow's first activity, so an unstarted one is not there yet).
 */
export async function waitForDrain(models: Models, expected: number, deadlineMs: number, pollMs = 200): Promise<DrainResult> {
  const started = Date.now();
  let decided = await decidedCount(models);
  const backlogAtStart = expected - decided;
  while (decided < expected && Date.now() - started < deadlineMs) {
    await new Promise((r) => setTimeout(r, pollMs));
    decided = await decidedCount(models);
  }
  return { drained: decided >= expected, waitedMs: Date.now() - started, backlogAtStart, decided };
}

export interface Decisions {
  statuses: Record<string, number>;
  /** received_at (API accepted the postback) → first status transition written by the workflow. */
  acceptToDecision: LatencySummary;
}

/** Status mix and accept→decision latency of the conversions received since `from`. */
export async function decisions(models: Models, from: Date): Promise<Decisions> {
  const docs = await models.Conversion.find({ received_at: { $gte: from } }, { status: 1, received_at: 1, status_history: 1 }).lean();
  const statuses: Record<string, number> = {};
  const latencies: number[] = [];
  for (const d of docs) {
    statuses[d.status] = (statuses[d.status] ?? 0) + 1;
    const first = d.status_history?.[0]?.at;
    if (first) latencies.push(new Date(first).getTime() - new Date(d.received_at).getTime());
  }
  return { statuses, acceptToDecision: summarise(latencies) };
}
