import { payableMinor, type LifecycleStatus } from '../../../domain/status';
import type { Models } from '../../../models';
import { eventId } from '../../../events/ids';

/**
 * The invariants of DESIGN.md, checked against what is stored once a scenario has settled.
 * Reusable by any test that drives the real system: it reads MongoDB only, and needs to be
 * told what the clients were promised (the 200 answers) and how deliveries must end.
 *
 * Each violation is either `safety` (must never happen: a second conversion for a key, a
 * ledger that does not add up, a cap overshoot) or `liveness` (not there yet: a conversion
 * still processing, a delivery still under way). Callers wait for the liveness ones to clear,
 * then require none of either.
 */

export interface Violation {
  invariant: 'dedupe' | 'accepted-kept' | 'click-kept' | 'ledger' | 'caps' | 'delivery' | 'events';
  kind: 'safety' | 'liveness';
  /** The offending conversion, delivery, counter or txid. */
  id: string;
  detail: string;
}

export interface Promised {
  /** The client's key for it (the advertiser's txid). */
  key: string;
  /** Every conversion id a 200 answered with for this key. */
  conversionIds: Iterable<string>;
  /** The statuses it may end in. */
  finalStatuses: LifecycleStatus[];
}

export interface InvariantInput {
  models: Models;
  /** Everything that got a 200 from /postback. */
  promised: Promised[];
  /** 'succeeded': every delivery must have gone through (the affiliate came back); 'final': succeeded, failed or dead-lettered. */
  deliveries: 'succeeded' | 'final';
  /** Event ids the affiliate received; every succeeded delivery must be among them. */
  receivedEventIds?: Set<string>;
  /** Click ids answered with a 302: each must be stored (its postback would get 404 otherwise). */
  redirectedClickIds?: string[];
  /**
   * A strict-order subscription to conversion.* on the same receiver: what it received, in
   * arrival order. Every conversion transition must have its events recorded once under the ids
   * derived from it, each delivered to the subscription (or dead-lettered when deliveries may be
   * 'final'), numbered 1..N without gaps, received in that order and with no id the store lacks.
   */
  subscription?: { id: string; arrivals: { id: string; sequence: number }[] };
}

export interface InvariantReport {
  violations: Violation[];
  /** Figures for the scenario's report. */
  stats: {
    conversions: number;
    byStatus: Record<string, number>;
    /** Conversions the cap turned away (so the cap check was not vacuous). */
    capRejections: number;
    ledgerEntries: number;
    deliveries: Record<string, number>;
    attempts: number;
    capCounters: Array<{ id: string; reserved: number; limit: number }>;
    clicksChecked: number;
    /** Events checked against the transitions (0 without a subscription). */
    eventsChecked: number;
  };
}

/** Statuses that hold a cap reservation (the others released theirs or never took one). */
const RESERVING: ReadonlySet<string> = new Set(['approved', 'pending', 'held']);
const FINAL_DELIVERY: ReadonlySet<string> = new Set(['succeeded', 'failed', 'dead_lettered']);

