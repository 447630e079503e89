import type request from 'supertest';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';

/**
 * The configuration API under /api (advertisers, affiliates, offers) and GET /click, through
 * the real app against real MongoDB and Temporal servers.
 */

const { stack, f } = useTestStack('admin');

interface Issue {
  path: string;
  code: string;
  message: string;
}

/** A 400 `invalid_request` whose issues name `path`. */
function expectInvalid(res: request.Response, path: string) {
  expect({ status: res.status, error: res.body.error }).toEqual({ status: 400, error: 'invalid_request' });
  expect(typeof res.body.message).toBe('string');
  expect((res.body.issues as Issue[]).map((i) => i.path)).toContain(path);
}

/** Every value anywhere inside a document, as strings (for "no field equals the token"). */
function allStrings(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  if (Array.isArray(value)) return value.flatMap(allStrings);
  if (value && typeof value === 'object' && !(value instanceof Date)) return Object.values(value).flatMap(allStrings);
  return [];
}

const goal = (key: string, extra: Record<string, unknown> = {}) => ({
  key,
  payout: { type: 'fixed', amount: '5.00' },
  revenue: { type: 'fixed', amount: '8.00' },
  ...extra,
});

describe('admin authentication', () => {
  const routes = ['/api/advertisers', '/api/affiliates', '/api/offers', '/api/conversions', '/api/advertisers/adv_x'];

  it.each([
    ['no Authorization header', undefined],
    ['a wrong key', `Bearer ${TEST_ADMIN_KEY}-wrong`],
    ['an empty Bearer', 'Bearer '],
    ['the right key with the Basic scheme', `Basic ${Buffer.from(`admin:${TEST_ADMIN_KEY}`).toString('base64')}`],
    ['the bare key without a scheme', TEST_ADMIN_KEY],
    ['a Token scheme', `Token ${TEST_ADMIN_KEY}`],
  ])('%s → 401 unauthorized with WWW-Authenticate: Bearer', async (_name, header) => {
    for (const path of routes) {
      const req = f.http().get(path);
      const res = header === undefined ? await req : await req.set('Authorization', header);
      expect({ path, status: res.status, error: res.body.error }).toEqual({ path, status: 401, error: 'unauthorized' });
      expect(res.headers['www-authenticate']).toBe('Bearer');
      expect(typeof res.body.message).toBe('string');
      expect(res.text).not.toContain(TEST_ADMIN_KEY);
    }
  });

  it('refuses writes without the key and stores nothing', async () => {
    const before = await stack.models.Advertiser.countDocuments();
    const res = await f.http().post('/api/advertisers').send({ name: 'Sneaky' });
    expect([res.status, res.body.error]).toEqual([401, 'unauthorized']);
    const patch = await f.http().patch('/api/affiliates/aff_x').set('Authorization', 'Bearer nope-nope-nope-nope').send({ name: 'x' });
    expect([patch.status, patch.body.error]).toEqual([401, 'unauthorized']);
    expect(await stack.models.Advertiser.countDocuments()).toBe(before);
  });

  it('accepts the right key (case-insensitive scheme)', async () => {
    expect((await f.admin('get', '/api/advertisers')).status).toBe(200);
    expect((await f.http().get('/api/advertisers').set('Authorization', `bearer ${TEST_ADMIN_KEY}`)).status).toBe(200);
  });
});

