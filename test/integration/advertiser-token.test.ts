import request from 'supertest';
import { createApp } from '../../api/app';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * Advertiser token rotation with an overlap (POST /api/advertisers/:id/token/rotate) on an app
 * whose clock the test moves, and the offer's advertiser_can_review setting.
 */

const { stack, f } = useTestStack('advtoken');

const HOUR = 3600 * 1000;

/** The app on a clock the test moves: the overlap ends when the clock says so. */
function clockedApp() {
  let now = Date.now();
  const app = createApp({
    config: stack.config,
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    now: () => new Date(now),
    log: (line) => process.stderr.write(`${line}\n`),
  });
  const http = () => request(app.callback());
  return {
    http,
    admin: (path: string) => http().post(path).set('Authorization', `Bearer ${stack.config.api.adminApiKey}`),
    advance: (ms: number) => (now += ms),
    now: () => now,
  };
}

describe('token rotation', () => {
  it('answers the new token once; the old one works during the overlap and is refused after it', async () => {
    const s = await f.setup();
    const app = clockedApp();
    const rotated = await app.admin(`/api/advertisers/${s.advertiser.id}/token/rotate`).send({ overlap_hours: 1 });
    expect(rotated.status).toBe(200);
    const token = rotated.body.postback_token as string;
    expect(token).toMatch(/^pt_[\w-]{32}$/);
    expect(token).not.toBe(s.token);
    expect(rotated.body).toEqual({
      id: s.advertiser.id,
      postback_token: token,
      postback_url_template: expect.stringMatching(/\/postback\?click_id=\{click_id\}&txid=\{txid\}&amount=\{amount\}&token=pt_/),
      rotated_at: new Date(app.now()).toISOString(),
      rotation_overlap_ends_at: new Date(app.now() + HOUR).toISOString(),
    });
    expect(rotated.body.postback_url_template).toContain(`token=${encodeURIComponent(token)}`);

    // Only hashes are stored; the advertiser shows when the overlap ends, never a token.
    const stored = await stack.models.Advertiser.findById(s.advertiser.id).lean();
    expect(JSON.stringify(stored)).not.toContain(token.slice(3));
    expect(JSON.stringify(stored)).not.toContain(s.token.slice(3));
    const shown = await f.admin('get', `/api/advertisers/${s.advertiser.id}`);
    expect(shown.body).toMatchObject({
      rotation_overlap_ends_at: rotated.body.rotation_overlap_ends_at,
      rotated_at: rotated.body.rotated_at,
    });
    expect(JSON.stringify(shown.body)).not.toMatch(/hash|pt_/);

    const postback = (txid: string, t: string) => app.http().get('/postback').query({ click_id: s.clickId, token: t, txid, goal: 'sale' });
    // A receipt for no conversion: 404 once the token is accepted, 401 when it is not.
    const receipt = (t: string) => app.http().get('/postback/status').query({ txid: 'none', token: t });
    const within = await postback('T-old', s.token);
    expect(within.status).toBe(200);
    expect(within.body.result).toBe('accepted');
    expect((await postback('T-new', token)).status).toBe(200);
    expect((await receipt(s.token)).body.error).toBe('not_found');

    app.advance(HOUR);
    const after = await postback('T-late', s.token);
    expect(after.status).toBe(401);
    expect(after.body).toEqual({ error: 'invalid_token', message: expect.stringMatching(/replaced by a rotation and stopped working at/) });
    expect((await receipt(s.token)).body.error).toBe('invalid_token');
    expect((await receipt(token)).body.error).toBe('not_found');
    expect((await postback('T-new', token)).body.result).toBe('duplicate');

    // The refused old token is in the advertiser's ingress log, under its name.
    const row = await waitFor('the refusal in the ingress log', async () => {
      const res = await f.admin('get', '/api/ingress-log').query({ advertiser_id: s.advertiser.id, result: 'invalid_token' });
      return res.body.data.find((r: { route: string }) => r.route === '/postback');
    });
    expect(row).toMatchObject({ http_status: 401, authenticated: false });
  });

  it('with overlap_hours 0 the old token stops at once; a second rotation ends the one before it', async () => {
    const s = await f.setup();
    const app = clockedApp();
    const first = await app.admin(`/api/advertisers/${s.advertiser.id}/token/rotate`).send({});
    expect(first.status).toBe(200);
    expect(Date.parse(first.body.rotation_overlap_ends_at) - Date.parse(first.body.rotated_at)).toBe(24 * HOUR); // the default
    const second = await app.admin(`/api/advertisers/${s.advertiser.id}/token/rotate`).send({ overlap_hours: 0 });
    expect(second.body.rotation_overlap_ends_at).toBe(second.body.rotated_at);

    const receipt = (t: string) => app.http().get('/postback/status').query({ txid: 'none', token: t });
    expect((await receipt(s.token)).body.error).toBe('invalid_token'); // the original: replaced twice
    expect((await receipt(first.body.postback_token)).body.error).toBe('invalid_token'); // overlap 0
    expect((await receipt(second.body.postback_token)).status).toBe(404); // accepted; no such conversion
  });

  it('takes the body as a form too, or none; refuses a bad overlap (400) and an unknown advertiser (404)', async () => {
    const s = await f.setup();
    const app = clockedApp();
    const path = `/api/advertisers/${s.advertiser.id}/token/rotate`;
    expect((await app.admin(path).type('form').send('overlap_hours=2')).status).toBe(200);
    expect((await app.admin(path)).status).toBe(200);
    for (const overlap of [-1, 721, 'soon']) {
      const bad = await app.admin(path).send({ overlap_hours: overlap });
      expect(bad.status).toBe(400);
      expect(bad.body.issues[0].path).toBe('overlap_hours');
    }
    expect((await app.admin(path).send({ overlap_hours: 1, extra: true })).status).toBe(400);
    expect((await app.admin('/api/advertisers/adv_nothere/token/rotate').send({})).status).toBe(404);
  });

  it('writes an audit entry with the overlap and no token', async () => {
    const s = await f.setup();
    const res = await f.admin('post', `/api/advertisers/${s.advertiser.id}/token/rotate`).send({ overlap_hours: 6 });
    expect(res.status).toBe(200);
    const audit = await f.admin('get', '/api/audit').query({ action: 'advertiser.token_rotate', target_id: s.advertiser.id });
    expect(audit.body.data).toEqual([
      expect.objectContaining({
        action: 'advertiser.token_rotate',
        target_type: 'advertiser',
        target_id: s.advertiser.id,
        overlap_hours: 6,
      }),
    ]);
    expect(JSON.stringify(audit.body)).not.toContain(res.body.postback_token.slice(3));
  });
});