export async function checkInvariants(input: InvariantInput): Promise<InvariantReport> {
  const { models } = input;
  const [conversions, entries, counters, deliveries, attempts, endpoints] = await Promise.all([
    models.Conversion.find({}).lean(),
    models.LedgerEntry.find({}).lean(),
    models.CapCounter.find({}).lean(),
    models.Delivery.find({}).lean(),
    models.DeliveryAttempt.find({}).lean(),
    models.PostbackEndpoint.find({}).lean(),
  ]);
  const violations: Violation[] = [];
  const add = (invariant: Violation['invariant'], kind: Violation['kind'], id: string, detail: string) =>
    violations.push({ invariant, kind, id, detail });
  const byId = new Map(conversions.map((c) => [c._id, c]));

  // 1. One conversion per dedupe key, and one id per client key.
  const byKey = groupBy(conversions, (c) => c.dedupe_key);
  for (const [key, docs] of byKey)
    if (docs.length > 1) add('dedupe', 'safety', docs.map((d) => d._id).join(','), `${docs.length} conversions share dedupe key ${key}`);
  for (const p of input.promised) {
    const ids = [...new Set(p.conversionIds)];
    if (ids.length > 1)
      add('dedupe', 'safety', p.key, `200 answers for the same postback named ${ids.length} conversions: ${ids.join(', ')}`);
  }

  // 2. Nothing accepted is lost: every 200 names a conversion that ends as planned.
  for (const p of input.promised) {
    for (const id of new Set(p.conversionIds)) {
      const doc = byId.get(id);
      if (!doc) add('accepted-kept', 'liveness', id, `accepted (key ${p.key}) but no conversion document`);
      else if (!p.finalStatuses.includes(doc.status as LifecycleStatus)) {
        add('accepted-kept', 'liveness', id, `key ${p.key} is ${doc.status}, expected ${p.finalStatuses.join(' or ')}`);
      }
    }
  }

  // 2b. A click answered 302 is kept: the advertiser's postback for it will name it.
  if (input.redirectedClickIds?.length) {
    const stored = new Set((await models.Click.find({ _id: { $in: input.redirectedClickIds } }, { _id: 1 }).lean()).map((c) => c._id));
    for (const id of input.redirectedClickIds)
      if (!stored.has(id)) add('click-kept', 'safety', id, 'answered 302, but the click is not stored');
  }

  // 3. Ledger entries sum to the current payout state, each booked by a recorded transition.
  const entriesOf = groupBy(entries, (e) => e.conversion_id);
  for (const [conversionId, own] of entriesOf) {
    if (!byId.has(conversionId)) add('ledger', 'safety', conversionId, `${own.length} ledger entries for a conversion that does not exist`);
  }
  for (const c of conversions) {
    if (c.status === 'processing') continue; // not decided yet: reported above if it was promised
    const own = entriesOf.get(c._id) ?? [];
    const sum = (account: string) => own.filter((e) => e.account === account).reduce((total, e) => total + e.amount_minor, 0);
    const status = c.status as LifecycleStatus;
    const payable = payableMinor(status, c.payout_minor ?? 0);
    const receivable = payableMinor(status, c.revenue_minor ?? 0);
    if (sum('affiliate_payable') !== payable)
      add('ledger', 'safety', c._id, `${status}: affiliate_payable entries sum to ${sum('affiliate_payable')}, expected ${payable}`);
    if (sum('advertiser_receivable') !== receivable)
      add(
        'ledger',
        'safety',
        c._id,
        `${status}: advertiser_receivable entries sum to ${sum('advertiser_receivable')}, expected ${receivable}`,
      );
    for (const e of own) {
      const step = c.status_history.find((h) => h.seq === e.seq);
      if (!step || step.from !== e.status_from || step.to !== e.status_to) {
        add(
          'ledger',
          'safety',
          e._id,
          `booked for ${e.status_from} → ${e.status_to} at seq ${e.seq}, ` +
            `but the status history has ${step ? `${step.from} → ${step.to}` : 'no such step'}`,
        );
      }
    }
  }

  // 4. Caps: reserved ≤ limit, the count matches its reservations, each held by a live conversion.
  for (const counter of counters) {
    const reservedSum = counter.reservations.reduce((total, r) => total + (r.amount ?? 0), 0);
    if (counter.reserved > counter.limit) add('caps', 'safety', counter._id, `reserved ${counter.reserved} > limit ${counter.limit}`);
    if (reservedSum !== counter.reserved)
      add('caps', 'safety', counter._id, `reserved ${counter.reserved}, but its reservations add up to ${reservedSum}`);
    const holders = counter.reservations.map((r) => r.id!);
    const twice = holders.filter((id, i) => holders.indexOf(id) !== i);
    if (twice.length > 0) add('caps', 'safety', counter._id, `reserved twice for ${[...new Set(twice)].join(', ')}`);
    for (const id of holders) {
      const c = byId.get(id);
      if (!c || !RESERVING.has(c.status)) add('caps', 'safety', counter._id, `holds a place for ${id}, which is ${c?.status ?? 'missing'}`);
    }
    const offerConversions = conversions.filter((c) => c.offer_id === counter.offer_id);
    for (const c of offerConversions) {
      if (RESERVING.has(c.status) && c.cap_reservations.includes(counter._id) && !holders.includes(c._id)) {
        add('caps', 'safety', counter._id, `${c._id} is ${c.status} and lists this counter, but holds no place in it`);
      }
    }
    // Capacity is never lost: if the cap turned someone away and nobody gave a place back
    // since, the counter must be full (a leak here means a retried reservation counted twice
    // or a release went missing).
    const turnedAway = offerConversions.filter((c) => c.status === 'rejected' && c.reason_codes.includes('cap_reached'));
    const released = offerConversions.some((c) => c.status === 'declined' || c.status === 'reversed');
    if (
      counter.metric === 'conversions' &&
      turnedAway.length > 0 &&
      !released &&
      !counter.affiliate_id &&
      counter.reserved < counter.limit
    ) {
      add(
        'caps',
        'safety',
        counter._id,
        `${turnedAway.length} conversions rejected as over the cap (e.g. ${turnedAway[0]!._id}), ` +
          `yet only ${counter.reserved} of ${counter.limit} places are taken`,
      );
    }
  }

  // 5. Every notified event is delivered, or dead-lettered with every attempt recorded.
  const deliveriesOf = groupBy(deliveries, (d) => d.conversion_id);
  const attemptsOf = groupBy(attempts, (a) => `${a.delivery_id}:${a.run}`);
  for (const c of conversions) {
    const subscribed = new Set(
      endpoints
        .filter(
          (e) =>
            e.affiliate_id === c.affiliate_id && e.active && (!e.offer_id || e.offer_id === c.offer_id) && (!e.goal || e.goal === c.goal),
        )
        .flatMap((e) => e.events),
    );
    for (const step of c.status_history) {
      if (!subscribed.has(step.to!)) continue;
      if (!(deliveriesOf.get(c._id) ?? []).some((d) => d.event === step.to))
        add('delivery', 'liveness', c._id, `its ${step.to} event (seq ${step.seq}) has no delivery`);
    }
  }
  for (const d of deliveries) {
    if (!FINAL_DELIVERY.has(d.status)) {
      add('delivery', 'liveness', d._id, `still ${d.status} after ${d.attempt_count} attempts (event ${d.event} of ${d.conversion_id})`);
      continue;
    }
    if (input.deliveries === 'succeeded' && d.status !== 'succeeded')
      add(
        'delivery',
        'safety',
        d._id,
        `${d.status} (${d.status_reason ?? 'no reason'}), but the affiliate came back: it should have been delivered`,
      );
    const rows = (attemptsOf.get(`${d._id}:${d.run}`) ?? []).sort((a, b) => a.attempt - b.attempt);
    const numbers = rows.map((r) => r.attempt);
    const expected = Array.from({ length: d.attempt_count }, (_, i) => i + 1);
    if (d.attempt_count < 1 || numbers.join(',') !== expected.join(',')) {
      add('delivery', 'safety', d._id, `${d.status} with attempt_count ${d.attempt_count}, but attempt rows [${numbers.join(', ')}]`);
    }
    if (d.status === 'succeeded') {
      if (rows[rows.length - 1]?.outcome !== 'success')
        add('delivery', 'safety', d._id, `succeeded, but its last attempt row says ${rows[rows.length - 1]?.outcome ?? 'nothing'}`);
      if (input.receivedEventIds && !input.receivedEventIds.has(d.event_id))
        add('delivery', 'safety', d._id, `succeeded, but the affiliate never received event ${d.event_id}`);
    }
  }

  // 6. Events: recorded by each transition, none lost or renamed by a crash, delivered in order.
  let eventsChecked = 0;
  if (input.subscription) {
    const sub = input.subscription;
    const [stored, subDeliveries, subDoc] = await Promise.all([
      models.Event.find({ type: /^conversion\./ }, { _id: 1, type: 1, occurred_at: 1 }).lean(),
      models.SubscriptionDelivery.find({ subscription_id: sub.id }, { event_id: 1, sequence: 1, status: 1 }).lean(),
      models.Subscription.findById(sub.id, { created_at: 1 }).lean(),
    ]);
    const storedIds = new Map(stored.map((e) => [e._id, e]));
    const deliveryOf = new Map(subDeliveries.map((d) => [d.event_id, d]));
    for (const c of conversions)
      for (const step of c.status_history) {
        const expected = [
          eventId('conversion.status_changed', c._id, step.seq!),
          ...(step.seq === 0 && step.from === 'processing' ? [eventId('conversion.created', c._id)] : []),
          ...(step.to === 'rejected' || step.to === 'reversed' ? [eventId(`conversion.${step.to}`, c._id, step.seq!)] : []),
        ];
        for (const id of expected) {
          eventsChecked += 1;
          const event = storedIds.get(id);
          if (!event) {
            add('events', 'liveness', c._id, `transition seq ${step.seq} (${step.from} → ${step.to}) has no event ${id}`);
            continue;
          }
          // Events from before the subscription existed are not its own.
          if (subDoc?.created_at && event.occurred_at < subDoc.created_at) continue;
          const d = deliveryOf.get(id);
          if (!d) add('events', 'liveness', c._id, `event ${id} (${event.type}) was never given to the subscription`);
          else if (!FINAL_DELIVERY.has(d.status)) add('events', 'liveness', c._id, `event ${id} is still ${d.status} for the subscription`);
          else if (input.deliveries === 'succeeded' && d.status !== 'succeeded')
            add('events', 'safety', c._id, `event ${id} ended ${d.status} for the subscription, but the receiver came back`);
        }
      }
    const sequences = subDeliveries.map((d) => d.sequence).sort((a, b) => a - b);
    if (sequences.some((n, i) => n !== i + 1))
      add('events', 'safety', sub.id, `sequence numbers are not 1..${sequences.length} without gaps: ${sequences.slice(0, 20).join(',')}…`);
    const received = new Set<string>();
    let highest = 0;
    for (const a of sub.arrivals) {
      if (!storedIds.has(a.id) && !deliveryOf.has(a.id)) add('events', 'safety', a.id, 'received an event id the store does not have');
      if (received.has(a.id)) continue; // a retried attempt: at least once
      received.add(a.id);
      // Strict order: a first arrival never has a lower number than an earlier first arrival.
      if (a.sequence < highest) add('events', 'safety', a.id, `sequence ${a.sequence} first arrived after sequence ${highest}`);
      highest = Math.max(highest, a.sequence);
    }
    for (const d of subDeliveries)
      if (d.status === 'succeeded' && !received.has(d.event_id))
        add('events', 'safety', d.event_id, 'delivered to the subscription, but the receiver never got it');
  }

  return {
    violations,
    stats: {
      eventsChecked,
      conversions: conversions.length,
      byStatus: countBy(conversions, (c) => c.status),
      capRejections: conversions.filter((c) => c.status === 'rejected' && c.reason_codes.includes('cap_reached')).length,
      ledgerEntries: entries.length,
      deliveries: countBy(deliveries, (d) => d.status),
      attempts: attempts.length,
      capCounters: counters.map((c) => ({ id: c._id, reserved: c.reserved, limit: c.limit })),
      clicksChecked: input.redirectedClickIds?.length ?? 0,
    },
  };
}

/** One readable message: violations grouped by invariant, the first few ids of each in full. */
export function describeViolations(violations: Violation[], shown = 15): string {
  const lines: string[] = [];
  for (const [invariant, list] of groupBy(violations, (v) => v.invariant)) {
    lines.push(`${invariant}: ${list.length} violation(s); offending ids: ${[...new Set(list.map((v) => v.id))].slice(0, 50).join(' ')}`);
    for (const v of list.slice(0, shown)) lines.push(`  [${v.kind}] ${v.id}: ${v.detail}`);
    if (list.length > shown) lines.push(`  … and ${list.length - shown} more`);
  }
  return lines.join('\n');
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

function countBy<T>(items: T[], key: (item: T) => string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) counts[key(item)] = (counts[key(item)] ?? 0) + 1;
  return counts;
}
