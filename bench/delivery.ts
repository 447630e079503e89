/**
 * Affiliate postback delivery, end to end: advertiser postbacks arrive at a steady rate
 * (open loop), each approved conversion is delivered to the affiliate's endpoint, a fake receiver
 * in its own process records every arrival. How fast deliveries arrive, how long after the
 * advertiser's 200, and whether every accepted conversion arrived (at least once) at all.
 * Run: npx tsx bench/delivery.ts [--rate 25] [--duration 30]
 */
import type { Models } from '../models';
import { createOfferSetup, createPostbackEndpoint } from './lib/admin';
import { parseFlags } from './lib/args';
import { insertClicks, postbackSpec } from './lib/clicks';
import { cpuSnapshot, cpuUsage } from './lib/cpu';
import type { PhaseResult } from './lib/load';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu, measure, transportErrors, unexpectedCount } from './lib/measure';
import { ReceiverProcess, type Receipt } from './lib/receiver';
import { writeReport } from './lib/results';
import { BENCH_DELIVERY, startBenchStack } from './lib/stack';
import { round, summarise, type LatencySummary } from './lib/stats';

const flags = parseFlags('npx tsx bench/delivery.ts [flags]', {
  rate: { help: 'advertiser postbacks per second, sent on schedule whatever the answers (open loop)', default: 25 },
  duration: { help: 'measured seconds', default: 30 },
  warmup: { help: 'discarded seconds before the measurement (its deliveries are awaited first)', default: 3, min: 0 },
  concurrency: { help: 'connection cap of the load generator (more requests wait in the client)', default: 64 },
  clicks: { help: 'clicks created up front, one per postback (default: enough for the run)' },
  'drain-timeout': { help: 'seconds to wait, after the load, for every accepted conversion to be delivered and its delivery finished', default: 600 },
});

const FINAL = ['succeeded', 'failed', 'dead_lettered'];

/** Polls the receiver until it has seen `expected` distinct conversions, or the deadline passes. */
async function waitForReceipts(receiver: ReceiverProcess, expected: number, deadlineMs: number): Promise<{ complete: boolean; waitedMs: number; conversionsAtStart: number; conversions: number }> {
  const started = Date.now();
  let stats = await receiver.stats();
  const conversionsAtStart = stats.conversions;
  while (stats.conversions < expected && Date.now() - started < deadlineMs) {
    await new Promise((r) => setTimeout(r, 100));
    stats = await receiver.stats();
  }
  return { complete: stats.conversions >= expected, waitedMs: Date.now() - started, conversionsAtStart, conversions: stats.conversions };
}

/**
 * Polls MongoDB until `expected` deliveries exist and all are finished (succeeded, failed or
 * dead-lettered): after that no attempt, so no duplicate, can still come.
 */
async function waitForSettled(models: Models, expected: number, deadlineMs: number): Promise<{ settled: boolean; waitedMs: number; total: number; finished: number }> {
  const started = Date.now();
  const count = async () => {
    const [total, finished] = await Promise.all([models.Delivery.countDocuments(), models.Delivery.countDocuments({ status: { $in: FINAL } })]);
    return { total, finished };
  };
  let c = await count();
  while ((c.total < expected || c.finished < c.total) && Date.now() - started < deadlineMs) {
    await new Promise((r) => setTimeout(r, 200));
    c = await count();
  }
  return { settled: c.total >= expected && c.finished === c.total, waitedMs: Date.now() - started, ...c };
}

const ids = (r: PhaseResult | undefined) => (r?.records ?? []).map(([id]) => id);
const rounded = (s: LatencySummary) => Object.fromEntries(Object.entries(s).map(([k, v]) => [k, round(v)])) as unknown as LatencySummary;
const fmt = (s: LatencySummary) => (s.count === 0 ? 'no sample' : `p50 ${round(s.p50Ms)} ms, p99 ${round(s.p99Ms)} ms, max ${round(s.maxMs)} ms (n=${s.count})`);

