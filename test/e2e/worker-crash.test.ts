import { freePort } from '../../scripts/infra/child';
import { startEntry, type Proc } from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';
import { uniqueName } from '../support/stack';
import { testEnv } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * Invariant 5 across a crash: the worker is killed (SIGKILL) while an affiliate request is in
 * flight; a new worker takes over and the receiver still gets the event, with the same id.
 */
describe('a worker killed in the middle of a delivery', () => {
  const name = uniqueName('crash');
  let api: Proc;
  const workers: Proc[] = [];
  let receiver: Receiver;
  let env: Record<string, string>;
  let apiUrl: string;

  beforeAll(async () => {
    receiver = await startReceiver();
    const port = await freePort();
    apiUrl = `http://127.0.0.1:${port}`;
    env = {
      NODE_ENV: 'test',
      PORT: String(port),
      HOST: '127.0.0.1',
      MONGO_URL: `${testEnv('mongoUrl')}/${name}`,
      TEMPORAL_ADDRESS: testEnv('temporalAddress'),
      TASK_QUEUE: `test-${name}`,
      ADMIN_API_KEY: 'crash-admin-key-0123456789',
      DELIVERY_SCHEDULE: '0s,200ms,400ms,800ms',
      DELIVERY_TIMEOUT_MS: '1500',
      DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8',
    };
    workers.push(startEntry('worker/main.ts', env));
    api = startEntry('api/server.ts', env);
    await waitFor('the API to be ready', async () => (await fetch(`${apiUrl}/readyz`)).status === 200, 60_000);
  });

  afterAll(async () => {
    for (const p of [api, ...workers]) if (p && p.child.exitCode === null) p.child.kill('SIGKILL');
    await receiver?.close();
  });

  const admin = async (path: string, body: unknown) => {
    const res = await fetch(`${apiUrl}${path}`, { method: 'POST', headers: { authorization: `Bearer ${env.ADMIN_API_KEY}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; postback_token?: string };
  };

  it('still delivers the event after a new worker takes over', async () => {
    const advertiser = await admin('/api/advertisers', { name: 'Shop' });
    const affiliate = await admin('/api/affiliates', { name: 'Publisher' });
    const offer = await admin('/api/offers', {
      advertiser_id: advertiser.id,
      name: 'Shoes',
      url: 'https://shop.example/?cid={click_id}',
      currency: 'EUR',
      default_goal: 'sale',
      goals: [{ key: 'sale', payout: { type: 'fixed', amount: '2.50' }, revenue: { type: 'fixed', amount: '4' } }],
    });
    await admin(`/api/affiliates/${affiliate.id}/postbacks`, { url: `${receiver.url}/pb?e={event_id}` });
    const click = await fetch(`${apiUrl}/click?offer_id=${offer.id}&aff_id=${affiliate.id}`, { redirect: 'manual' });
    const clickId = new URL(click.headers.get('location')!).searchParams.get('cid')!;

    receiver.reply('hang'); // the first attempt never gets an answer…
    const res = await fetch(`${apiUrl}/postback?click_id=${clickId}&token=${advertiser.postback_token}`);
    expect(res.status).toBe(200);
    await waitFor('the first attempt to reach the receiver', () => receiver.requests.length >= 1, 30_000);
    workers[0]!.child.kill('SIGKILL'); // …and its worker dies while waiting for it
    await workers[0]!.exited;
    workers.push(startEntry('worker/main.ts', env));

    await waitFor('the event delivered by the new worker', () => receiver.requests.length >= 2, 60_000);
    const eventIds = receiver.requests.map((r) => new URL(r.url, receiver.url).searchParams.get('e'));
    expect(new Set(eventIds).size).toBe(1);
    expect(eventIds[0]).toMatch(/^evt_/);
  });
});