describe('advertisers', () => {
  it('POST → 201 with an id and a postback token shown once; reads never show the token or its hash', async () => {
    const res = await f.admin('post', '/api/advertisers').send({ name: 'Shop Inc', ip_allowlist: ['203.0.113.0/24', '2001:db8::1'] });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Shop Inc', ip_allowlist: ['203.0.113.0/24', '2001:db8::1'], active: true });
    expect(res.body.id).toMatch(/^adv_/);
    const token: string = res.body.postback_token;
    expect(token).toMatch(/^pt_.{20,}$/);
    expect(res.body).not.toHaveProperty('postback_token_hash');
    expect(res.body).not.toHaveProperty('_id');

    const one = await f.admin('get', `/api/advertisers/${res.body.id}`);
    expect(one.status).toBe(200);
    expect(one.body).toMatchObject({ id: res.body.id, name: 'Shop Inc', active: true });
    const list = await f.admin('get', '/api/advertisers').query({ limit: 500 });
    expect(list.status).toBe(200);
    expect((list.body.data as { id: string }[]).map((a) => a.id)).toContain(res.body.id);
    for (const read of [one, list]) {
      expect(read.text).not.toContain(token);
      expect(read.text).not.toContain('postback_token');
    }

    // Stored: only a digest, no field anywhere equal to (or containing) the token.
    const doc = await stack.models.Advertiser.findById(res.body.id).lean();
    expect(doc).not.toBeNull();
    expect(doc).not.toHaveProperty('postback_token');
    expect(doc!.postback_token_hash).toMatch(/^[0-9a-f]{64}$/);
    for (const value of allStrings(doc)) expect(value).not.toContain(token);

    // The hash does not leak through the other responses either.
    const patched = await f.admin('patch', `/api/advertisers/${res.body.id}`).send({ name: 'Shop Inc.' });
    const deleted = await f.admin('delete', `/api/advertisers/${res.body.id}`);
    for (const r of [one, list, patched, deleted]) {
      expect(r.text).not.toContain(doc!.postback_token_hash);
      expect(r.text).not.toContain(token);
    }
  });

  it('each advertiser gets its own token', async () => {
    const a = await f.advertiser();
    const b = await f.advertiser();
    expect(a.postback_token).not.toBe(b.postback_token);
  });

  it('PATCH changes name and ip_allowlist and nothing else', async () => {
    const adv = await f.advertiser({ name: 'Before', ip_allowlist: ['198.51.100.0/24'] });
    const hashBefore = (await stack.models.Advertiser.findById(adv.id).lean())!.postback_token_hash;
    const res = await f.admin('patch', `/api/advertisers/${adv.id}`).send({ name: 'After', ip_allowlist: ['192.0.2.1', '10.0.0.0/8'] });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({
      id: adv.id,
      name: 'After',
      ip_allowlist: ['192.0.2.1', '10.0.0.0/8'],
      active: true,
    });
    const got = await f.admin('get', `/api/advertisers/${adv.id}`);
    expect(got.body).toMatchObject({ name: 'After', ip_allowlist: ['192.0.2.1', '10.0.0.0/8'] });
    expect((await stack.models.Advertiser.findById(adv.id).lean())!.postback_token_hash).toBe(hashBefore);
  });

  // Regression guard: a partial PATCH must not reset the fields it does not name to their
  // defaults. Renaming an advertiser must not silently drop its IP allowlist (a security control).
  it('PATCH of the name alone keeps the ip_allowlist', async () => {
    const adv = await f.advertiser({ name: 'Locked down', ip_allowlist: ['192.0.2.1', '10.0.0.0/8'] });
    const res = await f.admin('patch', `/api/advertisers/${adv.id}`).send({ name: 'Renamed' });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: 'Renamed', ip_allowlist: ['192.0.2.1', '10.0.0.0/8'] });
    expect(await stack.models.Advertiser.findById(adv.id).lean()).toMatchObject({
      name: 'Renamed',
      ip_allowlist: ['192.0.2.1', '10.0.0.0/8'],
    });
    const deactivate = await f.admin('patch', `/api/advertisers/${adv.id}`).send({ active: false });
    expect(deactivate.body).toMatchObject({
      name: 'Renamed',
      active: false,
      ip_allowlist: ['192.0.2.1', '10.0.0.0/8'],
    });
  });

  it('an invalid CIDR → 400 naming ip_allowlist.<index>, on create and on PATCH', async () => {
    const create = await f.admin('post', '/api/advertisers').send({ name: 'X', ip_allowlist: ['300.1.1.0/24'] });
    expectInvalid(create, 'ip_allowlist.0');
    const adv = await f.advertiser({ ip_allowlist: ['203.0.113.0/24'] });
    for (const bad of ['10.0.0.0/33', 'not-an-ip', '1.2.3.4/', '']) {
      const res = await f.admin('patch', `/api/advertisers/${adv.id}`).send({ ip_allowlist: [bad] });
      expectInvalid(res, 'ip_allowlist.0');
    }
    const second = await f.admin('patch', `/api/advertisers/${adv.id}`).send({ ip_allowlist: ['203.0.113.0/24', 'bogus'] });
    expectInvalid(second, 'ip_allowlist.1');
    expect((await f.admin('get', `/api/advertisers/${adv.id}`)).body.ip_allowlist).toEqual(['203.0.113.0/24']);
  });

  // The postback check reads entries as domain/ip.ts does; these forms it does not read, so
  // storing one would silently admit nothing (or, read as octal, the wrong network).
  it.each(['127.1', '2130706433', '0x7f.0.0.1', '127.1/8', '::ffff:127.1'])('the shorthand entry %j → 400', async (entry) => {
    expectInvalid(await f.admin('post', '/api/advertisers').send({ name: 'X', ip_allowlist: [entry] }), 'ip_allowlist.0');
  });

  it('unknown fields in PATCH → 400; the token hash and id cannot be written', async () => {
    const adv = await f.advertiser({ name: 'Keep' });
    const stored = await stack.models.Advertiser.findById(adv.id).lean();
    for (const body of [
      { foo: 1 },
      { name: 'x', postback_token_hash: 'a'.repeat(64) },
      { postback_token: 'pt_mine' },
      { _id: 'adv_other' },
      { id: 'adv_other' },
    ]) {
      const res = await f.admin('patch', `/api/advertisers/${adv.id}`).send(body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({
        body,
        status: 400,
        error: 'invalid_request',
      });
    }
    expect(await stack.models.Advertiser.findById(adv.id).lean()).toEqual(stored);
  });

  // Responses are built by allow-list (api/serialize.ts): a stored field no response names stays
  // in, whatever it is called, so a secret added to a model later cannot leak by default.
  it('reads and lists show only the fields they name, not every stored one', async () => {
    const adv = await f.advertiser({ name: 'Fields' });
    const planted = { api_key: 'planted-secret-1', internal_note: 'planted-secret-2' };
    await stack.models.Advertiser.collection.updateOne({ _id: adv.id } as never, { $set: planted });
    const read = await f.admin('get', `/api/advertisers/${adv.id}`);
    const list = await f.admin('get', '/api/advertisers').query({ limit: 500 });
    for (const text of [read.text, list.text]) {
      expect(text).toContain(adv.id);
      expect(text).not.toMatch(/planted-secret|postback_token_hash/);
    }
    expect(Object.keys(read.body).sort()).toEqual(['active', 'created_at', 'id', 'ip_allowlist', 'name', 'updated_at']);
  });

  it('an empty name, or a non-string name, is refused', async () => {
    expectInvalid(await f.admin('post', '/api/advertisers').send({ name: '   ' }), 'name');
    expectInvalid(await f.admin('post', '/api/advertisers').send({}), 'name');
    expectInvalid(await f.admin('post', '/api/advertisers').send({ name: 42 }), 'name');
  });

  it('DELETE deactivates (200, active:false) and keeps the document', async () => {
    const adv = await f.advertiser();
    const res = await f.admin('delete', `/api/advertisers/${adv.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: adv.id, active: false });
    expect(res.text).not.toContain(adv.postback_token);
    const doc = await stack.models.Advertiser.findById(adv.id).lean();
    expect(doc).toMatchObject({ _id: adv.id, active: false });
    expect((await f.admin('get', `/api/advertisers/${adv.id}`)).body.active).toBe(false);
    // Deactivated advertisers can be filtered out of the list.
    const active = await f.admin('get', '/api/advertisers').query({ active: 'true', limit: 500 });
    expect((active.body.data as { id: string }[]).map((a) => a.id)).not.toContain(adv.id);
    const inactive = await f.admin('get', '/api/advertisers').query({ active: 'false', limit: 500 });
    expect((inactive.body.data as { id: string }[]).map((a) => a.id)).toContain(adv.id);
  });

  it('unknown id → 404 not_found on GET, PATCH and DELETE', async () => {
    for (const [method, send] of [
      ['get', undefined],
      ['patch', { name: 'x' }],
      ['delete', undefined],
    ] as const) {
      const req = f.admin(method, '/api/advertisers/adv_doesnotexist');
      const res = send ? await req.send(send) : await req;
      expect({ method, status: res.status, error: res.body.error }).toEqual({
        method,
        status: 404,
        error: 'not_found',
      });
      expect(res.body.message).toContain('adv_doesnotexist');
    }
  });
});

describe('affiliates', () => {
  it('create and read', async () => {
    const res = await f.admin('post', '/api/affiliates').send({ name: 'Partner One' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'Partner One', active: true });
    expect(res.body.id).toMatch(/^aff_/);
    const got = await f.admin('get', `/api/affiliates/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
    expectInvalid(await f.admin('post', '/api/affiliates').send({}), 'name');
    expect((await f.admin('get', '/api/affiliates/aff_nope')).body.error).toBe('not_found');
  });

  it('lists with limit/offset/next_offset, in a stable order, every affiliate exactly once', async () => {
    const mine = [];
    for (let i = 0; i < 7; i++) mine.push((await f.affiliate({ name: `Paged ${i}` })).id);
    const total = await stack.models.Affiliate.countDocuments();

    const seen: string[] = [];
    let offset: number | null = 0;
    let pages = 0;
    while (offset !== null) {
      const res = await f.admin('get', '/api/affiliates').query({ limit: 3, offset });
      expect(res.status).toBe(200);
      const ids = (res.body.data as { id: string }[]).map((a) => a.id);
      expect(ids.length).toBeLessThanOrEqual(3);
      seen.push(...ids);
      if (res.body.next_offset !== null) {
        expect(ids).toHaveLength(3);
        expect(res.body.next_offset).toBe(offset + 3);
      }
      offset = res.body.next_offset;
      pages++;
      expect(pages).toBeLessThan(100);
    }
    expect(seen).toHaveLength(total);
    expect(new Set(seen).size).toBe(total);
    expect([...seen].sort()).toEqual(seen);
    for (const id of mine) expect(seen).toContain(id);

    // The default page and a page past the end.
    const all = await f.admin('get', '/api/affiliates');
    expect(all.body.data.length).toBe(Math.min(total, 50));
    const past = await f.admin('get', '/api/affiliates').query({ offset: total + 10 });
    expect(past.body).toEqual({ data: [], next_offset: null });
  });

  it.each([
    ['limit=0', 'limit', { limit: '0' }],
    ['limit=501', 'limit', { limit: '501' }],
    ['limit=abc', 'limit', { limit: 'abc' }],
    ['limit=2.5', 'limit', { limit: '2.5' }],
    ['offset=-1', 'offset', { offset: '-1' }],
  ])('bad paging %s → 400 naming %s', async (_name, path, query) => {
    expectInvalid(await f.admin('get', '/api/affiliates').query(query), path);
  });

  it('PATCH renames; unknown fields → 400; DELETE deactivates and keeps the document', async () => {
    const aff = await f.affiliate({ name: 'Old' });
    const patched = await f.admin('patch', `/api/affiliates/${aff.id}`).send({ name: 'New' });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: aff.id, name: 'New', active: true });
    const unknown = await f.admin('patch', `/api/affiliates/${aff.id}`).send({ name: 'x', payout: 100 });
    expect([unknown.status, unknown.body.error]).toEqual([400, 'invalid_request']);
    expect((await f.admin('get', `/api/affiliates/${aff.id}`)).body.name).toBe('New');

    const deleted = await f.admin('delete', `/api/affiliates/${aff.id}`);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toMatchObject({ id: aff.id, name: 'New', active: false });
    expect(await stack.models.Affiliate.findById(aff.id).lean()).toMatchObject({ active: false });
    // Reactivation is a PATCH.
    const again = await f.admin('patch', `/api/affiliates/${aff.id}`).send({ active: true });
    expect(again.body.active).toBe(true);
  });
});

