import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { adminOverHttp, clickOverHttp, seedOffer } from '../../../system/seed';
import { waitFor } from '../../support/wait-for';
import { checkInvariants, describeViolations, type InvariantReport } from './invariants';
import { startClickStream } from './clicks';
import { expectedStatuses, startLoad, type Load, type LoadTarget } from './load';
import type { FaultStack } from './stack';

/**
 * The shape every fault scenario shares: steady load → fault → recovery → more load → the
 * advertiser's retries and the system's backlog drain → the invariants, checked on what is
 * stored. Phases wait for conditions (so many postbacks accepted, everything settled), never
 * for a fixed time; only the fault itself lasts a chosen time.
 */

/** Steady-load defaults: a rate this 2-core machine sustains with deliveries (see bench/). */
export const LOAD_RATE = Number(process.env.POSTFLOW_FAULTS_RATE ?? 10);
/**
 * Postbacks accepted before the fault and again after it: five seconds' worth, but at least 50
 * each, so that at low rates too at least 100 are accepted and the cap below turns some away.
 */
const PHASE_POSTBACKS = Math.max(50, 5 * LOAD_RATE);
/** Clicks per second beside the postbacks (each one answered 302 must be stored). */
export const CLICK_RATE = 20;
/**
 * Places in the capped offer's cap. A tenth of the postbacks go there and a scenario accepts at
 * least 100, so at least 10 arrive and the cap always turns some away.
 */
export const CAP_LIMIT = 8;
/** Events the affiliate subscribes to: every status a planned conversion passes through. */
export const SUBSCRIBED_EVENTS = ['approved', 'pending', 'declined', 'rejected'];
/** Short schedules so a scenario ends in minutes; the breaker on, scaled down. */
export const FAULT_DELIVERY_ENV = {
  DELIVERY_SCHEDULE: '0s,1s,2s,4s,8s,15s,30s',
  DELIVERY_TIMEOUT_MS: '1000',
  DELIVERY_PAUSE_AFTER_FAILURES: '5',
  DELIVERY_PAUSE_MS: '250',
};

/** The fault's own duration: the one fixed wait in a scenario (everything else waits for conditions). */
export function outage(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

export interface FaultTimes {
  /** When the fault began (kill, stop, receiver down). */
  faultAt: number;
  /** When the harness had the component back (restarted, listening again). */
  restoredAt: number;
}

export interface ScenarioResult {
  load: Load;
  times: FaultTimes;
  /** Ingress back: the first 200 answered to a request sent after the fault began. */
  ingressBackAt?: number;
  /** Every postback accepted and every invariant's liveness part satisfied. */
  settledAt: number;
  /** Conversions accepted before the fault and decided after it. */
  caught: number;
  report: InvariantReport;
  /** Event id → how many times the affiliate received it. */
  received: Map<string, number>;
  /** Requests the strict-order subscription's receiver got (retries included). */
  subscriptionRequests: number;
  summary: string;
}

/** Over HTTP, as an operator would: parties, an uncapped and a capped offer, clicks, the affiliate's endpoint. */
export async function setupLoadTarget(stack: FaultStack): Promise<LoadTarget> {
  const admin = adminOverHttp(stack.apiUrl, stack.adminKey);
  // Several conversions per click (one per txid), so the load needs only a few clicks.
  const goals = [
    {
      key: 'sale',
      payout: { type: 'fixed', amount: '2.50' },
      revenue: { type: 'fixed', amount: '4.00' },
      allow_multiple: true,
    },
  ];
  const offer = (name: string, caps: unknown[]) => ({
    name,
    url: 'https://shop.example/?cid={click_id}',
    currency: 'EUR',
    default_goal: 'sale',
    goals,
    caps,
  });
  const seed = await seedOffer(admin, { advertiser: { name: 'Shop' }, affiliate: { name: 'Publisher' }, offer: offer('Shoes', []) });
  const { advertiser, affiliate, offer: main } = seed;
  const capped = await admin('/api/offers', {
    advertiser_id: advertiser.id,
    ...offer('Capped shoes', [{ metric: 'conversions', period: 'total', limit: String(CAP_LIMIT), on_exceed: 'reject' }]),
  });
  await admin(`/api/affiliates/${affiliate.id}/postbacks`, {
    url: `${stack.receiver.url}/pb?e={event_id}&s={status}`,
    events: SUBSCRIBED_EVENTS,
  });
  // Events ride along every scenario: a strict-order subscription on the same receiver, so a fault
  // that hits the affiliate's postbacks hits the events too (invariant 6, support/invariants.ts).
  const subscription = await admin('/api/subscriptions', {
    url: `${stack.receiver.url}/events`,
    event_types: ['conversion.*'],
    strict_order: true,
  });
  const clicks = async (offerId: string) => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await clickOverHttp(stack.apiUrl, offerId, affiliate.id, { sub1: `s${i}` }));
    return ids;
  };
  return {
    apiUrl: stack.apiUrl,
    apiUrls: stack.apiUrls,
    token: advertiser.postback_token,
    affiliateId: affiliate.id,
    main: { offerId: main.id, clickIds: await clicks(main.id) },
    capped: { offerId: capped.id, clickIds: await clicks(capped.id) },
    subscriptionId: subscription.id,
  };
}

