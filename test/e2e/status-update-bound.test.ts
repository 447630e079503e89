import { adminOverHttp, clickOverHttp, seedOffer } from '../../system/seed';
import { useProcesses } from '../support/preamble';
import { workerReady } from '../support/processes';
import { waitFor } from '../support/wait-for';

/**
 * A status-update postback needs a worker to run the conversion's workflow. With every worker
 * gone it must answer within its bound (503 `status_update_pending` with Retry-After), never hang
 * past an advertiser's client timeout; sent again once a worker is back, it is applied once.
 */
describe('status updates while no worker runs', () => {
  const processes = useProcesses('e2e-status-bound');

  it('answer 503 status_update_pending within the bound, and apply exactly once when sent again', async () => {
    const { env, apiUrl } = processes;
    const admin = adminOverHttp(apiUrl, env.ADMIN_API_KEY!);
    const { advertiser, affiliate, offer } = await seedOffer(admin, {
      advertiser: { name: 'Shop' },
      affiliate: { name: 'Publisher' },
      offer: {
        name: 'Reviewed',
        url: 'https://shop.example/?cid={click_id}',
        currency: 'EUR',
        default_goal: 'sale',
        goals: [
          { key: 'sale', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4' }, default_status: 'pending' },
        ],
      },
    });
    const clickId = await clickOverHttp(apiUrl, offer.id, affiliate.id);
    const postback = (status?: string) => {
      const query = new URLSearchParams({ click_id: clickId, txid: 'bound-1', token: advertiser.postback_token });
      if (status) query.set('status', status);
      return fetch(`${apiUrl}/postback?${query}`);
    };
    const conversion = async (id: string) =>
      (await (await fetch(`${apiUrl}/api/conversions/${id}`, { headers: { authorization: `Bearer ${env.ADMIN_API_KEY}` } })).json()) as {
        status: string;
        status_history: unknown[];
      };

    const first = (await (await postback()).json()) as { conversion_id: string };
    await waitFor('the conversion pending', async () => (await conversion(first.conversion_id)).status === 'pending');

    processes.worker.child.kill('SIGKILL');
    await processes.worker.exited;
    const started = Date.now();
    const pending = await postback('approved');
    const waited = Date.now() - started;
    const body = (await pending.json()) as { error: string; message: string };
    expect([pending.status, body.error]).toEqual([503, 'status_update_pending']);
    expect(pending.headers.get('retry-after')).toBe('5');
    expect(body.message).toContain('send the same request again');
    // The bound is 10 s; the margin is for a loaded CI machine, still below an advertiser's usual 30 s timeout.
    expect(waited).toBeLessThan(20_000);

    const worker = processes.startWorker();
    await waitFor('a new worker ready', () => workerReady(worker), 60_000);
    // The advertiser retries as told: applied now (or already, by the Update the server kept), once.
    const retried = await waitFor('the retry answered 200', async () => {
      const res = await postback('approved');
      return res.status === 200 ? ((await res.json()) as { result: string }) : undefined;
    });
    expect(['status_update', 'duplicate']).toContain(retried.result);
    const done = await waitFor('the conversion approved', async () => {
      const c = await conversion(first.conversion_id);
      return c.status === 'approved' ? c : undefined;
    });
    expect(done.status_history.filter((h) => (h as { to: string }).to === 'approved')).toHaveLength(1);
  });
});
