import { DateTime } from 'luxon';
import { createApp } from '../../api/app';
import { CAP_STATE_TTL_MS } from '../../api/click-caps';
import { capCounterId, capWindow } from '../../domain/cap-window';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';
import request from 'supertest';

/**
 * Trafficback (README "Trafficback"): every click the offer cannot take is recorded with its
 * reason and follows the fallback chain; through the real app, against real MongoDB and Temporal.
 */
const { stack, f } = useTestStack('trafficback');

const sale = [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }];

/** GET /click without following the redirect. */
const click = (offerId: string, affId: string, query: Record<string, string> = {}, ip = '198.51.100.7') =>
  f
    .http()
    .get('/click')
    .query({ offer_id: offerId, aff_id: affId, ...query })
    .set('X-Forwarded-For', ip);

const storedClick = (id: string) =>
  stack.models.Click.findById(id).lean<Record<string, unknown> & { trafficback?: Record<string, unknown> }>();

/** The trafficback clicks stored for an offer id, newest last. */
const turnedAway = (offerId: string) =>
  stack.models.Click.find({ offer_id: offerId, trafficback: { $exists: true } })
    .sort({ _id: 1 })
    .lean<{ _id: string; trafficback: Record<string, unknown>; affiliate_id: string }[]>();

const cid = (location: string | undefined) => new URL(location!).searchParams.get('cid');

async function settled(id: string) {
  // Generous: the 200-pair test starts 200 workflows at once, on a CI machine running other suites.
  return waitFor(
    `conversion ${id} to leave processing`,
    async () => {
      const doc = await stack.models.Conversion.findById(id).lean();
      return doc && doc.status !== 'processing' ? doc : undefined;
    },
    120_000,
  );
}

describe('a reason for every click not sent to the offer', () => {
  it('each reason: 404 with the reason (no target anywhere), the click stored with it, no-store, the header', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const live = await f.offer(adv.id, { blocked_click_subs: ['bad-source'], duplicate_click_seconds: 60 });
    const paused = await f.offer(adv.id);
    await f.admin('delete', `/api/offers/${paused.id}`).expect(200);
    const expired = await f.offer(adv.id, { expires_at: '2020-01-01T00:00:00Z' });
    const inactive = await f.affiliate();
    await f.admin('delete', `/api/affiliates/${inactive.id}`).expect(200);

    const cases: [string, () => request.Test][] = [
      ['offer_unknown', () => click('off_doesnotexist', aff.id)],
      ['offer_paused', () => click(paused.id, aff.id)],
      ['offer_expired', () => click(expired.id, aff.id)],
      ['affiliate_unknown', () => click(live.id, 'aff_doesnotexist')],
      ['affiliate_inactive', () => click(live.id, inactive.id)],
      ['blocked_sub', () => click(live.id, aff.id, { sub3: 'bad-source' })],
    ];
    for (const [reason, send] of cases) {
      const res = await send();
      expect({ reason, status: res.status, error: res.body.error }).toEqual({ reason, status: 404, error: reason });
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['x-trafficback-reason']).toBe(reason);
      const id = /click (clk_\S+) is recorded/.exec(res.body.message as string)?.[1];
      expect(id).toBeDefined();
      const stored = await storedClick(id!);
      expect(stored?.trafficback).toMatchObject({ reason, to: 'not_found' });
    }
    const blocked = (await turnedAway(live.id)).find((c) => c.trafficback.reason === 'blocked_sub');
    expect(blocked?.trafficback.sub).toBe('sub3');

    // duplicate_click: the first click from an IP goes through, the second within the window does not; another IP does.
    const first = await click(live.id, aff.id, {}, '203.0.113.50');
    expect(first.status).toBe(302);
    const again = await click(live.id, aff.id, {}, '203.0.113.50');
    expect([again.status, again.body.error]).toEqual([404, 'duplicate_click']);
    expect((await click(live.id, aff.id, {}, '203.0.113.51')).status).toBe(302);
    // Concurrent clicks of one IP: exactly one goes through.
    const burst = await Promise.all(Array.from({ length: 10 }, () => click(live.id, aff.id, {}, '203.0.113.52')));
    expect(burst.filter((r) => r.status === 302)).toHaveLength(1);
    expect(burst.filter((r) => r.body.error === 'duplicate_click')).toHaveLength(9);
  });

  it('cap_reached: once the cap is full, clicks are turned away within the documented bound, naming the cap', async () => {
    const { advertiser, affiliate, offer, token } = await f.setup({
      goals: sale,
      caps: [{ metric: 'conversions', period: 'day', limit: '1', timezone: 'Asia/Tokyo' }],
    });
    const clickId = await f.click(offer.id, affiliate.id); // the click path has read the counter: empty
    const conversion = await f.convert({ clickId, token });
    expect((await settled(conversion)).status).toBe('approved');
    const full = Date.now(); // the reservation was written before this
    const turned = await waitFor(
      'a click turned away with cap_reached',
      async () => {
        const res = await click(offer.id, affiliate.id);
        return res.status === 404 ? res : undefined;
      },
      10_000,
    );
    const lag = Date.now() - full;
    expect(turned.body.error).toBe('cap_reached');
    expect(turned.body.message).toContain('conversions:day:*:offer:Asia/Tokyo');
    // The bound: the counter's time to live, plus one read (a generous second on a busy CI machine).
    expect(lag).toBeLessThan(CAP_STATE_TTL_MS + 1_000);
    const stored = (await turnedAway(offer.id)).at(-1)!;
    expect(stored.trafficback).toMatchObject({ reason: 'cap_reached', cap_id: 'conversions:day:*:offer:Asia/Tokyo' });
    expect(advertiser.id).toBeDefined();
  });
});