/** Where the time goes, per measured conversion, from what the activities wrote to MongoDB and the receiver saw. */
async function stageBreakdown(models: Models, measured: Set<string>, firstReceipt: Map<string, number>) {
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
  const stages = { acceptToDecision: [] as number[], decisionToPlanned: [] as number[], plannedToSent: [] as number[], sentToReceived: [] as number[], receivedToFinished: [] as number[], acceptToReceived: [] as number[] };
  let multiAttempt = 0;
  for (const c of conversions) {
    if (!measured.has(c._id)) continue;
    statuses[c.status] = (statuses[c.status] ?? 0) + 1;
    const d = byConversion.get(c._id);
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
    senderDurationMs: rounded(summarise(sendMs)),
    stages: Object.fromEntries(Object.entries(stages).map(([k, v]) => [k, rounded(summarise(v))])) as Record<keyof typeof stages, LatencySummary>,
  };
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const clickCount = flags.clicks ?? Math.ceil(flags.rate * (flags.warmup + flags.duration)) + 100;
  const deadlineMs = flags['drain-timeout'] * 1000;

  const stack = await startBenchStack({ name: 'delivery', worker: true, delivery: BENCH_DELIVERY });
  const receiver = await ReceiverProcess.start();
  try {
    const setup = await createOfferSetup(stack.baseUrl, stack.adminKey);
    // e = event id (what receivers de-duplicate on), c = conversion id (to match the advertiser's 200).
    const endpointUrl = `${receiver.baseUrl}/pb?e={event_id}&c={conversion_id}`;
    const endpointId = await createPostbackEndpoint(stack.baseUrl, stack.adminKey, setup.affiliateId, endpointUrl);
    log(`receiver ${receiver.baseUrl} (pid ${receiver.pid}), endpoint ${endpointId}`);
    const t = Date.now();
    const clickIds = await insertClicks(stack.models, setup, clickCount);
    log(`inserted ${clickCount} clicks in ${Date.now() - t} ms`);

    const spec = postbackSpec(setup.token, clickIds, { recordJsonField: 'conversion_id' });
    const cpuLabels = receiver.pid === undefined ? {} : { [receiver.pid]: 'receiver' };

    let warmWait: Awaited<ReturnType<typeof waitForReceipts>> | undefined;
    const m = await measure(
      stack.api.port,
      spec,
      { mode: 'open', concurrency: flags.concurrency, ratePerSec: flags.rate, warmupS: flags.warmup, durationS: flags.duration, expectStatus: 200, cpuLabels },
      // The measured phase starts with nothing in flight: the warm-up's deliveries have arrived and finished.
      async (warmup) => {
        const n = ids(warmup).length;
        if (n === 0) return;
        log(`  waiting for the warm-up's ${n} deliveries`);
        warmWait = await waitForReceipts(receiver, n, deadlineMs);
        const settled = await waitForSettled(stack.models, n, deadlineMs);
        if (!warmWait.complete || !settled.settled) throw new Error(`the warm-up's deliveries did not all arrive and finish within ${flags['drain-timeout']} s (${warmWait.conversions}/${n} arrived, ${settled.finished}/${n} finished)`);
      },
    );

    const r = m.measured;
    const loadStartMs = m.measuredFrom.getTime();
    const loadEndMs = loadStartMs + r.elapsedMs;
    const warmIds = ids(m.warmup);
    const measuredIds = ids(r);
    log(`  load done: ${measuredIds.length} accepted; waiting for their deliveries`);
    const labels = cpuLabels;
    const beforeDrain = cpuSnapshot(labels);
    const arrival = await waitForReceipts(receiver, warmIds.length + measuredIds.length, deadlineMs);
    const drainCpu = cpuUsage(beforeDrain, cpuSnapshot(labels));
    // Then until every delivery workflow has finished, so late duplicates (retries) are counted too.
    const settle = await waitForSettled(stack.models, warmIds.length + measuredIds.length, Math.max(0, deadlineMs - arrival.waitedMs));
    const receipts: Receipt[] = await receiver.receipts();

    // Per conversion: first receipt; per event: how many times it arrived.
    const firstReceipt = new Map<string, number>();
    const perEvent = new Map<string, number>();
    for (const [e, c, at] of receipts) {
      const prev = firstReceipt.get(c);
      if (prev === undefined || at < prev) firstReceipt.set(c, at);
      perEvent.set(e, (perEvent.get(e) ?? 0) + 1);
    }
    const measuredSet = new Set(measuredIds);
    const known = new Set([...warmIds, ...measuredIds]);
    const eventsPerConversion = new Map<string, Set<string>>();
    for (const [e, c] of receipts) (eventsPerConversion.get(c) ?? eventsPerConversion.set(c, new Set()).get(c)!).add(e);
    const duplicates = [...perEvent.values()].reduce((n, k) => n + (k - 1), 0);
    const duplicatedEvents = [...perEvent.values()].filter((k) => k > 1).length;
    const extraEvents = [...eventsPerConversion.values()].filter((s) => s.size > 1).length; // more than one distinct event for one conversion
    const unknown = receipts.filter(([, c]) => !known.has(c)).length;

    const latencies: number[] = [];
    const missing: string[] = [];
    let lastMeasuredReceipt = loadStartMs;
    for (const [c, at200] of r.records ?? []) {
      const at = firstReceipt.get(c);
      if (at === undefined) {
        missing.push(c);
        continue;
      }
      latencies.push(at - at200);
      lastMeasuredReceipt = Math.max(lastMeasuredReceipt, at);
    }
    const latency = rounded(summarise(latencies));
    const delivered = measuredIds.length - missing.length;
    const duringLoad = receipts.filter(([, , at]) => at >= loadStartMs && at <= loadEndMs).length;
    const deliveriesPerSecLoad = round(duringLoad / (r.elapsedMs / 1000));
    const endToEndS = (lastMeasuredReceipt - loadStartMs) / 1000;
    const deliveriesPerSecEndToEnd = round(delivered / endToEndS);
    const drainS = round(Math.max(0, lastMeasuredReceipt - loadEndMs) / 1000, 1);
    const perSecond: number[] = [];
    for (const [, c, at] of receipts) {
      if (!measuredSet.has(c) || firstReceipt.get(c) !== at) continue;
      const s = Math.floor((at - loadStartMs) / 1000);
      if (s >= 0) perSecond[s] = (perSecond[s] ?? 0) + 1;
    }
    const breakdown = await stageBreakdown(stack.models, measuredSet, firstReceipt);
    const st = breakdown.stages;
    const zeroLoss = missing.length === 0 && measuredIds.length > 0;

    const notes = [
      `${zeroLoss ? '**Zero loss**' : `**${missing.length} LOST**`}: ${delivered} of ${measuredIds.length} accepted conversions were delivered to the receiver at least once within the drain deadline (${flags['drain-timeout']} s)${missing.length ? `; missing e.g. ${missing.slice(0, 3).join(', ')}` : ''}. Duplicates: ${duplicates} extra arrivals of ${duplicatedEvents} events${extraEvents ? `; ${extraEvents} conversions arrived with more than one event id` : ''}${unknown ? `; ${unknown} arrivals for unknown conversions` : ''}.`,
      `Deliveries arrived at ${deliveriesPerSecLoad}/s during the ${round(r.elapsedMs / 1000, 1)} s load (postbacks accepted at ${round(measuredIds.length / (r.elapsedMs / 1000))}/s); the last measured one ${drainS} s after the load ended: **${deliveriesPerSecEndToEnd} deliveries/s end to end** (${delivered} in ${round(endToEndS, 1)} s). ${arrival.conversionsAtStart - warmIds.length} of ${measuredIds.length} had arrived when the load stopped.`,
      `Advertiser's 200 → delivery at the receiver: ${fmt(latency)}.`,
      `Where the time goes (per conversion, MongoDB timestamps + receiver): accept → first decision ${fmt(st.acceptToDecision)}; decision → delivery planned ${fmt(st.decisionToPlanned)}; planned → attempt 1 sent ${fmt(st.plannedToSent)}; sent → received ${fmt(st.sentToReceived)}; received → delivery finished ${fmt(st.receivedToFinished)}.`,
      `Delivery statuses: ${JSON.stringify(breakdown.deliveryStatuses)}; ${breakdown.multiAttempt} needed more than one attempt; attempts by outcome ${JSON.stringify(breakdown.attemptOutcomes)}; sender round trip ${fmt(breakdown.senderDurationMs)}. ${settle.settled ? `All ${settle.total} deliveries (warm-up included) had finished ${round((arrival.waitedMs + settle.waitedMs) / 1000, 1)} s after the load.` : `**Not all deliveries finished**: ${settle.finished}/${settle.total} after the deadline.`}`,
      `Conversion statuses: ${JSON.stringify(breakdown.statuses)}; postback answers: ${JSON.stringify(r.tallies)}; postback latency p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms.`,
      `During the load: ${describeCpu(m.cpu)}.`,
      `Until the last delivery arrived: ${describeCpu(drainCpu)}.`,
      ...([m.cpu, drainCpu].some((c) => (c?.foreignPct ?? 0) > 5) ? ['**Other processes used more than 5 % of the machine during the run: the figures are understated; rerun on a quiet machine.**'] : []),
      ...(r.exhausted ? [`**The run ran out of clicks** after ${r.completed} postbacks: pass a larger --clicks.`] : []),
      ...(r.maxSendLagMs !== undefined && r.maxSendLagMs > 50 ? [`The generator sent up to ${r.maxSendLagMs} ms late (CPU contention); postback latencies count from the scheduled time.`] : []),
      ...(stack.appErrors.count > 0 ? [`The app logged ${stack.appErrors.count} errors; first: ${stack.appErrors.first[0]}`] : []),
      ...Object.entries(r.unexpectedSamples).map(([status, bodies]) => `Unexpected ${status}, e.g. ${bodies[0]}`),
    ];

    // The per-request records are summarised above; the JSON keeps the figures, not 10^3 ids.
    const strip = (p: PhaseResult | undefined) => (p ? { ...p, records: undefined } : undefined);
    const { json, markdown } = writeReport({
      name: 'delivery',
      title: `Affiliate postback delivery, postbacks at ${flags.rate}/s (open loop)`,
      startedAt,
      command: `npx tsx bench/delivery.ts ${process.argv.slice(2).join(' ')}`.trim(),
      settings: {
        rate_per_s: flags.rate,
        duration_s: flags.duration,
        warmup_s: flags.warmup,
        concurrency: flags.concurrency,
        clicks: clickCount,
        drain_timeout_s: flags['drain-timeout'],
        endpoint: 'GET on approved; the receiver answers 200 at once',
        delivery: `production defaults (timeout ${BENCH_DELIVERY.timeoutMs} ms; ${BENCH_DELIVERY.scheduleMs.length} attempts; breaker after ${BENCH_DELIVERY.pauseAfterFailures} failures for ${BENCH_DELIVERY.pauseMs} ms) + loopback allowed`,
      },
      headline: {
        columns: ['postbacks/s (offered)', 'accepted/s', 'deliveries/s during load', 'deliveries/s end to end', '200 → receipt p50 ms', 'p99 ms', 'max ms', 'delivered / accepted', 'duplicates', 'drain s', 'CPU busy % / other procs % (load)'],
        rows: [
          [
            flags.rate,
            round(measuredIds.length / (r.elapsedMs / 1000)),
            deliveriesPerSecLoad,
            deliveriesPerSecEndToEnd,
            latency.p50Ms,
            latency.p99Ms,
            latency.maxMs,
            `${delivered} / ${measuredIds.length}`,
            duplicates,
            drainS,
            m.cpu ? `${m.cpu.machineBusyPct} / ${m.cpu.foreignPct}` : 'n/a',
          ],
        ],
      },
      notes,
      machine,
      versions: versions(process.env),
      infrastructure: stack.infra.summary,
      details: {
        measurement: { ...m, warmup: strip(m.warmup), measured: strip(r) },
        postbacks: { accepted: measuredIds.length, statusCounts: r.statusCounts, nonOk: unexpectedCount(r, 200), transportErrors: transportErrors(r) },
        delivery: {
          receiptLatency: latency,
          delivered,
          missing,
          duplicates,
          duplicatedEvents,
          extraEvents,
          unknownArrivals: unknown,
          deliveriesPerSecDuringLoad: deliveriesPerSecLoad,
          deliveriesPerSecEndToEnd,
          drainS,
          firstReceiptsPerSecond: Array.from(perSecond, (n) => n ?? 0),
        },
        breakdown,
        warmupWait: warmWait,
        arrivalWait: arrival,
        settle,
        drainCpu,
        settingsDelivery: BENCH_DELIVERY,
        appErrors: stack.appErrors,
      },
    });
    process.stdout.write(`${notes.join('\n')}\nwrote ${json}\nwrote ${markdown}\n`);
  } finally {
    await receiver.close();
    await stack.stop();
  }
}

if (require.main === module) runMain(main);
