import request from 'supertest';
import { seedOffer, type AdminPost, type Created } from '../../system/seed';
import type { TestStack } from './stack';
import { TEST_ADMIN_KEY } from './stack';

const ADVERTISER = { name: 'Advertiser' };
const AFFILIATE = { name: 'Affiliate' };
const OFFER = {
  name: 'Offer',
  url: 'https://shop.example/land?cid={click_id}&s1={sub1}',
  currency: 'USD',
  default_goal: 'sale',
  goals: [{ key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' } }],
};

/**
 * Builds what a postback needs through the real admin API, as a user would: the seeding of
 * system/seed.ts (shared with the e2e tests, benchmarks and fault suite), in process.
 */
export function fixtures(stack: TestStack) {
  const http = () => request(stack.app.callback());
  const admin = (method: 'get' | 'post' | 'patch' | 'delete', path: string) =>
    http()[method](path).set('Authorization', `Bearer ${TEST_ADMIN_KEY}`);

  const post: AdminPost = async (path, body) => {
    const res = await admin('post', path).send(body as object);
    if (res.status !== 201) throw new Error(`POST ${path}: expected 201, got ${res.status}: ${JSON.stringify(res.body)}`);
    return res.body as Created;
  };

  return {
    http,
    admin,
    async advertiser(body: Record<string, unknown> = {}) {
      return (await post('/api/advertisers', { ...ADVERTISER, ...body })) as Created & { postback_token: string };
    },
    async affiliate(body: Record<string, unknown> = {}) {
      return post('/api/affiliates', { ...AFFILIATE, ...body });
    },
    async offer(advertiserId: string, body: Record<string, unknown> = {}) {
      return post('/api/offers', { advertiser_id: advertiserId, ...OFFER, ...body });
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
    /** A postback endpoint of the affiliate (POST /api/affiliates/:id/postbacks). */
    async endpoint(affiliateId: string, body: Record<string, unknown>) {
      return post(`/api/affiliates/${affiliateId}/postbacks`, body);
    },
    /** The advertiser's postback for a click of `setup()`; it must be accepted (200). Returns the conversion id. */
    async convert(setup: { clickId: string; token: string }, query: Record<string, string> = {}) {
      const res = await http()
        .get('/postback')
        .query({ click_id: setup.clickId, token: setup.token, ...query });
      expect(res.status).toBe(200);
      return res.body.conversion_id as string;
    },
    /** A probe for waitFor: the conversion's deliveries once there are some and all have `status`. */
    async deliveriesIn(conversionId: string, status: string) {
      const docs = await stack.models.Delivery.find({ conversion_id: conversionId }).lean();
      return docs.length > 0 && docs.every((d) => d.status === status) ? docs : undefined;
    },
    /** Everything for one postback: advertiser (with token), affiliate, offer, click. */
    async setup(offerBody: Record<string, unknown> = {}) {
      const { advertiser, affiliate, offer } = await seedOffer(post, {
        advertiser: ADVERTISER,
        affiliate: AFFILIATE,
        offer: { ...OFFER, ...offerBody },
      });
      const clickId = await this.click(offer.id, affiliate.id);
      return { advertiser, token: advertiser.postback_token, affiliate, offer, clickId };
    },
  };
}
