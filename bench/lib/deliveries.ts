/**
 * Following accepted conversions to the affiliate's receiver: waiting for their deliveries,
 * matching receipts to the advertiser's 200s, and where the time went. Shared by delivery.ts and
 * end-to-end.ts.
 */
import type { Models } from '../../models';
import { log } from './log';
import type { Receipt, ReceiverProcess } from './receiver';
import { round, summarise, type LatencySummary } from './stats';

/** Delivery statuses after which no attempt, so no duplicate, can still come. */
export const FINAL_DELIVERY_STATUSES = ['succeeded', 'failed', 'dead_lettered'];

export const roundSummary = (s: LatencySummary) =>
  Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)])) as unknown as LatencySummary;
export const fmtLatency = (s: LatencySummary) =>
  s.count === 0 ? 'no sample' : `p50 ${round(s.p50Ms)} ms, p99 ${round(s.p99Ms)} ms, max ${round(s.maxMs)} ms (n=${s.count})`;

export interface ReceiptWait {
  complete: boolean;
  waitedMs: number;
  conversionsAtStart: number;
  conversions: number;
}

/** Polls the receiver until it has seen `expected` distinct conversions, or the deadline passes. */
export async function waitForReceipts(receiver: ReceiverProcess, expected: number, deadlineMs: number): Promise<ReceiptWait> {
  const started = Date.now();
  let stats = await receiver.stats();
  const conversionsAtStart = stats.conversions;
  while (stats.conversions < expected && Date.now() - started < deadlineMs) {
    await new Promise((r) => setTimeout(r, 100));
    stats = await receiver.stats();
  }
  return {
    complete: stats.conversions >= expected,
    waitedMs: Date.now() - started,
    conversionsAtStart,
    conversions: stats.conversions,
  };
}

export interface SettleWait {
  settled: boolean;
  waitedMs: number;
  total: number;
  finished: number;
}

/**
 * Polls MongoDB until `expected` deliveries exist and all are finished (succeeded, failed or
 * dead-lettered): after that no attempt, so no duplicate, can still come.
 */
export async function waitForSettled(models: Models, expected: number, deadlineMs: number): Promise<SettleWait> {
  const started = Date.now();
  const count = async () => {
    const [total, finished] = await Promise.all([
      models.Delivery.countDocuments(),
      models.Delivery.countDocuments({ status: { $in: FINAL_DELIVERY_STATUSES } }),
    ]);
    return { total, finished };
  };
  let c = await count();
  while ((c.total < expected || c.finished < c.total) && Date.now() - started < deadlineMs) {
    await new Promise((r) => setTimeout(r, 200));
    c = await count();
  }
  return { settled: c.total >= expected && c.finished === c.total, waitedMs: Date.now() - started, ...c };
}

/**
 * Between warm-up and measurement: waits until the warm-up's `n` conversions have arrived and
 * their deliveries finished, so the measured phase starts with nothing in flight; throws if not.
 */
export async function awaitWarmupDeliveries(
  receiver: ReceiverProcess,
  models: Models,
  n: number,
  deadlineMs: number,
): Promise<ReceiptWait | undefined> {
  if (n === 0) return undefined;
  log(`  waiting for the warm-up's ${n} deliveries`);
  const arrived = await waitForReceipts(receiver, n, deadlineMs);
  const settled = await waitForSettled(models, n, deadlineMs);
  if (!arrived.complete || !settled.settled)
    throw new Error(
      `the warm-up's deliveries did not all arrive and finish within ${deadlineMs / 1000} s ` +
        `(${arrived.conversions}/${n} arrived, ${settled.finished}/${n} finished)`,
    );
  return arrived;
}

export interface ReceiptAnalysis {
  /** Conversion id → Date.now() of its first arrival at the receiver. */
  firstReceipt: Map<string, number>;
  /** Per measured conversion: the end of the advertiser's 200 → its first arrival. */
  latency: LatencySummary;
  delivered: number;
  /** Measured conversions that never arrived. */
  missing: string[];
  /** Arrivals beyond the first of the same event id (what receivers de-duplicate on). */
  duplicates: number;
  duplicatedEvents: number;
  /** Conversions that arrived with more than one distinct event id. */
  extraEvents: number;
  /** Arrivals for conversions no 200 named. */
  unknownArrivals: number;
  deliveriesPerSecDuringLoad: number;
  /** Delivered / (load start → the last measured one's arrival). */
  deliveriesPerSecEndToEnd: number;
  endToEndS: number;
  /** Load end → the last measured arrival. */
  drainS: number;
  firstReceiptsPerSecond: number[];
}

/**
 * Matches the receiver's arrivals to the measured phase's 200s (`records`: [conversion id,
 * Date.now() at the end of the 200]); `warmIds` are expected arrivals that are not measured.
 */