describe('fallback chains', () => {
  it('affiliate level beats offer level beats global; a URL target gets the macros and {reason}; blank is a 200', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const vip = await f.affiliate();
    const offer = await f.offer(adv.id, {
      trafficback: {
        target: { type: 'url', url: 'https://fallback.example/o?c={click_id}&why={reason}&s={sub1}&a={aff_id}' },
        affiliates: [{ affiliate_id: vip.id, target: { type: 'blank' } }],
      },
    });
    await f.admin('delete', `/api/offers/${offer.id}`).expect(200);

    const byOffer = await click(offer.id, aff.id, { sub1: 'a b' });
    expect(byOffer.status).toBe(302);
    const url = new URL(byOffer.headers.location!);
    expect([url.host, url.searchParams.get('why'), url.searchParams.get('s'), url.searchParams.get('a')]).toEqual([
      'fallback.example',
      'offer_paused',
      'a b',
      aff.id,
    ]);
    // Stored as the visitor was sent: the URL with its macros filled.
    expect((await storedClick(url.searchParams.get('c')!))?.trafficback).toMatchObject({
      reason: 'offer_paused',
      to: 'url',
      url: byOffer.headers.location,
    });

    const byAffiliate = await click(offer.id, vip.id);
    expect([byAffiliate.status, byAffiliate.headers['content-type']]).toEqual([200, 'text/html; charset=utf-8']);

    // No target on the offer: the global one.
    const bare = await f.offer(adv.id);
    await f.admin('delete', `/api/offers/${bare.id}`).expect(200);
    await f
      .admin('patch', '/api/trafficback')
      .send({ target: { type: 'url', url: 'https://global.example/?r={reason}' } })
      .expect(200);
    try {
      const global = await click(bare.id, aff.id);
      expect([global.status, global.headers.location]).toEqual([302, 'https://global.example/?r=offer_paused']);
      expect((await f.admin('get', '/api/trafficback')).body.target).toEqual({ type: 'url', url: 'https://global.example/?r={reason}' });
    } finally {
      await f
        .admin('patch', '/api/trafficback')
        .send({ target: { type: 'not_found' } })
        .expect(200);
    }
  });

  it('three levels deep: the child click on the last offer is credited to the original affiliate; the parent cannot convert', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const d = await f.offer(adv.id, { goals: sale });
    const c = await f.offer(adv.id, { expires_at: '2021-06-01T00:00:00Z', trafficback: { target: { type: 'offer', offer_id: d.id } } });
    const b = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: c.id } } });
    await f.admin('delete', `/api/offers/${b.id}`).expect(200);
    const a = await f.offer(adv.id, {
      caps: [{ metric: 'conversions', period: 'total', limit: '0' }],
      trafficback: { affiliates: [{ affiliate_id: aff.id, target: { type: 'offer', offer_id: b.id } }] },
    });

    const res = await click(a.id, aff.id, { sub1: 'kw' });
    expect(res.status).toBe(302);
    expect(res.headers['x-trafficback-reason']).toBe('cap_reached');
    const childId = cid(res.headers.location)!;
    const child = await storedClick(childId);
    expect(child).toMatchObject({ offer_id: d.id, affiliate_id: aff.id, trafficback_hops: 3, subs: { sub1: 'kw' } });
    const parent = await storedClick(child!.parent_click_id as string);
    expect(parent).toMatchObject({ offer_id: a.id, affiliate_id: aff.id });
    expect(parent!.trafficback).toMatchObject({ reason: 'cap_reached', to: 'offer', to_offer_id: d.id, child_click_id: childId });
    expect(
      (parent!.trafficback!.chain as { offer_id: string; reason: string; level: string }[]).map((h) => [h.offer_id, h.reason, h.level]),
    ).toEqual([
      [a.id, 'cap_reached', 'affiliate'],
      [b.id, 'offer_paused', 'offer'],
      [c.id, 'offer_expired', 'offer'],
    ]);

    // The conversion on the child click is the affiliate's, on the fallback offer.
    const conversionId = await f.convert({ clickId: childId, token: adv.postback_token });
    expect(await settled(conversionId)).toMatchObject({ offer_id: d.id, affiliate_id: aff.id, status: 'approved' });
    // The original click went to no landing page of A: a postback on it is refused, nothing stored.
    const refused = await f.http().get('/postback').query({ click_id: parent!._id, token: adv.postback_token });
    expect([refused.status, refused.body.error]).toEqual([409, 'trafficback_click']);
    expect(refused.body.message).toContain(childId);
    expect(await stack.models.Conversion.countDocuments({ click_id: parent!._id })).toBe(0);
  });

  it('save time: a cycle and a chain deeper than 3 are refused naming the chain; a missing offer is refused', async () => {
    const adv = await f.advertiser();
    const [o1, o2, o3, o4, o5] = await Promise.all([1, 2, 3, 4, 5].map(() => f.offer(adv.id)));
    const to = (id: string) => ({ target: { type: 'offer', offer_id: id } });
    await f
      .admin('patch', `/api/offers/${o1!.id}`)
      .send({ trafficback: to(o2!.id) })
      .expect(200);
    const cycle = await f.admin('patch', `/api/offers/${o2!.id}`).send({ trafficback: to(o1!.id) });
    expect([cycle.status, cycle.body.issues?.[0]?.code]).toEqual([400, 'trafficback_cycle']);
    expect(cycle.body.message).toContain(`${o2!.id} → ${o1!.id} → ${o2!.id}`);
    const self = await f.admin('patch', `/api/offers/${o3!.id}`).send({ trafficback: to(o3!.id) });
    expect([self.status, self.body.issues?.[0]?.code]).toEqual([400, 'trafficback_cycle']);

    await f
      .admin('patch', `/api/offers/${o2!.id}`)
      .send({ trafficback: to(o3!.id) })
      .expect(200);
    await f
      .admin('patch', `/api/offers/${o3!.id}`)
      .send({ trafficback: to(o4!.id) })
      .expect(200); // o1 → o2 → o3 → o4: 3 hops
    const deep = await f.admin('patch', `/api/offers/${o4!.id}`).send({ trafficback: to(o5!.id) });
    expect([deep.status, deep.body.issues?.[0]?.code]).toEqual([400, 'trafficback_too_long']);
    expect(deep.body.message).toContain(`${o1!.id} → ${o2!.id} → ${o3!.id} → ${o4!.id} → ${o5!.id}`);

    const missing = await f.admin('patch', `/api/offers/${o5!.id}`).send({ trafficback: to('off_nothere') });
    expect([missing.status, missing.body.issues?.[0]?.path]).toEqual([400, 'trafficback.target.offer_id']);
    const badGlobal = await f.admin('patch', '/api/trafficback').send({ target: { type: 'offer', offer_id: 'off_nothere' } });
    expect([badGlobal.status, badGlobal.body.issues?.[0]?.path]).toEqual([400, 'target.offer_id']);
    const badUrl = await f
      .admin('patch', `/api/offers/${o5!.id}`)
      .send({ trafficback: { target: { type: 'url', url: 'https://x.example/{nope}' } } });
    expect([badUrl.status, badUrl.body.issues?.[0]?.path]).toEqual([400, 'trafficback.target.url']);
  });

  it('run time: a cycle through the global target and a fourth hop both end at a 404, never loop', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    // The global target is a paused offer with no target of its own: the chain comes back to it.
    const g = await f.offer(adv.id);
    await f.admin('delete', `/api/offers/${g.id}`).expect(200);
    const p = await f.offer(adv.id);
    await f.admin('delete', `/api/offers/${p.id}`).expect(200);
    await f
      .admin('patch', '/api/trafficback')
      .send({ target: { type: 'offer', offer_id: g.id } })
      .expect(200);
    try {
      const looped = await click(p.id, aff.id);
      expect([looped.status, looped.body.error]).toEqual([404, 'offer_paused']);
      const stored = (await turnedAway(p.id)).at(-1)!;
      expect(stored.trafficback).toMatchObject({ stopped: 'cycle', to: 'not_found' });

      // Four paused offers in a row, the last without a target: the global hop would be the fourth.
      const x4 = await f.offer(adv.id);
      const x3 = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: x4.id } } });
      const x2 = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: x3.id } } });
      const x1 = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: x2.id } } });
      for (const o of [x1, x2, x3, x4]) await f.admin('delete', `/api/offers/${o.id}`).expect(200);
      const deep = await click(x1.id, aff.id);
      expect(deep.status).toBe(404);
      expect((await turnedAway(x1.id)).at(-1)!.trafficback).toMatchObject({ stopped: 'max_hops', to: 'not_found' });
    } finally {
      await f
        .admin('patch', '/api/trafficback')
        .send({ target: { type: 'not_found' } })
        .expect(200);
    }
  });
});

