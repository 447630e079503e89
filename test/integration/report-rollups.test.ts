import { createActivities } from '../../activities';
import type { LifecycleStatus } from '../../domain/status';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { countClick, countClicks, type CountedClick } from '../../rollups/clicks';
import { rebuildRollups } from '../../rollups/rebuild';
import { useTestStack } from '../support/preamble';
import { seededRandom } from '../../bench/lib/seeded-random';

/**
 * The roll-ups against the raw rows on generated data: clicks, conversions and transitions made
 * by the same code the click route and the worker run (countClick, screenConversion,
 * recordTransition), on a clock spread over 10 weeks that cross a month end and the end of
 * daylight saving time, with retried and crashed steps, and trafficback clicks (some with a
 * child click for a fallback offer, some for offers that do not exist). Every report asked both
 * ways must be equal to the cent, and a rebuild from the rows must give the same buckets.
 */
const { stack, f } = useTestStack('report_rollups');

const SPAN_FROM = Date.parse('2025-09-20T00:00:00Z');
const SPAN_TO = Date.parse('2025-11-30T00:00:00Z');
const HOUR = 3_600_000;

/** A models object whose conversion writes matching `filter` fail once, before they reach the store. */
function failingOnce(models: Models, matches: (filter: Record<string, unknown>, update: Record<string, unknown>) => boolean): Models {
  let failed = false;
  const Conversion = new Proxy(models.Conversion, {
    get(target, prop, receiver) {
      if (prop !== 'updateOne') return Reflect.get(target, prop, receiver);
      return (filter: Record<string, unknown>, update: Record<string, unknown>, ...rest: unknown[]) => {
        if (!failed && matches(filter, update)) {
          failed = true;
          return Promise.reject(new Error('injected: the worker died here'));
        }
        return (target.updateOne as (...args: unknown[]) => unknown)(filter, update, ...rest);
      };
    },
  });
  return { ...models, Conversion } as Models;
}

interface Generated {
  conversions: number;
  transitions: number;
  clicks: number;
  /** Trafficback clicks per reason. */
  trafficback: Record<string, number>;
}

/** Why the click route turns a click away; offer_unknown ones name an offer that does not exist. */
const REASONS = ['offer_paused', 'offer_expired', 'affiliate_inactive', 'cap_reached', 'blocked_sub', 'duplicate_click', 'offer_unknown'];