/** What the subscription's receiver path got, in arrival order. */
export function subscriptionArrivals(stack: FaultStack): { id: string; sequence: number }[] {
  return stack.receiver.requests
    .filter((r) => r.url.startsWith('/events'))
    .map((r) => {
      const body = JSON.parse(r.body) as { id: string; sequence: number };
      return { id: body.id, sequence: body.sequence };
    });
}

export function receivedEventIds(stack: FaultStack): Map<string, number> {
  const counts = new Map<string, number>();
  for (const r of stack.receiver.requests) {
    const id = new URL(r.url, stack.receiver.url).searchParams.get('e');
    if (id) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

export interface ScenarioOptions {
  title: string;
  /** Injects the fault and brings the component back; resolves once it is back. */
  fault: (stack: FaultStack, load: Load) => Promise<FaultTimes>;
  deliveries: 'succeeded' | 'final';
  /** Accepted postbacks before the fault, and after recovery before the load stops. */
  before?: number;
  after?: number;
  settleTimeoutMs?: number;
}

export async function runScenario(stack: FaultStack, opts: ScenarioOptions): Promise<ScenarioResult> {
  const target = await setupLoadTarget(stack);
  const load = startLoad(target, { ratePerSecond: LOAD_RATE });
  const clicks = startClickStream({
    apiUrls: target.apiUrls,
    offerId: target.main.offerId,
    affiliateId: target.affiliateId,
    ratePerSecond: CLICK_RATE,
  });
  const accepted = () => load.planned.filter((c) => c.accepted).length;
  try {
    const before = opts.before ?? PHASE_POSTBACKS;
    // Steady state first: postbacks accepted and deliveries reaching the affiliate.
    await waitFor(
      `${before} postbacks accepted and a delivery received before the fault`,
      () => accepted() >= before && stack.receiver.requests.length > 0,
      120_000,
      250,
    );

    const times = await opts.fault(stack, load);

    const after = accepted() + (opts.after ?? PHASE_POSTBACKS);
    await waitFor(`${opts.after ?? PHASE_POSTBACKS} more postbacks accepted after recovery`, () => accepted() >= after, 120_000, 250);
    load.stop();
    clicks.stop();
    await waitFor('every postback and status update accepted (the advertiser retries)', () => load.settled(), 120_000, 250);

    const received = () => new Set(receivedEventIds(stack).keys());
    const promised = () =>
      load.planned
        .filter((c) => c.accepted)
        .map((c) => ({ key: c.txid, conversionIds: c.conversionIds, finalStatuses: expectedStatuses(c.plan) }));
    let report = await waitFor(
      'every accepted conversion in its final status and every delivery finished',
      async () => {
        const r = await checkInvariants({
          models: stack.models,
          promised: promised(),
          deliveries: opts.deliveries,
          receivedEventIds: received(),
          redirectedClickIds: clicks.redirected,
          subscription: {
            id: target.subscriptionId!,
            arrivals: subscriptionArrivals(stack),
          },
        });
        return r.violations.some((v) => v.kind === 'liveness') ? undefined : r;
      },
      opts.settleTimeoutMs ?? 180_000,
      1_000,
    ).catch(async (err: Error) => {
      const r = await checkInvariants({
        models: stack.models,
        promised: promised(),
        deliveries: opts.deliveries,
        receivedEventIds: received(),
        redirectedClickIds: clicks.redirected,
        subscription: {
          id: target.subscriptionId!,
          arrivals: subscriptionArrivals(stack),
        },
      });
      throw new Error(`${err.message}\n${describeViolations(r.violations)}`);
    });
    const settledAt = Date.now();
    // Once more after settling: nothing may move after everything has finished.
    report = await checkInvariants({
      models: stack.models,
      promised: promised(),
      deliveries: opts.deliveries,
      receivedEventIds: received(),
      redirectedClickIds: clicks.redirected,
      subscription: {
        id: target.subscriptionId!,
        arrivals: subscriptionArrivals(stack),
      },
    });
    // The checks must not pass vacuously: the load reached every path they look at.
    const { byStatus, capRejections } = report.stats;
    if (
      capRejections === 0 ||
      report.stats.clicksChecked === 0 ||
      report.stats.eventsChecked === 0 ||
      !byStatus.declined ||
      !byStatus.approved ||
      !load.requests.some((r) => r.kind === 'repeat' && r.outcome === 200)
    ) {
      throw new Error(
        `the load did not exercise every invariant: ${JSON.stringify({
          byStatus,
          capRejections,
          clicks: report.stats.clicksChecked,
          events: report.stats.eventsChecked,
        })}`,
      );
    }
    // Work the fault caught half done: accepted before it, first decided after it.
    const caught = await stack.models.Conversion.countDocuments({
      received_at: { $lt: new Date(times.faultAt) },
      'status_history.0.at': { $gte: new Date(times.faultAt) },
    });

    const result: ScenarioResult = {
      load,
      times,
      ingressBackAt: ingressBackAt(load, times),
      settledAt,
      caught,
      report,
      received: receivedEventIds(stack),
      subscriptionRequests: subscriptionArrivals(stack).length,
      summary: '',
    };
    result.summary = summarize(opts.title, result);
    process.stderr.write(`${result.summary}\n`);
    return result;
  } finally {
    load.abort();
    clicks.stop();
    // Every request and planned conversion, for a look at the timeline when a scenario fails.
    writeFileSync(
      path.join(stack.dir, 'load.json'),
      JSON.stringify({
        requests: load.requests,
        planned: load.planned.map((c) => ({ ...c, conversionIds: [...c.conversionIds] })),
      }),
    );
  }
}

/** A new conversion is "slow" past this: the API does nothing slow for one (see bench/). */
const SLOW_CREATE_MS = 2_000;

/**
 * When new conversions were accepted again: the first 200 to a creating postback sent after
 * the restore, or undefined if the fault never made one fail or stall.
 */
function ingressBackAt(load: Load, times: FaultTimes): number | undefined {
  const creates = load.requests.filter((r) => r.kind === 'create');
  const hurt = creates.some((r) => r.at >= times.faultAt && r.at < times.restoredAt && (r.outcome !== 200 || r.ms > SLOW_CREATE_MS));
  if (!hurt) return undefined;
  const after = creates.filter((r) => r.at >= times.restoredAt && r.outcome === 200).map((r) => r.at + r.ms);
  return after.length > 0 ? Math.min(...after) : undefined;
}

function summarize(title: string, r: ScenarioResult): string {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  const all = r.load.counts();
  const during = r.load.counts(r.times.faultAt, r.times.restoredAt);
  const createsDuring = r.load.requests.filter((q) => q.kind === 'create' && q.at >= r.times.faultAt && q.at < r.times.restoredAt);
  const slowest = createsDuring.reduce((max, q) => Math.max(max, q.ms), 0);
  const failed =
    Object.entries(all.byOutcome)
      .filter(([k]) => k !== '200')
      .map(([k, n]) => `${n}×${k}`)
      .join(', ') || 'none';
  const failedKinds = Object.entries(all.failedByKind)
    .map(([k, n]) => `${n} ${k}`)
    .join(', ');
  const duplicates = [...r.received.values()].filter((n) => n > 1).length;
  return [
    `[faults] ${title}`,
    `  load: ${r.load.planned.length} conversions planned at ${LOAD_RATE}/s; ${all.sent} requests sent (${all.retries} retries), ` +
      `${all.ok} answered 200; not 200: ${failed}${failedKinds ? ` (${failedKinds})` : ''}`,
    `  fault: outage ${s(r.times.restoredAt - r.times.faultAt)}; requests sent during it: ${during.sent}, ` +
      `answered 200 on that try: ${during.ok}; new conversions among them: ${createsDuring.length}, ` +
      `slowest answer ${s(slowest)}; conversions caught undecided by it: ${r.caught}`,
    `  recovery: new conversions ` +
      `${r.ingressBackAt ? `accepted again ${s(r.ingressBackAt - r.times.restoredAt)} after the restore` : 'never failed or stalled'}; ` +
      `everything settled (accepted, decided, booked, delivered) ${s(r.settledAt - r.times.restoredAt)} after the restore`,
    `  stored: ${r.report.stats.conversions} conversions ${JSON.stringify(r.report.stats.byStatus)} ` +
      `(${r.report.stats.capRejections} over the cap), ${r.report.stats.ledgerEntries} ledger entries, ` +
      `caps ${r.report.stats.capCounters.map((c) => `${c.reserved}/${c.limit}`).join(' ')}`,
    `  clicks: ${r.report.stats.clicksChecked} answered 302, every one checked as stored`,
    `  deliveries: ${JSON.stringify(r.report.stats.deliveries)}, ${r.report.stats.attempts} attempts, ` +
      `${r.received.size} events received (${duplicates} more than once)`,
    `  subscription (strict order): ${r.report.stats.eventsChecked} transition events checked as recorded once and delivered in order, ` +
      `${r.subscriptionRequests} requests received`,
  ].join('\n');
}
