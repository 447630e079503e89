import request from 'supertest';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * MMP postbacks (README "MMP postbacks"): each vendor's generated templates, filled by the test as
 * the vendor fills them (its macros replaced by URL-encoded values, empty where it has none), reach
 * the right goal; retries make one conversion; rejections, fraud notices and reattributions follow
 * the lifecycle; everything else lands in the integration's log. Real app, MongoDB and Temporal.
 */
const { stack, f } = useTestStack('mmp');

const goals = [
  { key: 'install', payout: { type: 'fixed', amount: '2.00' }, revenue: { type: 'fixed', amount: '3.00' } },
  { key: 'purchase', payout: { type: 'percent', amount: '10' }, revenue: { type: 'percent', amount: '20' }, allow_multiple: true },
  { key: 'reengage', payout: { type: 'fixed', amount: '0.50' }, revenue: { type: 'fixed', amount: '0.80' } },
  { key: 'subscribe', payout: { type: 'fixed', amount: '1.00' }, revenue: { type: 'fixed', amount: '1.50' } },
];

interface Integration {
  id: string;
  token: string;
  templates: { tracking_link: string; postbacks: { for: string; kinds: string[]; url: string }[] };
}

/** Replaces every vendor macro ({x}, {cl?x}, ${(x)!}) as the vendor would: its value URL-encoded, or nothing. */
function fill(template: string, values: Record<string, string>): string {
  return template.replace(/\$\{\(([^)]*)\)!\}|\{([^{}]+)\}/g, (_m, branchName: string | undefined, name: string | undefined) =>
    encodeURIComponent(values[(branchName ?? name)!] ?? ''),
  );
}

/** A vendor's call: the filled URL, sent as the vendor sends it (GET), from `ip`. */
async function call(url: string, ip = '203.0.113.10') {
  const u = new URL(url);
  return f.http().get(`${u.pathname}${u.search}`).set('X-Forwarded-For', ip);
}

async function setupOffer(vendor: string, integration: Record<string, unknown>) {
  const adv = await f.advertiser();
  const aff = await f.affiliate();
  const offer = await f.offer(adv.id, { goals, default_goal: 'install', url: 'https://placeholder.example/' });
  // The vendor's link for the app, as the advertiser gives it (the templates' <placeholders> are not a URL).
  const linkBase: Record<string, string> = {
    appsflyer: 'https://app.appsflyer.com/id1234567890?pid=postflow_int',
    kochava: 'https://control.kochava.com/v1/cpi/click?campaign_id=ko1&network_id=1234',
  };
  const res = await f
    .admin('post', `/api/offers/${offer.id}/mmp`)
    .send({ vendor, ...(linkBase[vendor] ? { link_base: linkBase[vendor] } : {}), ...integration });
  expect(res.status).toBe(201);
  const created = res.body as Integration;
  // The generated tracking link becomes the offer's URL, as the README says to do.
  await f.admin('patch', `/api/offers/${offer.id}`).send({ url: created.templates.tracking_link }).expect(200);
  return { adv, aff, offer, integration: created };
}

/** A click through postflow: the Location is the vendor link with postflow's click id (and, for Adjust, the callbacks) filled in. */
async function clickThrough(offerId: string, affId: string) {
  const res = await f.http().get('/click').query({ offer_id: offerId, aff_id: affId, sub1: 'kw' });
  expect(res.status).toBe(302);
  const location = res.headers.location!;
  const clickId = (await stack.models.Click.findOne({ offer_id: offerId }).sort({ _id: -1 }).lean())!._id;
  return { location, clickId };
}

const template = (i: Integration, kind: string) => i.templates.postbacks.find((p) => p.kinds.includes(kind))!.url;

async function settledConversions(clickId: string, n: number) {
  return waitFor(`${n} settled conversion(s) on ${clickId}`, async () => {
    const docs = await stack.models.Conversion.find({ click_id: clickId }).sort({ received_at: 1 }).lean();
    return docs.length === n && docs.every((d) => d.status !== 'processing') ? docs : undefined;
  });
}

async function statusOf(id: string, status: string) {
  return waitFor(`conversion ${id} ${status}`, async () => {
    const doc = await stack.models.Conversion.findById(id).lean();
    return doc?.status === status ? doc : undefined;
  });
}

/** The affiliate's payable for a conversion, in minor units: what it will be paid. */
async function netPayout(conversionId: string) {
  const entries = await stack.models.LedgerEntry.find({ conversion_id: conversionId, account: 'affiliate_payable' }).lean();
  return { net: entries.reduce((sum, e) => sum + e.amount_minor, 0), entries: entries.length };
}