async function generate(
  models: Models,
  parties: { advertiserId: string; offers: { id: string; currency: string }[]; affiliates: string[] },
) {
  const rnd = seededRandom(13);
  const pick = <T>(xs: T[]): T => xs[Math.floor(rnd() * xs.length)]!;
  let clock = SPAN_FROM;
  const now = () => new Date(clock);
  const activities = createActivities({ models, now });
  const counts: Generated = { conversions: 0, transitions: 0, clicks: 0, trafficback: {} };
  const at = () => {
    // Some on the hour exactly, where a bucket and a local day begin.
    const t = SPAN_FROM + Math.floor(rnd() * (SPAN_TO - SPAN_FROM - 30 * 86_400_000));
    return rnd() < 0.1 ? t - (t % HOUR) : t;
  };
  const click = async (offerId: string, affiliateId: string, createdAt: number) => {
    const doc = {
      _id: newId('clk'),
      offer_id: offerId,
      affiliate_id: affiliateId,
      advertiser_id: parties.advertiserId,
      subs: {},
      created_at: new Date(createdAt),
    };
    await models.Click.collection.insertOne(doc as never);
    await countClick(models, doc);
    counts.clicks += 1;
    return doc._id;
  };

  for (let i = 0; i < 150; i++) await click(pick(parties.offers).id, pick(parties.affiliates), at());

  for (let i = 0; i < 160; i++) {
    const offer = pick(parties.offers);
    const affiliateId = pick(parties.affiliates);
    const receivedAt = at();
    const clickId = await click(offer.id, affiliateId, receivedAt - Math.floor(rnd() * 3 * HOUR));
    const conversionId = `cv_gen_${i}`;
    const goal = pick(['sale', 'lead', 'install']);
    const input = {
      conversionId,
      dedupeKey: `gen-${i}`,
      clickId,
      offerId: offer.id,
      affiliateId,
      advertiserId: parties.advertiserId,
      goal,
      receivedAt: new Date(receivedAt).toISOString(),
      reversalWindowHours: 2160,
    };
    clock = receivedAt;
    if (i % 17 === 0) {
      // Dies after counting the conversion, before saving the verdict that marks it counted; the retry must not count again.
      const dying = createActivities({ models: failingOnce(models, (_f, u) => '$set' in u && 'fraud' in (u.$set as object)), now });
      await expect(dying.screenConversion(input)).rejects.toThrow('injected');
    }
    await activities.screenConversion(input);
    if (i % 5 === 0) await activities.screenConversion(input); // a retry after success
    counts.conversions += 1;

    const payoutMinor = Math.floor(rnd() * 5_000) + (offer.currency === 'JPY' ? 100 : 1);
    const revenueMinor = payoutMinor + Math.floor(rnd() * 3_000);
    let status: LifecycleStatus = 'processing';
    let seq = 0;
    const move = async (to: LifecycleStatus, later: number) => {
      clock += later;
      const transition = {
        conversionId,
        seq,
        from: status,
        to,
        reasonCodes: [],
        actor: 'test',
        payoutMinor,
        revenueMinor,
        currency: offer.currency,
        affiliateId,
        advertiserId: parties.advertiserId,
        offerId: offer.id,
      };
      if (seq % 3 === 1 || i % 11 === 0) {
        // Dies after booking and counting, before the move that marks the transition applied.
        const dying = createActivities({ models: failingOnce(models, (flt) => 'status_seq' in flt), now });
        await expect(dying.recordTransition(transition)).rejects.toThrow('injected');
        clock += 1_800_000; // retried half an hour later: the entries keep the first attempt's time
      }
      await activities.recordTransition(transition);
      if (i % 7 === 0) await activities.recordTransition(transition); // a retry after success
      status = to;
      seq += 1;
      counts.transitions += 1;
    };
    const r = rnd();
    if (r < 0.08) continue; // still processing
    if (r < 0.2) await move('rejected', 1_000);
    else if (r < 0.45) {
      await move(pick(['pending', 'held'] as const), 2_000);
      if (rnd() < 0.7) await move(rnd() < 0.6 ? 'approved' : 'declined', Math.floor(rnd() * 10 * 86_400_000));
    } else await move('approved', 1_500);
    if ((status as LifecycleStatus) === 'approved' && rnd() < 0.25) await move('reversed', Math.floor(rnd() * 15 * 86_400_000));
  }

  // Trafficback: stored under the offer and affiliate asked for, counted apart from clicks; a
  // fallback to another offer also stores an ordinary child click for it, in the same batch.
  for (let i = 0; i < 60; i++) {
    const reason = pick(REASONS);
    const unknown = reason === 'offer_unknown';
    const parent = {
      _id: newId('clk'),
      offer_id: unknown ? `off_nowhere_${i % 3}` : pick(parties.offers).id,
      affiliate_id: pick(parties.affiliates),
      ...(unknown ? {} : { advertiser_id: parties.advertiserId }),
      subs: {},
      created_at: new Date(at()),
      trafficback: { reason, target: { type: 'url', url: 'https://example.com/tb' } },
    };
    const child = {
      _id: newId('clk'),
      offer_id: pick(parties.offers).id,
      affiliate_id: parent.affiliate_id,
      advertiser_id: parties.advertiserId,
      subs: {},
      created_at: parent.created_at,
      parent_click_id: parent._id,
      trafficback_hops: 1,
    };
    const stored: CountedClick[] = rnd() < 0.5 ? [parent, child] : [parent];
    await models.Click.collection.insertMany(stored as never[]);
    await countClicks(models, stored);
    counts.trafficback[reason] = (counts.trafficback[reason] ?? 0) + 1;
    counts.clicks += stored.length - 1;
  }
  return counts;
}

/** The buckets as stored, without the in-flight keys and the zeros a +1 -1 leaves. */
async function buckets(models: Models) {
  const clean = (value: unknown): unknown => {
    if (value === null || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      if (k === 'ops' || v === 0) continue;
      const c = clean(v);
      if (c !== null && typeof c === 'object' && Object.keys(c).length === 0 && k !== 't') continue;
      out[k] = c;
    }
    return out;
  };
  return (await models.Rollup.collection.find({}).toArray())
    .map((b) => clean(b) as { _id: string })
    .sort((a, b) => (a._id < b._id ? -1 : 1));
}

