import { WorkflowNotFoundError } from '@temporalio/client';
import type Koa from 'koa';
import request from 'supertest';
import { createApp } from '../../api/app';
import { ipKey, type RateLimitSettings } from '../../api/rate-limit';
import { loadConfig } from '../../config';
import { dedupeKey } from '../../domain/conversion';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { conversionIdFor } from '../../domain/conversion-id';
import { useTestStack } from '../support/preamble';
import { TEST_ADMIN_KEY } from '../support/stack';
import { waitFor } from '../support/wait-for';

/**
 * Ingress rate limits (api/rate-limit.ts): per caller IP before any work, per advertiser once
 * its token is verified. Over the limit: 429, Retry-After, a JSON error, and nothing stored.
 * Each test builds its own app (own limiter memory) on the shared stack.
 */

const { stack, f } = useTestStack('ratelimit');

/** An app with these limits; without any, the test stack's configuration (no limits). */
const appWith = (rateLimits?: RateLimitSettings): Koa =>
  createApp({
    config: rateLimits
      ? stack.configWith({ RATE_LIMIT_PER_IP: String(rateLimits.perIp), RATE_LIMIT_PER_ADVERTISER: String(rateLimits.perAdvertiser) })
      : stack.config,
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
    log: (line) => process.stderr.write(`${line}\n`),
  });

/** A burst: all requests start together, so they fall into one one-second window. */
const burst = <T>(n: number, make: (i: number) => PromiseLike<T>): Promise<T[]> =>
  Promise.all(Array.from({ length: n }, (_, i) => make(i)));

function expectRateLimited(res: request.Response, what: RegExp) {
  expect(res.status).toBe(429);
  expect(res.headers['content-type']).toMatch(/^application\/json/);
  expect(res.body).toEqual({ error: 'rate_limited', message: expect.stringMatching(what) });
  const retryAfter = Number(res.headers['retry-after']);
  expect(Number.isInteger(retryAfter)).toBe(true);
  expect(retryAfter).toBeGreaterThanOrEqual(1);
  expect(retryAfter).toBeLessThanOrEqual(1); // one-second windows: never longer than the window
}

const statuses = (responses: request.Response[]) => responses.map((r) => r.status).sort((a, b) => a - b);