export function analyseReceipts(
  receipts: Receipt[],
  records: Array<[string, number]>,
  warmIds: string[],
  load: { startMs: number; elapsedMs: number },
): ReceiptAnalysis {
  const loadEndMs = load.startMs + load.elapsedMs;
  const firstReceipt = new Map<string, number>();
  const perEvent = new Map<string, number>();
  const eventsPerConversion = new Map<string, Set<string>>();
  for (const [e, c, at] of receipts) {
    const prev = firstReceipt.get(c);
    if (prev === undefined || at < prev) firstReceipt.set(c, at);
    perEvent.set(e, (perEvent.get(e) ?? 0) + 1);
    (eventsPerConversion.get(c) ?? eventsPerConversion.set(c, new Set()).get(c)!).add(e);
  }
  const measured = new Set(records.map(([id]) => id));
  const known = new Set([...warmIds, ...measured]);

  const latencies: number[] = [];
  const missing: string[] = [];
  let lastMeasuredReceipt = load.startMs;
  for (const [c, at200] of records) {
    const at = firstReceipt.get(c);
    if (at === undefined) {
      missing.push(c);
      continue;
    }
    latencies.push(at - at200);
    lastMeasuredReceipt = Math.max(lastMeasuredReceipt, at);
  }
  const delivered = records.length - missing.length;
  const duringLoad = receipts.filter(([, , at]) => at >= load.startMs && at <= loadEndMs).length;
  const endToEndS = (lastMeasuredReceipt - load.startMs) / 1000;
  const perSecond: number[] = [];
  for (const [, c, at] of receipts) {
    if (!measured.has(c) || firstReceipt.get(c) !== at) continue;
    const s = Math.floor((at - load.startMs) / 1000);
    if (s >= 0) perSecond[s] = (perSecond[s] ?? 0) + 1;
  }
  return {
    firstReceipt,
    latency: roundSummary(summarise(latencies)),
    delivered,
    missing,
    duplicates: [...perEvent.values()].reduce((n, k) => n + (k - 1), 0),
    duplicatedEvents: [...perEvent.values()].filter((k) => k > 1).length,
    extraEvents: [...eventsPerConversion.values()].filter((s) => s.size > 1).length,
    unknownArrivals: receipts.filter(([, c]) => !known.has(c)).length,
    deliveriesPerSecDuringLoad: round(duringLoad / (load.elapsedMs / 1000)),
    deliveriesPerSecEndToEnd: round(delivered / endToEndS),
    endToEndS,
    drainS: round(Math.max(0, lastMeasuredReceipt - loadEndMs) / 1000, 1),
    firstReceiptsPerSecond: Array.from(perSecond, (n) => n ?? 0),
  };
}

/** Where the time goes, per measured conversion, from what the activities wrote to MongoDB and the receiver saw. */
export async function stageBreakdown(models: Models, measured: Set<string>, firstReceipt: Map<string, number>) {
  const [conversions, deliveries, attempts] = await Promise.all([
    models.Conversion.find({}, { received_at: 1, status: 1, status_history: 1 }).lean(),
    models.Delivery.find({}, { conversion_id: 1, status: 1, attempt_count: 1, occurred_at: 1, delivered_at: 1 }).lean(),
    models.DeliveryAttempt.find({}, { delivery_id: 1, run: 1, attempt: 1, at: 1, outcome: 1, duration_ms: 1 }).lean(),
  ]);
  const firstAttempt = new Map<string, Date>();
  const attemptOutcomes: Record<string, number> = {};
  const sendMs: number[] = [];
  for (const a of attempts) {
    if (a.run === 0 && a.attempt === 1) firstAttempt.set(a.delivery_id, a.at);
    attemptOutcomes[a.outcome] = (attemptOutcomes[a.outcome] ?? 0) + 1;
    if (typeof a.duration_ms === 'number') sendMs.push(a.duration_ms);
  }
  const byConversion = new Map(deliveries.map((d) => [d.conversion_id, d]));
  const statuses: Record<string, number> = {};
  const deliveryStatuses: Record<string, number> = {};
  /** The final state each measured conversion should reach: its status, and its delivery's. */
  const final = new Map<string, { status: string; delivery?: string }>();
  const stages = {
    acceptToDecision: [] as number[],
    decisionToPlanned: [] as number[],
    plannedToSent: [] as number[],
    sentToReceived: [] as number[],
    receivedToFinished: [] as number[],
    acceptToReceived: [] as number[],
  };
  let multiAttempt = 0;
  for (const c of conversions) {
    if (!measured.has(c._id)) continue;
    statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    const d = byConversion.get(c._id);
    final.set(c._id, { status: c.status, delivery: d?.status });
    if (!d) continue;
    deliveryStatuses[d.status] = (deliveryStatuses[d.status] ?? 0) + 1;
    if ((d.attempt_count ?? 0) > 1) multiAttempt += 1;
    const accepted = new Date(c.received_at).getTime();
    const decided = c.status_history?.[0]?.at ? new Date(c.status_history[0].at).getTime() : undefined;
    const planned = new Date(d.occurred_at).getTime();
    const sent = firstAttempt.get(d._id)?.getTime();
    const received = firstReceipt.get(c._id);
    const finished = d.delivered_at ? new Date(d.delivered_at).getTime() : undefined;
    if (decided !== undefined) {
      stages.acceptToDecision.push(decided - accepted);
      stages.decisionToPlanned.push(planned - decided);
    }
    if (sent !== undefined) stages.plannedToSent.push(sent - planned);
    if (sent !== undefined && received !== undefined) stages.sentToReceived.push(received - sent);
    if (received !== undefined) stages.acceptToReceived.push(received - accepted);
    if (received !== undefined && finished !== undefined) stages.receivedToFinished.push(finished - received);
  }
  return {
    statuses,
    deliveryStatuses,
    multiAttempt,
    attemptOutcomes,
    final,
    senderDurationMs: roundSummary(summarise(sendMs)),
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, roundSummary(summarise(v))])) as Record<
      keyof typeof stages,
      LatencySummary
    >,
  };
}