describe('report roll-ups on generated data', () => {
  let generated: Generated;
  beforeAll(async () => {
    const adv = await f.advertiser();
    const affiliates = [(await f.affiliate()).id, (await f.affiliate()).id, (await f.affiliate()).id, (await f.affiliate()).id];
    const offers = [];
    for (const currency of ['USD', 'EUR', 'JPY', 'USD']) offers.push({ id: (await f.offer(adv.id, { currency })).id, currency });
    generated = await generate(stack.models, { advertiserId: adv.id, offers, affiliates });
  }, 300_000);

  const both = async (query: Record<string, string>) => {
    const ask = (source: string) => f.admin('get', '/api/reports').query({ ...query, source });
    const [rolled, raw] = [await ask('auto'), await ask('raw')];
    expect([rolled.status, raw.status]).toEqual([200, 200]);
    return { rolled: rolled.body, raw: raw.body };
  };

  const whole = { from: '2025-09-01', to: '2025-12-01' };
  it.each([
    ['day', 'UTC', whole],
    ['offer', 'UTC', whole],
    ['affiliate,goal', 'UTC', whole],
    ['day,offer,affiliate,goal', 'Europe/Berlin', whole],
    ['day', 'America/New_York', whole],
    ['goal,day', 'Asia/Tokyo', whole],
    ['day,affiliate', 'Pacific/Kiritimati', whole],
    ['offer,goal', 'America/Los_Angeles', { from: '2025-10-15', to: '2025-11-12' }],
    ['day', 'Europe/London', { from: '2025-10-25', to: '2025-10-28' }], // the 25-hour day
    ['offer', 'UTC', { from: '2025-09-30T22:00:00Z', to: '2025-11-01T05:00:00Z' }], // hours, days and a month
    ['day,goal', 'UTC', { from: '2025-10-01T00:00:00Z', to: '2025-10-03T13:00:00Z' }],
  ])('group_by %s in %s over %j: the roll-ups equal the raw rows to the cent', async (group_by, timezone, window) => {
    const { rolled, raw } = await both({ group_by, timezone, ...window });
    expect([rolled.source, raw.source]).toEqual(['rollups', 'raw']);
    expect(raw.rows.length).toBeGreaterThan(0);
    expect({ ...rolled, source: 'raw' }).toEqual(raw);
  });

  it.each([
    ['day', 'Asia/Kolkata', whole], // +05:30: midnight is not on a UTC hour
    ['day,offer', 'America/St_Johns', whole], // -03:30 / -02:30
    ['offer', 'UTC', { from: '2025-10-01T00:30:00Z', to: '2025-10-20T00:00:00Z' }], // a bound with minutes
  ])('group_by %s in %s over %j cannot be cut from hours: answered from the raw rows', async (group_by, timezone, window) => {
    const { rolled, raw } = await both({ group_by, timezone, ...window });
    expect(rolled.source).toBe('raw');
    expect(rolled).toEqual(raw);
  });

  it('equals the ledger to the cent, with every generated row counted once', async () => {
    const { rolled } = await both({ group_by: 'offer', ...whole });
    const entries = await stack.models.LedgerEntry.find({}).lean();
    const sums = new Map<string, number[]>();
    for (const e of entries) {
      const s = sums.get(e.currency) ?? [0, 0];
      s[e.account === 'affiliate_payable' ? 0 : 1]! += e.amount_minor;
      sums.set(e.currency, s);
    }
    const digits: Record<string, number> = { USD: 2, EUR: 2, JPY: 0 };
    const money = (minor: number, c: string) => (minor / 10 ** digits[c]!).toFixed(digits[c]);
    type Total = {
      currency: string | null;
      payout: string | null;
      revenue: string | null;
      clicks: number;
      trafficback: number;
      conversions: { total: number };
    };
    const totals = rolled.totals as Total[];
    // Trafficback clicks of offers that do not exist have no currency, and no money.
    expect(totals.filter((t) => t.currency !== null).map((t) => [t.currency, t.payout, t.revenue])).toEqual(
      [...sums].sort(([a], [b]) => (a < b ? -1 : 1)).map(([c, [p, r]]) => [c, money(p!, c), money(r!, c)]),
    );
    expect(totals.find((t) => t.currency === null)).toMatchObject({
      clicks: 0,
      payout: null,
      trafficback: generated.trafficback.offer_unknown,
    });
    const total = (field: (t: Total) => number) => totals.reduce((n, t) => n + field(t), 0);
    expect([total((t) => t.clicks), total((t) => t.conversions.total)]).toEqual([generated.clicks, generated.conversions]);
    // Each trafficback click once, in its reason (the seed draws every reason), and in no total's clicks above.
    const reasons: Record<string, number> = {};
    for (const t of rolled.totals as { trafficback_reasons: Record<string, number> }[])
      for (const [reason, n] of Object.entries(t.trafficback_reasons)) reasons[reason] = (reasons[reason] ?? 0) + n;
    expect(reasons).toEqual(generated.trafficback);
    expect(total((t) => t.trafficback)).toBe(60);
    expect(Object.keys(reasons).sort()).toEqual([...REASONS].sort());
    expect(generated.transitions).toBeGreaterThan(150);
  });

  it('holds no idempotency key once every step has finished', async () => {
    const withKeys = await stack.models.Rollup.collection.countDocuments({ 'ops.0': { $exists: true } });
    expect(withKeys).toBe(0);
  });

  it('rebuilt from the rows, gives the same buckets as the steps kept', async () => {
    const kept = await buckets(stack.models);
    expect(kept.length).toBeGreaterThan(50);
    const progress: string[] = [];
    await rebuildRollups(stack.models, (p) => progress.push(p.month));
    expect(progress).toEqual(['2025-09', '2025-10', '2025-11']);
    expect(await buckets(stack.models)).toEqual(kept);
  });
});
