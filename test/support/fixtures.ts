import request from 'supertest';
import type { TestStack } from './stack';
import { TEST_ADMIN_KEY } from './stack';

/** Builds what a postback needs through the real admin API, as a user would. */
export function fixtures(stack: TestStack) {
  const http = () => request(stack.app.callback());
  const admin = (method: 'get' | 'post' | 'patch' | 'delete', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);

  async function created(res: request.Response): Promise<Record<string, unknown> & { id: string }> {
    if (res.status !== 201) throw new Error(`expected 201, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body;
  }

  return {
    http,
    admin,
    async advertiser(body: Record<string, unknown> = {}) {
      const res = await admin('post', '/api/advertisers').send({ name: 'Advertiser', ...body });
      return (await created(res)) as { id: string; postback_token: string };
    },
    async affiliate(body: Record<string, unknown> = {}) {
      return created(await admin('post', '/api/affiliates').send({ name: 'Affiliate', ...body }));
    },
    async offer(advertiserId: string, body: Record<string, unknown> = {}) {
      const res = await admin('post', '/api/offers').send({
        advertiser_id: advertiserId,
        name: 'Offer',
        url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
        currency: 'USD',
        default_goal: 'sale',
        goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
        ...body,
      });
      return created(res);
    },
    /** A click through GET /click; returns its id from the redirect. */
    async click(offerId: string, affiliateId: string, query: Record<string, string> = {}, ip = '198.51.100.7') {
      const res = await http()
        .get('/click')
        .query({ offer_id: offerId, aff_id: affiliateId, ...query })
        .set('X-Forwarded-For', ip);
      if (res.status !== 302) throw new Error(`expected 302, got ${res.status}: ${JSON.stringify(res.body)}`);
      const clickId = new URL(res.headers.location!).searchParams.get('cid');
      if (!clickId) throw new Error(`no click id in ${res.headers.location}`);
      return clickId;
    },
    /** Everything for one postback: advertiser (with token), affiliate, offer, click. */
    async setup(offerBody: Record<string, unknown> = {}) {
      const adv = await this.advertiser();
      const aff = await this.affiliate();
      const offer = await this.offer(adv.id, offerBody);
      const clickId = await this.click(offer.id, aff.id);
      return { advertiser: adv, token: adv.postback_token, affiliate: aff, offer, clickId };
    },
  };
}