describe('AppsFlyer', () => {
  it('install, retries, in-app events (two in one second are two), an unmapped event, a reattribution without a goal', async () => {
    const { aff, offer, integration } = await setupOffer('appsflyer', { events: [{ event: 'af_purchase', goal: 'purchase' }] });
    expect(integration.templates.tracking_link).toContain('clickid={click_id}');
    const { location, clickId } = await clickThrough(offer.id, aff.id);
    expect(new URL(location).searchParams.get('clickid')).toBe(clickId);

    const install = fill(template(integration, 'install'), {
      clickid: clickId,
      appsflyer_id: '1718035262000-1234567',
      install_unix_ts: '1764669600',
    });
    const first = await call(install);
    expect([first.status, first.body.result]).toEqual([200, 'accepted']);
    // AppsFlyer retries a 5xx up to 4 times 15 minutes apart; a slow 200 can be sent again too: one conversion.
    for (let i = 0; i < 4; i++)
      expect((await call(install)).body).toMatchObject({ result: 'duplicate', conversion_id: first.body.conversion_id });

    const purchase = (time: string) =>
      fill(template(integration, 'event'), {
        clickid: clickId,
        appsflyer_id: '1718035262000-1234567',
        event_name: 'af_purchase',
        event_revenue: '49.90',
        event_revenue_currency: 'USD',
        event_time: time,
      });
    const p1 = await call(purchase('2026-12-02 10:00:00.120'));
    const p2 = await call(purchase('2026-12-02 10:00:00.480')); // the same second: another purchase, not a retry
    expect([p1.body.result, p2.body.result]).toEqual(['accepted', 'accepted']);
    expect((await call(purchase('2026-12-02 10:00:00.120'))).body).toMatchObject({
      result: 'duplicate',
      conversion_id: p1.body.conversion_id,
    });

    const unmapped = await call(
      fill(template(integration, 'event'), {
        clickid: clickId,
        appsflyer_id: 'x',
        event_name: 'af_level_up',
        event_time: '2026-12-02 10:05:00',
      }),
    );
    expect(unmapped.body).toEqual({ result: 'logged', reason: 'unmapped_event' });
    const reattribution = await call(
      fill(template(integration, 'reattribution'), { clickid: clickId, appsflyer_id: 'x', event_time: '2026-12-02 11:00:00' }),
    );
    expect(reattribution.body).toEqual({ result: 'logged', reason: 'unmapped_kind' });

    const docs = await settledConversions(clickId, 3);
    expect(docs.map((d) => [d.goal, d.status, d.payout_minor])).toEqual([
      ['install', 'approved', 200],
      ['purchase', 'approved', 499],
      ['purchase', 'approved', 499],
    ]);
    const log = await f.admin('get', `/api/mmp/${integration.id}/log`).expect(200);
    expect(log.body.data.map((r: { reason: string }) => r.reason)).toEqual(['unmapped_kind', 'unmapped_event']);
    const row = log.body.data[1];
    expect(row).toMatchObject({ event: 'af_level_up', click_id: clickId, kind: 'event' });
    expect(row.raw.token).toBe('***'); // the raw call, its secret masked
    expect(row.raw.event).toBe('af_level_up');
  });

  it('a rejected install after the install reverses it (net payout 0); a rejection first: one rejected conversion', async () => {
    const { aff, offer, integration } = await setupOffer('appsflyer', {});
    const { clickId } = await clickThrough(offer.id, aff.id);
    const values = { clickid: clickId, appsflyer_id: 'af-1', install_unix_ts: '1764669600' };
    const installed = await call(fill(template(integration, 'install'), values));
    await statusOf(installed.body.conversion_id, 'approved');
    const rejected = await call(
      fill(template(integration, 'install'), {
        ...values,
        is_rejected: 'true',
        reject_reason: 'ctit_anomalies',
        reject_reason_value: '"4"',
      }),
    );
    expect(rejected.body).toMatchObject({ result: 'status_update', conversion_id: installed.body.conversion_id, status: 'reversed' });
    const doc = await statusOf(installed.body.conversion_id, 'reversed');
    expect(doc.reason_codes).toEqual(['mmp_rejected']);
    expect(doc.status_history.at(-1)).toMatchObject({ to: 'reversed', reason: 'appsflyer: ctit_anomalies (4)' });
    expect(await netPayout(installed.body.conversion_id)).toEqual({ net: 0, entries: 2 });

    // Another click: the rejection arrives first (real time), then the install postback.
    const { clickId: second } = await clickThrough(offer.id, aff.id);
    const v2 = { clickid: second, appsflyer_id: 'af-2', install_unix_ts: '1764669700' };
    const early = await call(fill(template(integration, 'install'), { ...v2, is_rejected: 'true', reject_reason: 'bots' }));
    expect(early.body.result).toBe('accepted');
    expect((await call(fill(template(integration, 'install'), v2))).body).toMatchObject({
      result: 'duplicate',
      conversion_id: early.body.conversion_id,
    });
    const [only] = await settledConversions(second, 1);
    expect(only).toMatchObject({ status: 'rejected', reason_codes: ['mmp_rejected'] });
    expect((await netPayout(only!._id)).net).toBe(0);
  });

  it('fraud found after approval (posted from the Protect360 report) reverses the install with a reversal entry', async () => {
    const { aff, offer, integration } = await setupOffer('appsflyer', {});
    const { clickId } = await clickThrough(offer.id, aff.id);
    const installed = await call(
      fill(template(integration, 'install'), { clickid: clickId, appsflyer_id: 'af-3', install_unix_ts: '1764669600' }),
    );
    await statusOf(installed.body.conversion_id, 'approved');
    // No AppsFlyer template for it: ops post the notice themselves with the integration's token.
    const fraud = await f
      .http()
      .get('/postback/mmp/appsflyer')
      .query({ token: integration.token, kind: 'fraud', click_id: clickId, device_id: 'af-3', event_time: '1764700000', reason: 'bots' });
    expect(fraud.body).toMatchObject({ result: 'status_update', status: 'reversed' });
    const doc = await statusOf(installed.body.conversion_id, 'reversed');
    expect(doc.reason_codes).toEqual(['mmp_post_attribution_fraud']);
    const entries = await stack.models.LedgerEntry.find({ conversion_id: doc._id, account: 'affiliate_payable' }).sort({ seq: 1 }).lean();
    expect(entries.map((e) => e.amount_minor)).toEqual([200, -200]);
  });
});

