import type Koa from 'koa';
import request from 'supertest';
import { createApp } from '../../api/app';
import type { Settings } from '../support/stack';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/**
 * The advertisers' ingress log (api/ingress-log/): every call that reaches /postback or
 * /postback/status is a row, accepted or refused, with its result code, under the advertiser its
 * token (else its click) names; never with the token; kept for INGRESS_LOG_RETENTION_DAYS and
 * within a row budget per advertiser; listed newest first by keyset.
 */

const { stack, f } = useTestStack('ingress');

type Row = {
  id: string;
  at: string;
  advertiser_id: string | null;
  authenticated: boolean;
  route: string;
  method: string;
  params: { name: string; value: string | string[] }[];
  http_status: number;
  result: string;
  message?: string;
  conversion_id?: string;
  ip?: string;
  request_id?: string;
};

const list = async (query: Record<string, string | number>) => {
  const res = await f.admin('get', '/api/ingress-log').query(query);
  expect(res.status).toBe(200);
  return res.body as { data: Row[]; next_cursor: string | null };
};

/** The advertiser's rows once there are `n` (rows are written after the answer, in the background). */
const rowsOf = (advertiserId: string, n: number) =>
  waitFor(`${n} ingress rows of ${advertiserId}`, async () => {
    const { data } = await list({ advertiser_id: advertiserId, limit: 500 });
    return data.length >= n ? data : undefined;
  });

const byRequest = (rows: Row[], requestId: string) => rows.find((r) => r.request_id === requestId);
const param = (row: Row, name: string) => row.params.find((p) => p.name === name)?.value;

/** An app on this file's stack with more settings (own limiter and own pruning memory), optionally on another clock. */
const appWith = (settings: Settings, now?: () => Date): Koa =>
  createApp({
    config: stack.configWith(settings),
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    now,
    log: (line) => process.stderr.write(`${line}\n`),
  });