describe('offers', () => {
  let advertiserId: string;
  beforeAll(async () => {
    advertiserId = (await f.advertiser({ name: 'Offer owner' })).id;
  });

  const validOffer = (extra: Record<string, unknown> = {}) => ({
    advertiser_id: advertiserId,
    name: 'Summer sale',
    url: 'https://shop.example/land?cid={click_id}&aff={aff_id}&s1={sub1}',
    currency: 'EUR',
    default_goal: 'sale',
    goals: [goal('sale'), goal('lead', { allow_multiple: true, default_status: 'pending' })],
    caps: [
      { goal: 'sale', metric: 'conversions', period: 'day', limit: '100', timezone: 'Europe/Berlin' },
      { metric: 'payout', period: 'month', limit: '1000.50', per_affiliate: true, on_exceed: 'hold' },
    ],
    fraud: { min_seconds_to_convert: 5, max_seconds_to_convert: 86400 },
    ...extra,
  });

  it('POST a valid offer → 201 with defaults filled and caps given ids', async () => {
    const res = await f.admin('post', '/api/offers').send(validOffer());
    expect(res.status).toBe(201);
    expect(res.body.id).toMatch(/^off_/);
    expect(res.body).toMatchObject({
      advertiser_id: advertiserId,
      name: 'Summer sale',
      currency: 'EUR',
      default_goal: 'sale',
      attribution_window_hours: 720,
      active: true,
      fraud: { min_seconds_to_convert: 5, max_seconds_to_convert: 86400, action: 'reject' },
      affiliate_overrides: [],
    });
    expect(res.body.goals).toEqual([
      { ...goal('sale'), default_status: 'approved', allow_multiple: false },
      { ...goal('lead'), default_status: 'pending', allow_multiple: true },
    ]);
    expect(res.body.caps).toEqual([
      {
        id: 'conversions:day:sale:offer:Europe/Berlin',
        goal: 'sale',
        metric: 'conversions',
        period: 'day',
        limit: '100',
        per_affiliate: false,
        timezone: 'Europe/Berlin',
        on_exceed: 'reject',
      },
      {
        id: 'payout:month:*:affiliate:UTC',
        metric: 'payout',
        period: 'month',
        limit: '1000.50',
        per_affiliate: true,
        timezone: 'UTC',
        on_exceed: 'hold',
      },
    ]);
    const got = await f.admin('get', `/api/offers/${res.body.id}`);
    expect(got.status).toBe(200);
    expect(got.body).toEqual(res.body);
  });

  // api/schemas/common.ts refines currencyCode with "is not an ISO 4217 currency code", but
  // Intl.NumberFormat accepts any well-formed three-letter code, so that check never fails.
  it('a well-formed but non-ISO 4217 currency (QQQ) → 400 naming currency', async () => {
    const before = await stack.models.Offer.countDocuments();
    expectInvalid(await f.admin('post', '/api/offers').send(validOffer({ currency: 'QQQ' })), 'currency');
    expect(await stack.models.Offer.countDocuments()).toBe(before);
  });

  it('lowercase currency is normalised', async () => {
    const res = await f.admin('post', '/api/offers').send(validOffer({ currency: 'usd' }));
    expect([res.status, res.body.currency]).toEqual([201, 'USD']);
  });

  it.each<[string, string, () => Record<string, unknown>]>([
    ['unknown advertiser_id', 'advertiser_id', () => validOffer({ advertiser_id: 'adv_doesnotexist' })],
    ['default_goal not among the goals', 'default_goal', () => validOffer({ default_goal: 'install' })],
    ['duplicate goal keys', 'goals.1.key', () => validOffer({ goals: [goal('sale'), goal('sale')], caps: [] })],
    [
      'a cap with an unknown goal',
      'caps.0.goal',
      () => validOffer({ caps: [{ goal: 'install', metric: 'conversions', period: 'day', limit: '5' }] }),
    ],
    [
      'a conversions cap with a fractional limit',
      'caps.0.limit',
      () => validOffer({ caps: [{ metric: 'conversions', period: 'week', limit: '10.5' }] }),
    ],
    [
      'a bad cap time zone',
      'caps.0.timezone',
      () => validOffer({ caps: [{ metric: 'conversions', period: 'day', limit: '5', timezone: 'Mars/Olympus_Mons' }] }),
    ],
    ['an unknown URL macro {foo}', 'url', () => validOffer({ url: 'https://shop.example/?cid={click_id}&x={foo}' })],
    ['a non-http URL', 'url', () => validOffer({ url: 'ftp://shop.example/land?cid={click_id}' })],
    ['a javascript: URL', 'url', () => validOffer({ url: 'javascript:alert(1)' })],
    ['a relative URL', 'url', () => validOffer({ url: '/land?cid={click_id}' })],
    ['currency XXXX', 'currency', () => validOffer({ currency: 'XXXX' })],
    ['currency 12', 'currency', () => validOffer({ currency: '12' })],
    [
      'min_seconds_to_convert >= max_seconds_to_convert',
      'fraud.min_seconds_to_convert',
      () => validOffer({ fraud: { min_seconds_to_convert: 60, max_seconds_to_convert: 60 } }),
    ],
    ['no goals', 'goals', () => validOffer({ goals: [], caps: [] })],
    [
      'a negative payout',
      'goals.0.payout.amount',
      () => validOffer({ goals: [goal('sale', { payout: { type: 'fixed', amount: '-1' } })], caps: [] }),
    ],
    [
      'an unknown payout type',
      'goals.0.payout.type',
      () => validOffer({ goals: [goal('sale', { payout: { type: 'cpm', amount: '1' } })], caps: [] }),
    ],
    [
      'an override for an unknown goal',
      'affiliate_overrides.0.goal',
      () =>
        validOffer({
          affiliate_overrides: [{ affiliate_id: 'aff_x', goal: 'install', payout: { type: 'fixed', amount: '1' } }],
        }),
    ],
    [
      'two caps counting the same thing',
      'caps.1',
      () =>
        validOffer({
          caps: [
            { metric: 'conversions', period: 'day', limit: '5' },
            { metric: 'conversions', period: 'day', limit: '9' },
          ],
        }),
    ],
    ['a missing name', 'name', () => validOffer({ name: undefined })],
  ])('%s → 400 naming %s; nothing stored', async (_name, path, body) => {
    const before = await stack.models.Offer.countDocuments();
    expectInvalid(await f.admin('post', '/api/offers').send(body()), path);
    expect(await stack.models.Offer.countDocuments()).toBe(before);
  });

  it('PATCH of the name keeps goals, caps, fraud and everything else (no reset to defaults)', async () => {
    const created = await f.admin('post', '/api/offers').send(
      validOffer({
        attribution_window_hours: 48,
        affiliate_overrides: [{ affiliate_id: 'aff_vip', goal: 'sale', payout: { type: 'percent', amount: '12.5' } }],
      }),
    );
    expect(created.status).toBe(201);
    const patched = await f.admin('patch', `/api/offers/${created.body.id}`).send({ name: 'Winter sale' });
    expect(patched.status).toBe(200);
    const got = await f.admin('get', `/api/offers/${created.body.id}`);
    for (const view of [patched.body, got.body]) {
      const { name, updated_at: _u, ...rest } = view;
      const { name: _n, updated_at: _u2, ...original } = created.body;
      expect(name).toBe('Winter sale');
      expect(rest).toEqual(original);
    }
  });

  it('PATCH replacing goals and caps validates the merged offer and recomputes cap ids', async () => {
    const created = await f.admin('post', '/api/offers').send(validOffer());
    const res = await f.admin('patch', `/api/offers/${created.body.id}`).send({
      goals: [goal('sale'), goal('lead')],
      caps: [{ goal: 'lead', metric: 'conversions', period: 'total', limit: '3' }],
    });
    expect(res.status).toBe(200);
    expect(res.body.caps).toEqual([
      {
        id: 'conversions:total:lead:offer:UTC',
        goal: 'lead',
        metric: 'conversions',
        period: 'total',
        limit: '3',
        per_affiliate: false,
        timezone: 'UTC',
        on_exceed: 'reject',
      },
    ]);
    expect(res.body.name).toBe('Summer sale');
  });

  it('a PATCH that would make the offer invalid → 400, and the stored offer is unchanged', async () => {
    const created = await f.admin('post', '/api/offers').send(validOffer());
    const stored = await stack.models.Offer.findById(created.body.id).lean();
    const cases: [Record<string, unknown>, string][] = [
      [{ default_goal: 'install' }, 'default_goal'],
      [{ goals: [goal('lead')] }, 'default_goal'], // removes the default goal (and the cap's goal)
      [{ caps: [{ goal: 'nope', metric: 'conversions', period: 'day', limit: '1' }] }, 'caps.0.goal'],
      [{ url: 'https://shop.example/?x={bar}' }, 'url'],
      [{ currency: 'XXXX' }, 'currency'],
      [{ name: '' }, 'name'],
    ];
    for (const [body, path] of cases) expectInvalid(await f.admin('patch', `/api/offers/${created.body.id}`).send(body), path);
    expect(await stack.models.Offer.findById(created.body.id).lean()).toEqual(stored);
  });

  it('PATCH of advertiser_id, of unknown fields or of ids → 400; unknown offer → 404', async () => {
    const created = await f.admin('post', '/api/offers').send(validOffer());
    const stored = await stack.models.Offer.findById(created.body.id).lean();
    const other = await f.advertiser({ name: 'Other owner' });
    for (const body of [
      { advertiser_id: other.id },
      { bogus: true },
      { _id: 'off_x' },
      { id: 'off_x' },
      { created_at: '2020-01-01T00:00:00Z' },
    ]) {
      const res = await f.admin('patch', `/api/offers/${created.body.id}`).send(body);
      expect({ body, status: res.status, error: res.body.error }).toEqual({
        body,
        status: 400,
        error: 'invalid_request',
      });
    }
    expect(await stack.models.Offer.findById(created.body.id).lean()).toEqual(stored);
    const missing = await f.admin('patch', '/api/offers/off_doesnotexist').send({ name: 'x' });
    expect([missing.status, missing.body.error]).toEqual([404, 'not_found']);
  });

  it('lists offers filtered by advertiser_id', async () => {
    const a = await f.advertiser({ name: 'A' });
    const b = await f.advertiser({ name: 'B' });
    const a1 = await f.offer(a.id, { name: 'A1' });
    const a2 = await f.offer(a.id, { name: 'A2' });
    const b1 = await f.offer(b.id, { name: 'B1' });
    const listA = await f.admin('get', '/api/offers').query({ advertiser_id: a.id });
    expect(listA.status).toBe(200);
    expect((listA.body.data as { id: string }[]).map((o) => o.id).sort()).toEqual([a1.id, a2.id].sort());
    expect(listA.body.next_offset).toBeNull();
    const listB = await f.admin('get', '/api/offers').query({ advertiser_id: b.id });
    expect((listB.body.data as { id: string }[]).map((o) => o.id)).toEqual([b1.id]);
    const none = await f.admin('get', '/api/offers').query({ advertiser_id: 'adv_nobody' });
    expect(none.body).toEqual({ data: [], next_offset: null });
    const paged = await f.admin('get', '/api/offers').query({ advertiser_id: a.id, limit: 1 });
    expect(paged.body.data).toHaveLength(1);
    expect(paged.body.next_offset).toBe(1);
  });

  it('DELETE deactivates the offer and keeps it', async () => {
    const offer = await f.offer(advertiserId);
    const res = await f.admin('delete', `/api/offers/${offer.id}`);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: offer.id, active: false, goals: offer.goals });
    expect(await stack.models.Offer.findById(offer.id).lean()).toMatchObject({ active: false });
  });
});