describe('caps at click time', () => {
  it('200 concurrent click-then-conversion pairs against a cap of 50: exactly 50 conversions', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const fallback = await f.offer(adv.id, { goals: sale });
    const offer = await f.offer(adv.id, {
      goals: sale,
      caps: [{ metric: 'conversions', period: 'day', limit: '50' }],
      trafficback: { target: { type: 'offer', offer_id: fallback.id } },
    });
    const pair = async (i: number) => {
      const res = await click(offer.id, aff.id, { sub1: String(i) }, `198.51.100.${i % 250}`);
      expect(res.status).toBe(302);
      const clickId = cid(res.headers.location)!;
      const post = await f
        .http()
        .get('/postback')
        .query({ click_id: clickId, token: adv.postback_token, txn_id: `t${i}` });
      expect(post.status).toBe(200);
      return post.body.conversion_id as string;
    };
    const ids = await Promise.all(Array.from({ length: 200 }, (_, i) => pair(i)));
    const docs = await Promise.all(ids.map(settled));
    const onCapped = docs.filter((d) => d.offer_id === offer.id);
    expect(onCapped.filter((d) => d.status === 'approved')).toHaveLength(50);
    expect(onCapped.filter((d) => d.status !== 'approved').every((d) => d.status === 'rejected')).toBe(true);
    // Every conversion on the fallback offer came from a child click, credited to the same affiliate.
    const onFallback = docs.filter((d) => d.offer_id === fallback.id);
    expect(onFallback.every((d) => d.affiliate_id === aff.id && d.status === 'approved')).toBe(true);
    expect(onCapped.length + onFallback.length).toBe(200);
    // The cap is full now: the next clicks go to the fallback with cap_reached.
    const next = await waitFor('a click sent to the fallback', async () => {
      const res = await click(offer.id, aff.id, {}, '192.0.2.9');
      return res.headers['x-trafficback-reason'] === 'cap_reached' ? res : undefined;
    });
    expect(new URL(next.headers.location!).host).toBe('shop.example');
    expect((await storedClick(cid(next.headers.location)!))?.offer_id).toBe(fallback.id);
  }, 180_000);

  it('the cap resets at local midnight, in each cap time zone', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const zones = ['America/New_York', 'Asia/Tokyo'];
    const offers = await Promise.all(
      zones.map((timezone) => f.offer(adv.id, { goals: sale, caps: [{ metric: 'conversions', period: 'day', limit: '3', timezone }] })),
    );
    let clock = new Date();
    const app = createApp({ config: stack.config, temporal: stack.client, mongo: stack.mongo, models: stack.models, now: () => clock });
    for (const [i, timezone] of zones.entries()) {
      const offer = offers[i]!;
      const lastSecond = DateTime.fromObject(
        { year: 2026, month: 3, day: 8, hour: 23, minute: 59, second: 59 },
        { zone: timezone },
      ).toJSDate();
      // The day's counter as the reservation activity leaves it when the cap filled (activities/caps.ts).
      const capId = `conversions:day:*:offer:${timezone}`;
      const window = capWindow('day', timezone, lastSecond);
      await stack.models.CapCounter.collection.insertOne({
        _id: capCounterId({ offerId: offer.id, capId, windowKey: window.key }),
        offer_id: offer.id,
        cap_id: capId,
        window: window.key,
        metric: 'conversions',
        limit: 3,
        reserved: 3,
        reservations: [],
      } as never);
      clock = lastSecond;
      const before = await request(app.callback()).get('/click').query({ offer_id: offer.id, aff_id: aff.id });
      expect({ timezone, status: before.status, error: before.body.error }).toEqual({ timezone, status: 404, error: 'cap_reached' });
      clock = new Date(lastSecond.getTime() + 1_000); // local midnight: a new window, an empty counter
      const after = await request(app.callback()).get('/click').query({ offer_id: offer.id, aff_id: aff.id });
      expect({ timezone, status: after.status }).toEqual({ timezone, status: 302 });
    }
  });
});