describe("the offer's advertiser_can_review setting", () => {
  it('is off unless set, is kept and changed like any offer field', async () => {
    const s = await f.setup();
    expect((await f.admin('get', `/api/offers/${s.offer.id}`)).body.advertiser_can_review).toBe(false);
    const on = await f.offer(s.advertiser.id, { advertiser_can_review: true });
    expect((await f.admin('get', `/api/offers/${on.id}`)).body.advertiser_can_review).toBe(true);
    const patched = await f.admin('patch', `/api/offers/${on.id}`).send({ advertiser_can_review: false });
    expect(patched.body.advertiser_can_review).toBe(false);
    const bad = await f.admin('patch', `/api/offers/${on.id}`).send({ advertiser_can_review: 'yes' });
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('advertiser_can_review');
  });

  it('does not restrict ops: a pending conversion on an offer without it is approved by ops, recorded as ops', async () => {
    const s = await f.setup({
      goals: [
        { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, default_status: 'pending' },
      ],
    });
    const id = await f.convert(s);
    await waitFor('the conversion to be pending', async () => (await stack.models.Conversion.findById(id).lean())?.status === 'pending');
    const res = await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'approved', reason: 'checked' });
    expect(res.status).toBe(200);
    expect(res.body.status_history.at(-1)).toMatchObject({ from: 'pending', to: 'approved', actor: 'ops' });
  });
});