describe('GET /click', () => {
  it('302 to the offer URL with macros URL-encoded, and a click stored with IP and user agent', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id, {
      url: 'https://shop.example/land?cid={click_id}&o={offer_id}&a={aff_id}&s1={sub1}&s2={sub2}&s5={sub5}',
    });
    const res = await f
      .http()
      .get('/click')
      .query({ offer_id: offer.id, aff_id: aff.id, sub1: 'a b&c', sub2: 'ü/?#=' })
      .set('X-Forwarded-For', '198.51.100.23')
      .set('User-Agent', 'TestAgent/1.0 (integration)');
    expect(res.status).toBe(302);
    expect(res.headers['cache-control']).toBe('no-store');
    const location: string = res.headers.location!;
    const clickId = new URL(location).searchParams.get('cid')!;
    expect(clickId).toMatch(/^clk_/);
    expect(location).toBe(`https://shop.example/land?cid=${clickId}&o=${offer.id}&a=${aff.id}&s1=a%20b%26c&s2=%C3%BC%2F%3F%23%3D&s5=`);

    const click = await stack.models.Click.findById(clickId).lean();
    expect(click).toMatchObject({
      _id: clickId,
      offer_id: offer.id,
      affiliate_id: aff.id,
      advertiser_id: adv.id,
      subs: { sub1: 'a b&c', sub2: 'ü/?#=' },
      ip: '198.51.100.23',
      user_agent: 'TestAgent/1.0 (integration)',
    });
    expect(click!.created_at).toBeInstanceOf(Date);
  });

  // Since trafficback (README "Trafficback"), such clicks are recorded with their reason; with no
  // target configured anywhere they still answer 404, the reason as the error.
  const unknownOrDeactivated =
    'unknown or paused offer, unknown or deactivated affiliate → 404 with the trafficback reason; recorded with it, nothing else stored';
  it(unknownOrDeactivated, async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id);
    const before = await stack.models.Click.countDocuments({ trafficback: { $exists: false } });

    const unknown = await f.http().get('/click').query({ offer_id: 'off_doesnotexist', aff_id: aff.id });
    expect([unknown.status, unknown.body.error]).toEqual([404, 'offer_unknown']);
    const unknownAff = await f.http().get('/click').query({ offer_id: offer.id, aff_id: 'aff_doesnotexist' });
    expect([unknownAff.status, unknownAff.body.error]).toEqual([404, 'affiliate_unknown']);

    const inactiveAff = await f.affiliate();
    await f.admin('delete', `/api/affiliates/${inactiveAff.id}`).expect(200);
    const deactivatedAff = await f.http().get('/click').query({ offer_id: offer.id, aff_id: inactiveAff.id });
    expect([deactivatedAff.status, deactivatedAff.body.error]).toEqual([404, 'affiliate_inactive']);

    await f.admin('delete', `/api/offers/${offer.id}`).expect(200);
    const deactivated = await f.http().get('/click').query({ offer_id: offer.id, aff_id: aff.id });
    expect([deactivated.status, deactivated.body.error]).toEqual([404, 'offer_paused']);
    expect(typeof deactivated.body.message).toBe('string');

    expect(await stack.models.Click.countDocuments({ trafficback: { $exists: false } })).toBe(before);
    const recorded = await stack.models.Click.find({ trafficback: { $exists: true } }, { 'trafficback.reason': 1 }).lean();
    expect(recorded.map((c) => (c.trafficback as { reason: string }).reason).sort()).toEqual([
      'affiliate_inactive',
      'affiliate_unknown',
      'offer_paused',
      'offer_unknown',
    ]);
  });

  // A macro in the URL's host lets the click's sub id decide the host. The rendered URL must
  // still never make GET /click answer 5xx: either the offer is refused at creation, or the
  // click is refused with a 4xx (or redirected) when the sub id is not a valid host label.
  it('an offer URL with a macro in its host never makes /click answer 5xx', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const created = await f.admin('post', '/api/offers').send({
      advertiser_id: adv.id,
      name: 'Host macro',
      url: 'https://{sub1}.shop.example/land?cid={click_id}',
      currency: 'USD',
      default_goal: 'sale',
      goals: [goal('sale')],
    });
    if (created.status === 400) {
      expectInvalid(created, 'url');
      return;
    }
    expect(created.status).toBe(201);
    for (const sub1 of ['a b', '%', 'x/y', '', 'a'.repeat(300)]) {
      const res = await f.http().get('/click').query({ offer_id: created.body.id, aff_id: aff.id, sub1 });
      expect({ sub1, status: res.status, body: res.body }).toEqual({
        sub1,
        status: res.status < 500 ? res.status : 'a status below 500',
        body: res.body,
      });
    }
  });

  it('missing offer_id or aff_id → 400; a repeated sub1 → 400; nothing stored', async () => {
    const adv = await f.advertiser();
    const aff = await f.affiliate();
    const offer = await f.offer(adv.id);
    const before = await stack.models.Click.countDocuments();

    expectInvalid(await f.http().get('/click').query({ aff_id: aff.id }), 'offer_id');
    expectInvalid(await f.http().get('/click').query({ offer_id: offer.id }), 'aff_id');
    const repeated = await f.http().get(`/click?offer_id=${offer.id}&aff_id=${aff.id}&sub1=a&sub1=b`);
    expectInvalid(repeated, 'sub1');
    expect(repeated.body.message).toContain('once');
    expectInvalid(await f.http().get(`/click?offer_id=${offer.id}&offer_id=${offer.id}&aff_id=${aff.id}`), 'offer_id');
    expectInvalid(
      await f
        .http()
        .get('/click')
        .query({ offer_id: offer.id, aff_id: aff.id, sub3: 'x'.repeat(501) }),
      'sub3',
    );

    expect(await stack.models.Click.countDocuments()).toBe(before);
  });
});