describe('reading trafficback clicks', () => {
  it('GET /api/clicks/:id shows the reason and chain; /api/trafficback/clicks lists them newest first, filtered, in pages', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const fallback = await f.offer(adv.id);
    const offer = await f.offer(adv.id, { trafficback: { target: { type: 'offer', offer_id: fallback.id } } });
    await f.admin('delete', `/api/offers/${offer.id}`).expect(200);
    const sent: string[] = [];
    for (let i = 0; i < 5; i++) {
      const res = await click(offer.id, aff.id, { sub1: `s${i}` });
      sent.push((await storedClick(cid(res.headers.location)!))!.parent_click_id as string);
    }
    await click('off_nowhere', aff.id); // another reason, another offer id

    const one = await f.admin('get', `/api/clicks/${sent[0]}`).expect(200);
    expect(one.body).toMatchObject({ id: sent[0], offer_id: offer.id, affiliate_id: aff.id, test: false, subs: { sub1: 's0' } });
    expect(one.body.trafficback).toMatchObject({ reason: 'offer_paused', to: 'offer', to_offer_id: fallback.id });
    expect(typeof one.body.trafficback.at).toBe('string');
    const child = await f.admin('get', `/api/clicks/${one.body.trafficback.child_click_id}`).expect(200);
    expect(child.body).toMatchObject({ offer_id: fallback.id, parent_click_id: sent[0], trafficback_hops: 1 });
    expect((await f.admin('get', '/api/clicks/clk_nothere')).status).toBe(404);

    const page1 = await f.admin('get', '/api/trafficback/clicks').query({ offer_id: offer.id, limit: 3 }).expect(200);
    expect(page1.body.data.map((c: { id: string }) => c.id)).toEqual(sent.slice().reverse().slice(0, 3));
    const page2 = await f
      .admin('get', '/api/trafficback/clicks')
      .query({ offer_id: offer.id, limit: 3, before: page1.body.next_before })
      .expect(200);
    expect(page2.body.data.map((c: { id: string }) => c.id)).toEqual(sent.slice().reverse().slice(3));
    expect(page2.body.next_before).toBeNull();
    const unknown = await f.admin('get', '/api/trafficback/clicks').query({ reason: 'offer_unknown' }).expect(200);
    expect(unknown.body.data.every((c: { trafficback: { reason: string } }) => c.trafficback.reason === 'offer_unknown')).toBe(true);
    expect(unknown.body.data.some((c: { offer_id: string }) => c.offer_id === 'off_nowhere')).toBe(true);
    const bad = await f.admin('get', '/api/trafficback/clicks').query({ reason: 'bored' });
    expect([bad.status, bad.body.issues?.[0]?.path]).toEqual([400, 'reason']);
  });
});
