/**
 * Affiliate postback delivery, end to end: advertiser postbacks arrive at a steady rate
 * (open loop), each approved conversion is delivered to the affiliate's endpoint, a fake receiver
 * in its own process records every arrival. How fast deliveries arrive, how long after the
 * advertiser's 200, and whether every accepted conversion arrived (at least once) at all.
 * Run: npx tsx bench/delivery.ts [--rate 25] [--duration 30]
 */
import { createOfferSetup, createPostbackEndpoint } from './lib/admin';
import { parseFlags } from './lib/args';
import { insertClicks, postbackSpec } from './lib/clicks';
import { cpuSnapshot, cpuUsage } from './lib/cpu';
import {
  analyseReceipts,
  awaitWarmupDeliveries,
  fmtLatency as fmt,
  stageBreakdown,
  waitForReceipts,
  waitForSettled,
  type ReceiptWait,
} from './lib/deliveries';
import type { PhaseResult } from './lib/load';
import { log } from './lib/log';
import { machineFacts, versions } from './lib/machine';
import { runMain } from './lib/main';
import { describeCpu, measure, transportErrors, unexpectedCount } from './lib/measure';
import { ReceiverProcess, type Receipt } from './lib/receiver';
import { writeReport } from './lib/results';
import { benchStorage, startBenchStack, storageFlag } from './lib/stack';
import { round } from './lib/stats';

const flags = parseFlags('npx tsx bench/delivery.ts [flags]', {
  storage: storageFlag,
  rate: { help: 'advertiser postbacks per second, sent on schedule whatever the answers (open loop)', default: 25 },
  duration: { help: 'measured seconds', default: 30 },
  warmup: { help: 'discarded seconds before the measurement (its deliveries are awaited first)', default: 3, min: 0 },
  concurrency: { help: 'connection cap of the load generator (more requests wait in the client)', default: 64 },
  clicks: { help: 'clicks created up front, one per postback (default: enough for the run)' },
  'drain-timeout': {
    help: 'seconds to wait, after the load, for every accepted conversion to be delivered and its delivery finished',
    default: 600,
  },
});

const ids = (r: PhaseResult | undefined) => (r?.records ?? []).map(([id]) => id);