describe('Adjust', () => {
  it('callbacks ride in the tracking link: install, an event token, a rejected install after it, updated attribution', async () => {
    const { aff, offer, integration } = await setupOffer('adjust', {
      events: [{ event: 'abc123', goal: 'purchase' }],
      link_base: 'https://app.adjust.com/tr4ck3r',
    });
    const link = new URL(integration.templates.tracking_link);
    expect([...link.searchParams.keys()]).toEqual([
      'install_callback',
      'rejected_install_callback',
      'reattribution_callback',
      'event_callback_abc123',
    ]);
    const { location, clickId } = await clickThrough(offer.id, aff.id);
    // What Adjust stores at click time: the callbacks, with postflow's click id already in them.
    const callbacks = new URL(location).searchParams;
    const installCallback = callbacks.get('install_callback')!;
    expect(installCallback).toContain(`click_id=${clickId}`);
    const adjust = (url: string, values: Record<string, string>) =>
      call(fill(url, { adid: 'adid-77', created_at: '1764669600', ...values }));

    const installed = await adjust(installCallback, { activity_kind: 'install' });
    expect(installed.body.result).toBe('accepted');
    const event = callbacks.get('event_callback_abc123')!;
    const bought = await adjust(event, {
      activity_kind: 'event',
      event: 'abc123',
      revenue_float: '10.00',
      currency: 'usd',
      created_at: '1764670000',
    });
    expect(bought.body.result).toBe('accepted');
    expect(
      (await adjust(event, { activity_kind: 'event', event: 'abc123', revenue_float: '10.00', currency: 'usd', created_at: '1764670000' }))
        .body.result,
    ).toBe('duplicate');
    // "One attribution can trigger an install callback and a rejected install callback."
    await statusOf(installed.body.conversion_id, 'approved');
    const rejected = await adjust(callbacks.get('rejected_install_callback')!, {
      activity_kind: 'rejected_install',
      rejection_reason: 'anonymous_traffic',
    });
    expect(rejected.body).toMatchObject({ result: 'status_update', status: 'reversed' });
    expect(await netPayout(installed.body.conversion_id)).toEqual({ net: 0, entries: 2 });

    // Updated attribution on another click reverses its approved install.
    const { location: l2, clickId: c2 } = await clickThrough(offer.id, aff.id);
    const cb2 = new URL(l2).searchParams.get('install_callback')!;
    const i2 = await call(fill(cb2, { activity_kind: 'install', adid: 'adid-88', created_at: '1764669600' }));
    await statusOf(i2.body.conversion_id, 'approved');
    const updated = await call(fill(cb2, { activity_kind: 'install_update', adid: 'adid-88', created_at: '1764680000' }));
    expect(updated.body).toMatchObject({ result: 'status_update', status: 'reversed' });
    expect((await statusOf(i2.body.conversion_id, 'reversed')).reason_codes).toEqual(['mmp_attribution_updated']);
    expect(c2).not.toBe(clickId);
  });
});

