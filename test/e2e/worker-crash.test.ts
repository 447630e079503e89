import { useProcesses } from '../support/preamble';
import { setupOverHttp } from '../support/processes';
import { startReceiver, type Receiver } from '../support/receiver';
import { waitFor } from '../support/wait-for';

/**
 * Invariant 5 across a crash: the worker is killed (SIGKILL) while an affiliate request is in
 * flight; a new worker takes over and the receiver still gets the event, with the same id.
 */
describe('a worker killed in the middle of a delivery', () => {
  const processes = useProcesses('crash', {
    DELIVERY_SCHEDULE: '0s,200ms,400ms,800ms',
    DELIVERY_TIMEOUT_MS: '1500',
    DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8',
  });
  let receiver: Receiver;

  beforeAll(async () => {
    receiver = await startReceiver();
  });

  afterAll(async () => {
    await receiver?.close();
  });

  it('still delivers the event after a new worker takes over', async () => {
    const { env, apiUrl, workers } = processes;
    const { admin, advertiser, affiliate, clickId } = await setupOverHttp(apiUrl, env.ADMIN_API_KEY!);
    await admin(`/api/affiliates/${affiliate.id}/postbacks`, { url: `${receiver.url}/pb?e={event_id}` });

    receiver.reply('hang'); // the first attempt never gets an answer…
    const res = await fetch(`${apiUrl}/postback?click_id=${clickId}&token=${advertiser.postback_token}`);
    expect(res.status).toBe(200);
    await waitFor('the first attempt to reach the receiver', () => receiver.requests.length >= 1, 30_000);
    workers[0]!.child.kill('SIGKILL'); // …and its worker dies while waiting for it
    await workers[0]!.exited;
    processes.startWorker();

    await waitFor('the event delivered by the new worker', () => receiver.requests.length >= 2, 60_000);
    const eventIds = receiver.requests.map((r) => new URL(r.url, receiver.url).searchParams.get('e'));
    expect(new Set(eventIds).size).toBe(1);
    expect(eventIds[0]).toMatch(/^evt_/);
  });
});