describe('as the advertiser itself (a scoped key)', () => {
  const as = (key: string) => ({
    get: (path: string) => f.http().get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string, body: object = {}) => f.http().post(path).set('Authorization', `Bearer ${key}`).send(body),
  });
  const keyFor = async (principal: string, capabilities?: string[]) => {
    const res = await f.admin('post', '/api/keys').send({ name: 'test key', principal, ...(capabilities ? { capabilities } : {}) });
    expect(res.status).toBe(201);
    return res.body.key as string;
  };
  const pendingSale = [
    { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, default_status: 'pending' },
  ];
  const pendingConversion = async (offerBody: Record<string, unknown>) => {
    const s = await f.setup({ goals: pendingSale, ...offerBody });
    const id = await f.convert(s);
    await waitFor('the conversion to be pending', async () => (await stack.models.Conversion.findById(id).lean())?.status === 'pending');
    return { ...s, id };
  };

  it('approves or declines its own pending conversion only where the offer allows it, recorded as advertiser:<id>', async () => {
    const off = await pendingConversion({});
    const offKey = await keyFor(`advertiser:${off.advertiser.id}`);
    const refused = await as(offKey).post(`/api/conversions/${off.id}/status`, { status: 'approved' });
    expect([refused.status, refused.body.error]).toEqual([403, 'review_not_allowed']);

    const on = await pendingConversion({ advertiser_can_review: true });
    const key = await keyFor(`advertiser:${on.advertiser.id}`);
    const reversal = await as(key).post(`/api/conversions/${on.id}/status`, { status: 'reversed' });
    expect([reversal.status, reversal.body.error]).toEqual([403, 'status_not_allowed']);
    // Another advertiser's key: exactly as a missing conversion.
    const foreign = await as(offKey).post(`/api/conversions/${on.id}/status`, { status: 'approved' });
    expect(foreign.status).toBe(404);
    const approved = await as(key).post(`/api/conversions/${on.id}/status`, { status: 'declined', reason: 'order cancelled' });
    expect(approved.status).toBe(200);
    expect(approved.body.status_history.at(-1)).toMatchObject({ from: 'pending', to: 'declined', actor: `advertiser:${on.advertiser.id}` });
    const again = await as(key).post(`/api/conversions/${on.id}/status`, { status: 'approved' });
    expect([again.status, again.body.error]).toEqual([409, 'not_pending']);
  });

  it('reads only its own ingress log, and rotates only its own token', async () => {
    const a = await f.setup();
    const b = await f.setup();
    for (const s of [a, b]) await f.http().get('/postback').query({ click_id: s.clickId, token: 'pt_notnotnotnotnotnot' });
    await waitFor(
      'both rows',
      async () => (await stack.models.IngressLogEntry.countDocuments({ advertiser_id: { $in: [a.advertiser.id, b.advertiser.id] } })) === 2,
    );
    const key = await keyFor(`advertiser:${a.advertiser.id}`);
    const own = await as(key).get('/api/ingress-log');
    expect(own.status).toBe(200);
    expect(own.body.data.length).toBeGreaterThan(0);
    expect(own.body.data.every((r: { advertiser_id: string }) => r.advertiser_id === a.advertiser.id)).toBe(true);
    const asked = await as(key).get('/api/ingress-log').query({ advertiser_id: b.advertiser.id });
    expect(asked.status).toBe(404); // another advertiser's id, exactly as a missing one

    const rotated = await as(key).post(`/api/advertisers/${a.advertiser.id}/token/rotate`, { overlap_hours: 0 });
    expect(rotated.status).toBe(200);
    expect((await as(key).post(`/api/advertisers/${b.advertiser.id}/token/rotate`)).status).toBe(404);
    const ops = await keyFor('ops');
    expect((await as(ops).post(`/api/advertisers/${a.advertiser.id}/token/rotate`)).body.error).toBe('out_of_realm');
  });
});