async function main(): Promise<void> {
  const startedAt = new Date();
  const machine = machineFacts();
  const clickCount = flags.clicks ?? Math.ceil(flags.rate * (flags.warmup + flags.duration)) + 100;
  const deadlineMs = flags['drain-timeout'] * 1000;

  const stack = await startBenchStack({ storage: benchStorage(flags.storage), name: 'delivery', worker: true });
  const delivery = stack.config.delivery;
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

    let warmWait: ReceiptWait | undefined;
    const m = await measure(
      stack.api.port,
      spec,
      {
        mode: 'open',
        concurrency: flags.concurrency,
        ratePerSec: flags.rate,
        warmupS: flags.warmup,
        durationS: flags.duration,
        expectStatus: 200,
        cpuLabels,
      },
      // The measured phase starts with nothing in flight: the warm-up's deliveries have arrived and finished.
      async (warmup) => {
        warmWait = await awaitWarmupDeliveries(receiver, stack.models, ids(warmup).length, deadlineMs);
      },
    );

    const r = m.measured;
    const loadStartMs = m.measuredFrom.getTime();
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
    const rx = analyseReceipts(receipts, r.records ?? [], warmIds, { startMs: loadStartMs, elapsedMs: r.elapsedMs });
    const { latency, missing, delivered, duplicates, duplicatedEvents, extraEvents, drainS, endToEndS } = rx;
    const unknown = rx.unknownArrivals;
    const deliveriesPerSecLoad = rx.deliveriesPerSecDuringLoad;
    const deliveriesPerSecEndToEnd = rx.deliveriesPerSecEndToEnd;
    const measuredSet = new Set(measuredIds);
    const { final: _final, ...breakdown } = await stageBreakdown(stack.models, measuredSet, rx.firstReceipt);
    const st = breakdown.stages;
    const zeroLoss = missing.length === 0 && measuredIds.length > 0;

    const notes = [
      `${zeroLoss ? '**Zero loss**' : `**${missing.length} LOST**`}: ${delivered} of ${measuredIds.length} accepted conversions ` +
        `were delivered to the receiver at least once within the drain deadline (${flags['drain-timeout']} s)` +
        `${missing.length ? `; missing e.g. ${missing.slice(0, 3).join(', ')}` : ''}. ` +
        `Duplicates: ${duplicates} extra arrivals of ${duplicatedEvents} events` +
        `${extraEvents ? `; ${extraEvents} conversions arrived with more than one event id` : ''}` +
        `${unknown ? `; ${unknown} arrivals for unknown conversions` : ''}.`,
      `Deliveries arrived at ${deliveriesPerSecLoad}/s during the ${round(r.elapsedMs / 1000, 1)} s load ` +
        `(postbacks accepted at ${round(measuredIds.length / (r.elapsedMs / 1000))}/s); ` +
        `the last measured one ${drainS} s after the load ended: ` +
        `**${deliveriesPerSecEndToEnd} deliveries/s end to end** (${delivered} in ${round(endToEndS, 1)} s). ` +
        `${arrival.conversionsAtStart - warmIds.length} of ${measuredIds.length} had arrived when the load stopped.`,
      `Advertiser's 200 → delivery at the receiver: ${fmt(latency)}.`,
      `Where the time goes (per conversion, MongoDB timestamps + receiver): ` +
        `accept → first decision ${fmt(st.acceptToDecision)}; decision → delivery planned ${fmt(st.decisionToPlanned)}; ` +
        `planned → attempt 1 sent ${fmt(st.plannedToSent)}; sent → received ${fmt(st.sentToReceived)}; ` +
        `received → delivery finished ${fmt(st.receivedToFinished)}.`,
      `Delivery statuses: ${JSON.stringify(breakdown.deliveryStatuses)}; ${breakdown.multiAttempt} needed more than one attempt; ` +
        `attempts by outcome ${JSON.stringify(breakdown.attemptOutcomes)}; sender round trip ${fmt(breakdown.senderDurationMs)}. ` +
        (settle.settled
          ? `All ${settle.total} deliveries (warm-up included) had finished ` +
            `${round((arrival.waitedMs + settle.waitedMs) / 1000, 1)} s after the load.`
          : `**Not all deliveries finished**: ${settle.finished}/${settle.total} after the deadline.`),
      `Conversion statuses: ${JSON.stringify(breakdown.statuses)}; postback answers: ${JSON.stringify(r.tallies)}; ` +
        `postback latency p50 ${r.latency.p50Ms} ms, p99 ${r.latency.p99Ms} ms.`,
      `During the load: ${describeCpu(m.cpu)}.`,
      `Until the last delivery arrived: ${describeCpu(drainCpu)}.`,
      ...([m.cpu, drainCpu].some((c) => (c?.foreignPct ?? 0) > 5)
        ? ['**Other processes used more than 5 % of the machine during the run: the figures are understated; rerun on a quiet machine.**']
        : []),
      ...(r.exhausted ? [`**The run ran out of clicks** after ${r.completed} postbacks: pass a larger --clicks.`] : []),
      ...(r.maxSendLagMs !== undefined && r.maxSendLagMs > 50
        ? [`The generator sent up to ${r.maxSendLagMs} ms late (CPU contention); postback latencies count from the scheduled time.`]
        : []),
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
        storage: flags.storage,
        rate_per_s: flags.rate,
        duration_s: flags.duration,
        warmup_s: flags.warmup,
        concurrency: flags.concurrency,
        clicks: clickCount,
        drain_timeout_s: flags['drain-timeout'],
        endpoint: 'GET on approved; the receiver answers 200 at once',
        delivery:
          `production defaults (timeout ${delivery.timeoutMs} ms; ${delivery.scheduleMs.length} attempts; ` +
          `breaker after ${delivery.pauseAfterFailures} failures for ${delivery.pauseMs} ms) + loopback allowed`,
      },
      headline: {
        columns: [
          'postbacks/s (offered)',
          'accepted/s',
          'deliveries/s during load',
          'deliveries/s end to end',
          '200 → receipt p50 ms',
          'p99 ms',
          'max ms',
          'delivered / accepted',
          'duplicates',
          'drain s',
          'CPU busy % / other procs % (load)',
        ],
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
        postbacks: {
          accepted: measuredIds.length,
          statusCounts: r.statusCounts,
          nonOk: unexpectedCount(r, 200),
          transportErrors: transportErrors(r),
        },
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
          firstReceiptsPerSecond: rx.firstReceiptsPerSecond,
        },
        breakdown,
        warmupWait: warmWait,
        arrivalWait: arrival,
        settle,
        drainCpu,
        settingsDelivery: delivery,
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