describe('what is recorded', () => {
  it('records accepted, duplicate, wrong or missing token, invalid input and unknown click with their codes, never the token', async () => {
    const s = await f.setup();
    const other = await f.advertiser({ name: 'Other' });
    const call = (query: Record<string, string>, id: string) => f.http().get('/postback').set('X-Request-Id', id).query(query);

    const accepted = await call({ click_id: s.clickId, token: s.token, txid: 'T-1', amount: '12.50' }, 'ing-accepted');
    expect(accepted.body).toMatchObject({ result: 'accepted' });
    expect((await call({ click_id: s.clickId, token: s.token, txid: 'T-1', amount: '12.50' }, 'ing-dup')).body.result).toBe('duplicate');
    expect((await call({ click_id: s.clickId, token: 'pt_wrongwrongwrongwrongwrong' }, 'ing-wrong')).status).toBe(401);
    expect((await call({ click_id: s.clickId }, 'ing-missing')).status).toBe(401);
    expect((await call({ click_id: s.clickId, token: s.token, amount: 'twelve' }, 'ing-invalid')).status).toBe(400);
    expect((await call({ click_id: 'clk_nothere', token: s.token, goal: 'sale' }, 'ing-unknown')).status).toBe(404);
    // Another advertiser's valid token on this click: the call is that advertiser's, refused.
    expect((await call({ click_id: s.clickId, token: other.postback_token }, 'ing-foreign')).status).toBe(401);
    const post = await f
      .http()
      .post('/postback')
      .set('X-Request-Id', 'ing-post')
      .set('X-Postback-Token', s.token)
      .send({ clickid: s.clickId });
    expect(post.body.result).toBe('duplicate');

    const rows = await rowsOf(s.advertiser.id, 7);
    const expectRow = (id: string, fields: Partial<Row>) =>
      expect(byRequest(rows, id)).toMatchObject({ advertiser_id: s.advertiser.id, route: '/postback', ...fields });
    expectRow('ing-accepted', {
      method: 'GET',
      http_status: 200,
      result: 'accepted',
      authenticated: true,
      conversion_id: accepted.body.conversion_id,
      ip: expect.any(String),
    });
    expect(param(byRequest(rows, 'ing-accepted')!, 'txid')).toBe('T-1');
    expect(param(byRequest(rows, 'ing-accepted')!, 'amount')).toBe('12.50');
    expectRow('ing-dup', { http_status: 200, result: 'duplicate', conversion_id: accepted.body.conversion_id });
    expectRow('ing-wrong', { http_status: 401, result: 'invalid_token', authenticated: false, message: expect.stringMatching(/token/) });
    expectRow('ing-missing', { http_status: 401, result: 'missing_token', authenticated: false });
    expectRow('ing-invalid', {
      http_status: 400,
      result: 'invalid_request',
      authenticated: true,
      message: expect.stringMatching(/^amount:/),
    });
    expectRow('ing-unknown', { http_status: 404, result: 'unknown_click', authenticated: true });
    expectRow('ing-post', { method: 'POST', result: 'duplicate', authenticated: true });
    expect(param(byRequest(rows, 'ing-post')!, 'clickid')).toBe(s.clickId);
    expect(param(byRequest(rows, 'ing-post')!, 'x-postback-token')).toBe('***');
    expect(byRequest(rows, 'ing-foreign')).toBeUndefined();

    const foreign = (await rowsOf(other.id, 1))[0]!;
    expect(foreign).toMatchObject({ request_id: 'ing-foreign', result: 'invalid_token', authenticated: true });

    // No row, however it was sent, holds a token.
    const everything = JSON.stringify(await stack.models.IngressLogEntry.find().lean());
    for (const token of [s.token, other.postback_token, 'pt_wrongwrongwrongwrongwrong']) expect(everything).not.toContain(token.slice(3));
    expect(param(byRequest(rows, 'ing-accepted')!, 'token')).toBe('***');
  });

  it('records the receipt route, and a call that names no advertiser without one (visible to ops only)', async () => {
    const s = await f.setup();
    await f.http().get('/postback/status').set('X-Request-Id', 'ing-receipt').query({ txid: 'nope', token: s.token });
    await f
      .http()
      .get('/postback')
      .set('X-Request-Id', 'ing-nobody')
      .query({ click_id: 'clk_nobody', token: 'pt_nobodynobodynobodynobody' });
    const [receipt] = await rowsOf(s.advertiser.id, 1);
    expect(receipt).toMatchObject({ route: '/postback/status', http_status: 404, result: 'not_found', authenticated: true });
    const nobody = await waitFor('the unattributed row', async () =>
      (await list({ result: 'unknown_click', limit: 500 })).data.find((r) => r.request_id === 'ing-nobody'),
    );
    expect(nobody).toMatchObject({ advertiser_id: null, authenticated: false, http_status: 404 });
  });

  it('records a per-advertiser 429 as rate_limited under the advertiser', async () => {
    const s = await f.setup();
    const app = appWith({ RATE_LIMIT_PER_ADVERTISER: '2' });
    const answers = await Promise.all(
      Array.from({ length: 5 }, () => request(app.callback()).get('/postback/status').query({ txid: 'none', token: s.token })),
    );
    const limited = answers.filter((r) => r.status === 429).length;
    expect(limited).toBeGreaterThanOrEqual(3);
    const rows = await rowsOf(s.advertiser.id, 5);
    expect(rows.filter((r) => r.result === 'rate_limited' && r.http_status === 429)).toHaveLength(limited);
    expect((await list({ advertiser_id: s.advertiser.id, result: 'rate_limited' })).data).toHaveLength(limited);
  });
});