describe('per-IP limit', () => {
  it('the request over the limit gets 429 with Retry-After and a JSON body, and stores no click; other IPs go on', async () => {
    const s = await f.setup();
    const app = appWith({ perIp: 5, perAdvertiser: 0 });
    const clicksBefore = await stack.models.Click.countDocuments();
    const click = () =>
      request(app.callback()).get('/click').query({ offer_id: s.offer.id, aff_id: s.affiliate.id }).set('X-Forwarded-For', '203.0.113.10');
    const answers = await burst(8, click);
    expect(statuses(answers)).toEqual([302, 302, 302, 302, 302, 429, 429, 429]);
    expectRateLimited(
      answers.find((r) => r.status === 429)!,
      /IP address 203\.0\.113\.10: at most 5 per second/,
    );
    expect(await stack.models.Click.countDocuments()).toBe(clicksBefore + 5);

    const other = await request(app.callback())
      .get('/click')
      .query({ offer_id: s.offer.id, aff_id: s.affiliate.id })
      .set('X-Forwarded-For', '203.0.113.11');
    expect(other.status).toBe(302);
  });

  it('applies to /postback, /postback/status and /click together, whatever the spelling of the path, before the body is read', async () => {
    const app = appWith({ perIp: 4, perAdvertiser: 0 });
    const ip = '203.0.113.20';
    const answers = await burst(4, (i) =>
      [
        () => request(app.callback()).get('/postback').query({ click_id: 'clk_nope', token: 'x' }),
        () => request(app.callback()).post('/postback').send({ click_id: 'clk_nope', token: 'x' }),
        () => request(app.callback()).get('/postback/status').query({ txid: 'x', token: 'x' }),
        () => request(app.callback()).get('/click').query({ offer_id: 'off_nope', aff_id: 'aff_nope' }),
      ][i]!().set('X-Forwarded-For', ip),
    );
    expect(statuses(answers)).toEqual([401, 404, 404, 404]);
    // The router matches /POSTBACK/ as /postback: the limiter must count it as the same route.
    // A malformed body over the limit is refused as rate limited, not parsed (400).
    const variants = await Promise.all([
      request(app.callback()).get('/POSTBACK/').query({ click_id: 'clk_nope' }).set('X-Forwarded-For', ip),
      request(app.callback()).get('/Click').set('X-Forwarded-For', ip),
      request(app.callback()).get('/postback/STATUS/').set('X-Forwarded-For', ip),
      request(app.callback()).post('/postback').set('X-Forwarded-For', ip).set('Content-Type', 'application/json').send('{"truncated'),
    ]);
    for (const res of variants) expectRateLimited(res, /IP address 203\.0\.113\.20/);
  });

  it('does not limit the admin API or the health checks', async () => {
    const app = appWith({ perIp: 1, perAdvertiser: 1 });
    const ip = '203.0.113.30';
    const admin = await burst(5, () =>
      request(app.callback()).get('/api/advertisers').set('Authorization', `Bearer ${TEST_ADMIN_KEY}`).set('X-Forwarded-For', ip),
    );
    expect(statuses(admin)).toEqual([200, 200, 200, 200, 200]);
    const health = await burst(5, () => request(app.callback()).get('/healthz').set('X-Forwarded-For', ip));
    expect(statuses(health)).toEqual([200, 200, 200, 200, 200]);
  });

  it('counts an IPv6 /64 as one caller, and an IPv4-mapped address as its IPv4 address', async () => {
    expect(ipKey('2001:db8:1:2:aaaa::1')).toBe(ipKey('2001:db8:1:2:ffff::9'));
    expect(ipKey('2001:db8:1:2::1')).not.toBe(ipKey('2001:db8:1:3::1'));
    expect(ipKey('::ffff:198.51.100.1')).toBe('198.51.100.1');
    expect(ipKey('not-an-ip')).toBe('not-an-ip');

    const app = appWith({ perIp: 2, perAdvertiser: 0 });
    const from = (ip: string) =>
      request(app.callback()).get('/postback').query({ click_id: 'clk_nope', token: 'x' }).set('X-Forwarded-For', ip);
    const answers = [await from('2001:db8:7:7::1'), await from('2001:db8:7:7::2'), await from('2001:db8:7:7:ffff::3')];
    expect(statuses(answers)).toEqual([404, 404, 429]);
    expectRateLimited(answers[2]!, /IPv6 network 2001:db8:7:7::\/64/);
    expect((await from('2001:db8:7:8::1')).status).toBe(404);

    const mapped = await burst(3, (i) => from(i === 0 ? '198.51.100.40' : '::ffff:198.51.100.40'));
    expect(statuses(mapped)).toEqual([404, 404, 429]);
  });

  it('accepts again once Retry-After has passed', async () => {
    const app = appWith({ perIp: 1, perAdvertiser: 0 });
    const probe = () =>
      request(app.callback()).get('/postback').query({ click_id: 'clk_nope', token: 'x' }).set('X-Forwarded-For', '203.0.113.50');
    const [a, b] = await burst(2, probe);
    expect(statuses([a!, b!])).toEqual([404, 429]);
    const refused = a!.status === 429 ? a! : b!;
    const started = Date.now();
    await waitFor('the next window', async () => (await probe()).status === 404, 5_000);
    // The answer said how long to wait; the window opened no later than that.
    expect(Date.now() - started).toBeLessThanOrEqual(Number(refused.headers['retry-after']) * 1000 + 500);
  });

  it('is off in the test configuration, and when a limit is 0', async () => {
    for (const app of [appWith(undefined), appWith({ perIp: 0, perAdvertiser: 0 })]) {
      const answers = await burst(50, () =>
        request(app.callback()).get('/postback').query({ click_id: 'clk_nope', token: 'x' }).set('X-Forwarded-For', '203.0.113.60'),
      );
      expect(new Set(statuses(answers))).toEqual(new Set([404]));
    }
  });
});

