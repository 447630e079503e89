import { useTestStack } from '../support/preamble';

/** /api/subscriptions: validation at save, the secret shown once, the scope of an affiliate's own key. */
const { stack, f } = useTestStack('subscriptions_api');

let affA = '';
let affB = '';
let keyA = '';
const asA = (method: 'get' | 'post' | 'patch' | 'delete', path: string) => f.http()[method](path).set('Authorization', `Bearer ${keyA}`);
const receiver = 'https://crm.example/hooks/postflow';

beforeAll(async () => {
  affA = (await f.affiliate({ name: 'Aff A' })).id;
  affB = (await f.affiliate({ name: 'Aff B' })).id;
  const minted = await f.admin('post', '/api/keys').send({ name: 'subs', principal: `affiliate:${affA}` });
  expect(minted.status).toBe(201);
  keyA = minted.body.key;
});

describe('creating a subscription', () => {
  it('answers its Standard Webhooks secret once, and never again', async () => {
    const res = await f.admin('post', '/api/subscriptions').send({
      url: receiver,
      event_types: ['conversion.status_changed'],
      filter: { offer_id: 'off_1', status: { in: ['approved', 'reversed'] } },
      fields: ['offer_id', 'status'],
      headers: { 'X-CRM-Account': '42', Authorization: 'Bearer crm-token' },
      strict_order: true,
    });
    expect(res.status).toBe(201);
    expect(res.body.signing_secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      event_types: ['conversion.status_changed'],
      filter: { offer_id: 'off_1', status: { in: ['approved', 'reversed'] } },
      fields: ['offer_id', 'status'],
      strict_order: true,
      affiliate_id: null,
      active: true,
      paused: false,
      // Stored lower-case; a secret-named header's value is not shown again.
      headers: { 'x-crm-account': '42', authorization: '***' },
    });
    const read = await f.admin('get', `/api/subscriptions/${res.body.id}`);
    expect(read.status).toBe(200);
    expect(JSON.stringify(read.body)).not.toContain(res.body.signing_secret);
    expect(JSON.stringify(read.body)).not.toContain('crm-token');
    expect(read.body.signing_secret).toBeUndefined();
    const stored = await stack.models.Subscription.findById(res.body.id).lean();
    expect(stored).toMatchObject({ signing_secret: res.body.signing_secret, headers: { authorization: 'Bearer crm-token' } });
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an unknown filter operator', { filter: { payout: { gtt: 5 } } }, 'filter.payout'],
    ['a filter deep inside any', { filter: { any: [{ status: 'approved' }, { payout: { gte: 'lots' } }] } }, 'filter.any.1.payout.gte'],
    ['an event type no catalogue has', { event_types: ['conversion.created', 'conversion.creatd'] }, 'event_types.1'],
    ['a malformed pattern', { event_types: ['conversion*'] }, 'event_types.0'],
    ['a hop-by-hop header', { headers: { Connection: 'close' } }, 'headers.Connection'],
    ['a signature header', { headers: { 'webhook-signature': 'v1,forged' } }, 'headers.webhook-signature'],
    ['our own header namespace', { headers: { 'X-Postflow-Test': '1' } }, 'headers.X-Postflow-Test'],
    ['a bad field path', { fields: ['Payout'] }, 'fields.0'],
    ['a URL that is not http', { url: 'ftp://crm.example/x' }, 'url'],
    ['an unknown affiliate scope', { affiliate_id: 'aff_missing' }, 'affiliate_id'],
  ])('refuses %s with a 400 naming the path', async (_name, change, path) => {
    const res = await f.admin('post', '/api/subscriptions').send({ url: receiver, event_types: ['*'], ...change });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path)).toContain(path);
    expect(res.body.message).toContain(path);
  });
});