describe('Branch, Singular, Kochava', () => {
  it('Branch: one URL for installs and events; its event id dedupes; an event without our click id is logged', async () => {
    const { aff, offer, integration } = await setupOffer('branch', {
      events: [{ event: 'PURCHASE', goal: 'purchase' }],
      link_base: 'https://shop.app.link/a1b2?%243p=a_postflow',
    });
    const { clickId } = await clickThrough(offer.id, aff.id);
    const url = integration.templates.postbacks[0]!.url;
    const branch = (values: Record<string, string>) =>
      call(fill(url, { 'last_attributed_touch_data.~click_id': clickId, event_timestamp: '1764669600123', ...values }));
    expect((await branch({ name: 'INSTALL', id: '900001', 'user_data.developer_identity': 'u1' })).body.result).toBe('accepted');
    const bought = await branch({ name: 'PURCHASE', id: '900002', 'event_data.revenue': '5.00', 'event_data.currency': 'USD' });
    expect(bought.body.result).toBe('accepted');
    expect((await branch({ name: 'PURCHASE', id: '900002', 'event_data.revenue': '5.00', 'event_data.currency': 'USD' })).body.result).toBe(
      'duplicate',
    );
    // The same event sent again while the first is still in flight (a vendor whose 200 came too slowly): one conversion.
    const racing = await Promise.all(
      Array.from({ length: 5 }, () =>
        branch({ name: 'PURCHASE', id: '900004', 'event_data.revenue': '7.00', 'event_data.currency': 'USD' }),
      ),
    );
    expect(new Set(racing.map((r) => r.body.conversion_id)).size).toBe(1);
    expect(racing.filter((r) => r.body.result === 'accepted')).toHaveLength(1);
    const organic = await call(fill(url, { name: 'PURCHASE', id: '900003' }));
    expect(organic.body).toEqual({ result: 'logged', reason: 'no_click_id' });
    const docs = await settledConversions(clickId, 3);
    expect(docs.map((d) => d.goal)).toEqual(['install', 'purchase', 'purchase']);
  });

  it('Singular: {IS_RE_ENG}=1 is a re-engagement, counted on its goal and never as an install', async () => {
    const { aff, offer, integration } = await setupOffer('singular', {
      events: [{ event: 'purchase', goal: 'purchase' }],
      kind_goals: { reengagement: 'reengage' },
      link_base: 'https://shop.sng.link/Dq7b1/x2k9?pcid=postflow',
    });
    expect(integration.templates.tracking_link).toContain('cl={click_id}');
    const { clickId } = await clickThrough(offer.id, aff.id);
    const attribution = template(integration, 'install');
    const singular = (url: string, values: Record<string, string>) =>
      call(fill(url, { 'cl?postflow': clickId, AIFA: 'aifa-1', ...values }), '198.134.6.20');
    expect((await singular(attribution, { IS_RE_ENG: '0', UTCM: '1764669600' })).body.result).toBe('accepted');
    expect((await singular(attribution, { IS_RE_ENG: '1', UTCM: '1764769600' })).body.result).toBe('accepted');
    expect((await singular(template(integration, 'event'), { EVTNAME: 'purchase', AMOUNT: '20', UTCM: '1764769700' })).body.result).toBe(
      'accepted',
    );
    const docs = await settledConversions(clickId, 3);
    expect(docs.map((d) => d.goal)).toEqual(['install', 'reengage', 'purchase']);
  });

  it('Kochava: the install (_install), a postback per mapped event; out-of-window events logged; revenue in another currency', async () => {
    const { aff, offer, integration } = await setupOffer('kochava', {
      events: [
        { event: 'Purchase', goal: 'purchase' },
        { event: 'Subscribe', goal: 'subscribe' },
      ],
      post_install_window_hours: 24,
    });
    const { clickId } = await clickThrough(offer.id, aff.id);
    const install = template(integration, 'install');
    const eventUrl = (name: string) => integration.templates.postbacks.find((p) => p.for === `the event ${name}`)!.url;
    const kochava = (url: string, values: Record<string, string>) =>
      call(fill(url, { click_id: clickId, kochava_device_id: 'KA-1', ...values }));
    const now = Math.floor(Date.now() / 1000);
    expect((await kochava(install, { timestamp: String(now) })).body.result).toBe('accepted');
    const bought = await kochava(eventUrl('Purchase'), { event_value: '3.50', currency: 'USD', timestamp: String(now + 60) });
    expect(bought.body.result).toBe('accepted');
    const late = await kochava(eventUrl('Purchase'), { event_value: '3.50', timestamp: String(now + 3 * 86_400) });
    expect(late.body).toEqual({ result: 'logged', reason: 'out_of_window' });
    // Revenue in the user's currency, not the offer's: a fixed payout is still paid; a percent one cannot be.
    const subscribed = await kochava(eventUrl('Subscribe'), { event_value: '9.99', currency: 'EUR', timestamp: String(now + 120) });
    const boughtInEur = await kochava(eventUrl('Purchase'), { event_value: '4.00', currency: 'EUR', timestamp: String(now + 180) });
    expect([subscribed.body.result, boughtInEur.body.result]).toEqual(['accepted', 'accepted']);
    const docs = await settledConversions(clickId, 4);
    expect(docs.map((d) => [d.goal, d.status, d.payout_minor ?? null, d.reason_codes])).toEqual([
      ['install', 'approved', 200, []],
      ['purchase', 'approved', 35, []],
      ['subscribe', 'approved', 100, []],
      ['purchase', 'rejected', null, ['currency_mismatch']],
    ]);
  });
});

