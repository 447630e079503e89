import request from 'supertest';
import { createApp } from '../../api/app';
import { useTestStack } from '../support/preamble';

/** The client IP feeds rate limits, advertiser allowlists and fraud rules: a client must not choose it. */
const { stack, f } = useTestStack('client_ip');

async function clickIpVia(trustProxyHops: number | undefined, forwardedFor: string) {
  const adv = await f.advertiser();
  const aff = await f.affiliate();
  const offer = await f.offer(adv.id);
  const app = createApp({
    // Unset: the production default applies.
    config: stack.configWith({ TRUST_PROXY_HOPS: trustProxyHops === undefined ? undefined : String(trustProxyHops) }),
    temporal: stack.client,
    mongo: stack.mongo,
    models: stack.models,
  });
  const res = await request(app.callback())
    .get('/click')
    .query({ offer_id: offer.id, aff_id: aff.id })
    .set('X-Forwarded-For', forwardedFor);
  expect(res.status).toBe(302);
  const clickId = new URL(res.headers.location!).searchParams.get('cid')!;
  return (await stack.models.Click.findById(clickId).lean())!.ip;
}

describe('client IP and X-Forwarded-For', () => {
  it('ignores X-Forwarded-For by default (TRUST_PROXY_HOPS=0): the socket address counts', async () => {
    expect(await clickIpVia(undefined, '203.0.113.66')).toMatch(/127\.0\.0\.1$/);
  });

  it('with one trusted proxy, takes the address that proxy appended, not what the client wrote before it', async () => {
    expect(await clickIpVia(1, '6.6.6.6, 198.51.100.7')).toBe('198.51.100.7');
  });

  it('with two trusted proxies, takes the address the outer one saw', async () => {
    expect(await clickIpVia(2, '6.6.6.6, 198.51.100.7, 10.0.0.2')).toBe('198.51.100.7');
  });
});