describe('changing a subscription', () => {
  let id = '';
  let secret = '';
  beforeAll(async () => {
    const res = await f.admin('post', '/api/subscriptions').send({ url: receiver, event_types: ['conversion.*'], fields: ['status'] });
    ({ id, signing_secret: secret } = res.body);
  });

  it('updates, validating as at creation', async () => {
    const res = await f.admin('patch', `/api/subscriptions/${id}`).send({ filter: { payout: { gte: 5 } }, fields: null });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ filter: { payout: { gte: 5 } }, fields: null });
    const bad = await f.admin('patch', `/api/subscriptions/${id}`).send({ filter: { payout: { between: 1 } } });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('filter.payout');
  });

  it('pauses until resumed', async () => {
    const paused = await f.admin('post', `/api/subscriptions/${id}/pause`);
    expect(paused.body).toMatchObject({ paused: true });
    expect(paused.body.paused_at).toEqual(expect.any(String));
    const resumed = await f.admin('post', `/api/subscriptions/${id}/resume`);
    expect(resumed.body).toMatchObject({ paused: false, paused_at: null });
  });

  it('rotates its secret, the old one signing on for the overlap', async () => {
    const res = await f.admin('post', `/api/subscriptions/${id}/secret/rotate`).send({ overlap_hours: 2 });
    expect(res.status).toBe(200);
    expect(res.body.signing_secret).toMatch(/^whsec_/);
    expect(res.body.signing_secret).not.toBe(secret);
    const stored = await stack.models.Subscription.findById(id).lean();
    expect(stored).toMatchObject({ signing_secret: res.body.signing_secret, previous_signing_secret: secret });
    const read = await f.admin('get', `/api/subscriptions/${id}`);
    expect(read.body.rotation_overlap_until).toBe(res.body.rotation_overlap_until);
  });

  it('deactivates rather than deletes', async () => {
    const res = await f.admin('delete', `/api/subscriptions/${id}`);
    expect(res.body).toMatchObject({ active: false, deactivated_reason: 'deactivated through the API' });
    expect(await stack.models.Subscription.exists({ _id: id })).toBeTruthy();
  });
});

describe("an affiliate's own subscriptions", () => {
  it('are scoped to itself, whatever the body says', async () => {
    const res = await asA('post', '/api/subscriptions').send({ url: receiver, event_types: ['conversion.*'] });
    expect(res.status).toBe(201);
    expect(res.body.affiliate_id).toBe(affA);
    expect((await stack.models.Subscription.findById(res.body.id).lean())?.affiliate_id).toBe(affA);
    const foreign = await asA('post', '/api/subscriptions').send({ url: receiver, event_types: ['conversion.*'], affiliate_id: affB });
    expect(foreign.status).toBe(404);
  });

  it('cover its conversions only: no other group, no "*"', async () => {
    for (const types of [['*'], ['delivery.succeeded'], ['conversion.created', 'offer.*']]) {
      const res = await asA('post', '/api/subscriptions').send({ url: receiver, event_types: types });
      expect({ types, status: res.status }).toEqual({ types, status: 400 });
      expect(res.body.issues.some((i: { code: string }) => i.code === 'out_of_scope')).toBe(true);
    }
  });

  it("are all it lists and reads; another's answers 404 like a missing one", async () => {
    const other = await f.admin('post', '/api/subscriptions').send({ url: receiver, event_types: ['conversion.*'], affiliate_id: affB });
    const network = await f.admin('post', '/api/subscriptions').send({ url: receiver, event_types: ['*'] });
    const list = await asA('get', '/api/subscriptions');
    expect(list.status).toBe(200);
    expect(list.body.data.length).toBeGreaterThan(0);
    expect(list.body.data.every((s: { affiliate_id: string }) => s.affiliate_id === affA)).toBe(true);
    for (const id of [other.body.id, network.body.id]) {
      const read = await asA('get', `/api/subscriptions/${id}`);
      expect(read.status).toBe(404);
      const missing = await asA('get', '/api/subscriptions/sub_missing');
      expect(read.body.message.replace(id, '<id>')).toBe(missing.body.message.replace('sub_missing', '<id>'));
      expect((await asA('post', `/api/subscriptions/${id}/pause`)).status).toBe(404);
    }
  });
});