describe('per-advertiser limit', () => {
  /** A fresh advertiser with `n` clicks of its own. */
  async function advertiserWithClicks(n: number) {
    const s = await f.setup();
    const clicks = [s.clickId];
    for (let i = 1; i < n; i += 1) clicks.push(await f.click(s.offer.id, s.affiliate.id));
    return { ...s, clicks };
  }

  const conversionIdOf = (s: { advertiser: { id: string }; offer: { id: string } }, clickId: string) =>
    conversionIdFor(dedupeKey({ advertiserId: s.advertiser.id, offerId: s.offer.id, clickId, goal: 'sale', txid: undefined }));

  it('counts only verified postbacks; the one over the limit gets 429 and starts nothing; other advertisers go on', async () => {
    const x = await advertiserWithClicks(4);
    const y = await advertiserWithClicks(1);
    const app = appWith({ perIp: 0, perAdvertiser: 3 });
    const postback = (clickId: string, token: string) => request(app.callback()).post('/postback').send({ click_id: clickId, token });

    // Wrong tokens for X's clicks are refused before the limiter: they cannot spend X's budget.
    const strangers = await burst(10, (i) => postback(x.clicks[i % 4]!, 'pt_wrong'));
    expect(new Set(statuses(strangers))).toEqual(new Set([401]));

    const answers = await burst(4, (i) => postback(x.clicks[i]!, x.token));
    expect(statuses(answers)).toEqual([200, 200, 200, 429]);
    const refusedAt = answers.findIndex((r) => r.status === 429);
    expectRateLimited(answers[refusedAt]!, new RegExp(`advertiser ${x.advertiser.id}: at most 3 per second`));

    const otherAdvertiser = await postback(y.clickId, y.token);
    expect([otherAdvertiser.status, otherAdvertiser.body.result]).toEqual([200, 'accepted']);

    // The accepted ones are decided; the refused one has no conversion and no workflow.
    for (const res of answers.filter((r) => r.status === 200)) {
      await waitFor(
        `conversion ${res.body.conversion_id}`,
        async () => (await stack.models.Conversion.findById(res.body.conversion_id).lean())?.status === 'approved',
      );
    }
    const refusedId = conversionIdOf(x, x.clicks[refusedAt]!);
    expect(await stack.models.Conversion.findById(refusedId).lean()).toBeNull();
    await expect(stack.client.workflow.getHandle(conversionWorkflowId(refusedId)).describe()).rejects.toBeInstanceOf(WorkflowNotFoundError);
    expect(await stack.models.Conversion.countDocuments({ advertiser_id: x.advertiser.id })).toBe(3);
  });

  it('/postback/status shares the advertiser budget, and a wrong token spends none of it', async () => {
    const x = await advertiserWithClicks(1);
    const app = appWith({ perIp: 0, perAdvertiser: 2 });
    const receipt = (token: string) => request(app.callback()).get('/postback/status').query({ txid: 'none', token });
    const strangers = await burst(5, () => receipt('pt_wrong'));
    expect(new Set(statuses(strangers))).toEqual(new Set([401]));
    const [first, second] = await burst(2, () => receipt(x.token));
    expect(statuses([first!, second!])).toEqual([404, 404]);
    const postback = await request(app.callback()).get('/postback').query({ click_id: x.clickId, token: x.token });
    expectRateLimited(postback, new RegExp(`advertiser ${x.advertiser.id}: at most 2 per second`));
    expect(await stack.models.Conversion.countDocuments({ click_id: x.clickId })).toBe(0);
  });
});

describe('configuration', () => {
  it('RATE_LIMIT_PER_IP and RATE_LIMIT_PER_ADVERTISER: generous defaults, 0 turns off, a bad value names the variable', () => {
    expect(loadConfig({}).api.rateLimits).toEqual({ perIp: 500, perAdvertiser: 1000 });
    expect(loadConfig({ RATE_LIMIT_PER_IP: '0', RATE_LIMIT_PER_ADVERTISER: '0' }).api.rateLimits).toEqual({
      perIp: 0,
      perAdvertiser: 0,
    });
    expect(() => loadConfig({ RATE_LIMIT_PER_IP: '-1' })).toThrow(/RATE_LIMIT_PER_IP .*\(got "-1"\)/);
    expect(() => loadConfig({ RATE_LIMIT_PER_ADVERTISER: 'lots' })).toThrow(/RATE_LIMIT_PER_ADVERTISER .*\(got "lots"\)/);
  });
});