describe('integration settings and checks', () => {
  it('goals checked, one integration per vendor, vendor ranges as presets, token and vendor must match, the allowlist holds', async () => {
    const adv = await f.advertiser();
    const offer = await f.offer(adv.id, { goals, default_goal: 'install' });
    const bad = await f.admin('post', `/api/offers/${offer.id}/mmp`).send({ vendor: 'adjust', events: [{ event: 't1', goal: 'nope' }] });
    expect([bad.status, bad.body.issues?.[0]?.path]).toEqual([400, 'events.0.goal']);
    const branchPreset = await f.admin('post', `/api/offers/${offer.id}/mmp`).send({ vendor: 'branch', vendor_ip_ranges: true });
    expect([branchPreset.status, branchPreset.body.issues?.[0]?.path]).toEqual([400, 'vendor_ip_ranges']);
    const created = await f.admin('post', `/api/offers/${offer.id}/mmp`).send({ vendor: 'singular', vendor_ip_ranges: true });
    expect(created.status).toBe(201);
    expect(created.body.ip_allowlist).toEqual(['198.134.6.0/23']);
    expect((await f.admin('post', `/api/offers/${offer.id}/mmp`).send({ vendor: 'singular' })).status).toBe(409);

    const token = created.body.token as string;
    // Read later, the templates carry a placeholder: the token was shown once.
    const read = await f.admin('get', `/api/mmp/${created.body.id}`).expect(200);
    expect(read.body.templates.postbacks[0].url).toContain('token=%3Cintegration%20token%3E');
    expect(JSON.stringify(read.body)).not.toContain(token);

    const outside = await f
      .http()
      .get('/postback/mmp/singular')
      .query({ token, kind: 'install', click_id: 'clk_x' })
      .set('X-Forwarded-For', '203.0.113.9');
    expect([outside.status, outside.body.error]).toEqual([403, 'ip_not_allowed']);
    const wrongVendor = await f.http().get('/postback/mmp/adjust').query({ token, kind: 'install' });
    expect([wrongVendor.status, wrongVendor.body.error]).toEqual([401, 'invalid_token']);
    expect((await f.http().get('/postback/mmp/singular').query({ token: 'mmp_nope', kind: 'install' })).status).toBe(401);
    const unknownVendor = await f.http().get('/postback/mmp/tune').query({ token });
    expect([unknownVendor.status, unknownVendor.body.issues?.[0]?.path]).toEqual([400, 'vendor']);

    const patched = await f
      .admin('patch', `/api/mmp/${created.body.id}`)
      .send({ ip_allowlist: [], events: [{ event: 'purchase', goal: 'purchase' }] })
      .expect(200);
    expect(patched.body.events).toEqual([{ event: 'purchase', goal: 'purchase' }]);
    const noIdentity = await f.http().get('/postback/mmp/singular').query({ token, kind: 'event', click_id: 'clk_x', event: 'purchase' });
    expect(noIdentity.status).toBe(200); // an unknown click: logged before any identity is needed
    expect(noIdentity.body).toEqual({ result: 'logged', reason: 'unknown_click' });
    expect(request).toBeDefined();
  });
});