describe('listing', () => {
  it('pages newest first by keyset, with filters by result, status and time', async () => {
    const s = await f.setup();
    for (let i = 0; i < 5; i += 1)
      await f
        .http()
        .get('/postback')
        .set('X-Request-Id', `ing-page-${i}`)
        .query({ click_id: s.clickId, token: `pt_wrong${i}` });
    await rowsOf(s.advertiser.id, 5);
    const seen: string[] = [];
    let cursor: string | null = null;
    const sizes: number[] = [];
    do {
      const page: { data: Row[]; next_cursor: string | null } = await list({
        advertiser_id: s.advertiser.id,
        limit: 2,
        ...(cursor ? { cursor } : {}),
      });
      sizes.push(page.data.length);
      seen.push(...page.data.map((r) => r.request_id!));
      cursor = page.next_cursor;
    } while (cursor);
    expect(sizes).toEqual([2, 2, 1]);
    expect(seen).toEqual([4, 3, 2, 1, 0].map((i) => `ing-page-${i}`));

    expect((await list({ advertiser_id: s.advertiser.id, http_status: 401 })).data).toHaveLength(5);
    expect((await list({ advertiser_id: s.advertiser.id, result: 'accepted' })).data).toHaveLength(0);
    const first = (await list({ advertiser_id: s.advertiser.id, limit: 500 })).data.at(-1)!;
    expect((await list({ advertiser_id: s.advertiser.id, to: first.at })).data).toHaveLength(0);
    expect((await list({ advertiser_id: s.advertiser.id, from: first.at })).data).toHaveLength(5);
  });

  it('refuses a bad filter with a 400 naming it', async () => {
    const res = await f.admin('get', '/api/ingress-log').query({ cursor: 'x', http_status: 'abc' });
    expect(res.status).toBe(400);
    expect(res.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['cursor', 'http_status']);
  });
});

describe('bounds', () => {
  it('rows older than INGRESS_LOG_RETENTION_DAYS are not returned, and the next sweep deletes them', async () => {
    const s = await f.setup();
    const longAgo = new Date(Date.now() - 31 * 24 * 3600 * 1000);
    const then = appWith({}, () => longAgo);
    await request(then.callback()).get('/postback').query({ click_id: s.clickId, token: 'pt_oldoldoldoldoldold' });
    await waitFor('the old row to be written', () => stack.models.IngressLogEntry.exists({ advertiser_id: s.advertiser.id }));
    expect((await list({ advertiser_id: s.advertiser.id })).data).toHaveLength(0);

    // A fresh app sweeps on its first write.
    await request(appWith({}).callback()).get('/postback').query({ click_id: s.clickId, token: 'pt_newnewnewnewnewnew' });
    await waitFor('the old row to be deleted', async () => {
      const rows = await stack.models.IngressLogEntry.find({ advertiser_id: s.advertiser.id }).lean();
      return rows.length === 1 && rows[0]!.at.getTime() > longAgo.getTime();
    });
    expect((await list({ advertiser_id: s.advertiser.id })).data).toHaveLength(1);
  });

  it('keeps an advertiser within INGRESS_LOG_MAX_ROWS_PER_ADVERTISER, dropping the oldest', async () => {
    const s = await f.setup();
    const app = appWith({ INGRESS_LOG_MAX_ROWS_PER_ADVERTISER: '3' });
    for (let i = 0; i < 6; i += 1) {
      await request(app.callback())
        .get('/postback')
        .set('X-Request-Id', `ing-cap-${i}`)
        .query({ click_id: s.clickId, token: `pt_cap${i}` });
      // One after another: each row is written (and the budget applied) before the next call.
      await waitFor(`row ${i}`, () => stack.models.IngressLogEntry.exists({ request_id: `ing-cap-${i}` }));
    }
    const kept = await waitFor('the budget to be applied', async () => {
      const rows = await stack.models.IngressLogEntry.find({ advertiser_id: s.advertiser.id }).sort({ _id: -1 }).lean();
      return rows.length === 3 ? rows : undefined;
    });
    expect(kept.map((r) => r.request_id)).toEqual(['ing-cap-5', 'ing-cap-4', 'ing-cap-3']);
  });
});
