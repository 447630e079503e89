import { CLICK_TARGET_TTL_MS } from '../../api/click-targets';
import { freePort } from '../../scripts/infra/child';
import { adminOverHttp, clickOverHttp, seedOffer } from '../../system/seed';
import { useProcesses } from '../support/preamble';
import { startEntry, type Proc } from '../support/processes';
import { waitFor } from '../support/wait-for';

/**
 * Two API processes on one database (what `API_PROCESSES=2 npm start` or two replicas behind a
 * load balancer run): a change made through one takes effect in the other within the documented
 * bound. Keys, advertisers and tokens are read per request (at once everywhere); /click caches
 * offers and affiliates for CLICK_TARGET_TTL_MS in each process.
 */
describe('configuration changes across API processes', () => {
  const processes = useProcesses('e2e-multi-api');
  let other: Proc;
  let otherUrl: string;

  beforeAll(async () => {
    const port = await freePort();
    other = startEntry('api/server.ts', { ...processes.env, PORT: String(port) });
    otherUrl = `http://127.0.0.1:${port}`;
    await waitFor('the second API ready', async () => (await fetch(`${otherUrl}/readyz`).catch(() => undefined))?.status === 200, 60_000);
  });
  afterAll(() => {
    if (other?.child.exitCode === null) other.child.kill('SIGKILL');
  });

  const seed = async () =>
    seedOffer(adminOverHttp(processes.apiUrl, processes.env.ADMIN_API_KEY!), {
      advertiser: { name: 'Shop' },
      affiliate: { name: 'Publisher' },
      offer: {
        name: 'Shoes',
        url: 'https://shop.example/?cid={click_id}',
        currency: 'EUR',
        default_goal: 'sale',
        goals: [{ key: 'sale', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4' } }],
      },
    });
  const call = (base: string, method: string, path: string, key = processes.env.ADMIN_API_KEY!) =>
    fetch(`${base}${path}`, { method, headers: { authorization: `Bearer ${key}` } });
  const clickStatus = async (base: string, offerId: string, affiliateId: string) => {
    const res = await fetch(`${base}/click?offer_id=${offerId}&aff_id=${affiliateId}`, { redirect: 'manual' });
    return res.status === 302 ? 'redirect' : ((await res.json()) as { error: string }).error;
  };

  it('an offer paused through one API stops clicks in the other within the click cache bound', async () => {
    const { offer, affiliate } = await seed();
    // The other process reads the offer and keeps it in its cache.
    expect(await clickStatus(otherUrl, offer.id, affiliate.id)).toBe('redirect');

    expect((await call(processes.apiUrl, 'DELETE', `/api/offers/${offer.id}`)).status).toBe(200);
    // The process that made the change dropped its cached copy: at once.
    expect(await clickStatus(processes.apiUrl, offer.id, affiliate.id)).toBe('offer_paused');
    const paused = Date.now();
    await waitFor(
      'the other API to turn clicks away',
      async () => (await clickStatus(otherUrl, offer.id, affiliate.id)) === 'offer_paused',
      // The bound, and a margin for a loaded machine: past it the cache would be holding stale offers.
      CLICK_TARGET_TTL_MS + 3_000,
      100,
    );
    expect(Date.now() - paused).toBeLessThanOrEqual(CLICK_TARGET_TTL_MS + 3_000);
  });

  it('a key revoked through one API is refused by the other on its next request', async () => {
    const res = await fetch(`${processes.apiUrl}/api/keys`, {
      method: 'POST',
      headers: { authorization: `Bearer ${processes.env.ADMIN_API_KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'ops laptop', principal: 'ops' }),
    });
    const key = (await res.json()) as { id: string; key: string };
    expect((await call(otherUrl, 'GET', '/api/offers', key.key)).status).toBe(200);
    expect((await call(processes.apiUrl, 'DELETE', `/api/keys/${key.id}`)).status).toBe(200);
    expect((await call(otherUrl, 'GET', '/api/offers', key.key)).status).toBe(401);
  });

  it('an advertiser deactivated through one API has its postbacks refused by the other at once', async () => {
    const { advertiser, offer, affiliate } = await seed();
    const clickId = await clickOverHttp(otherUrl, offer.id, affiliate.id);
    const postback = (txid: string) =>
      fetch(`${otherUrl}/postback?click_id=${clickId}&txid=${txid}&token=${advertiser.postback_token}`).then((r) => r.status);
    expect(await postback('before')).toBe(200);
    expect((await call(processes.apiUrl, 'DELETE', `/api/advertisers/${advertiser.id}`)).status).toBe(200);
    expect(await postback('after')).toBe(403);
  });
});
