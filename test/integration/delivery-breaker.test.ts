import { loadConfig } from '../../config';
import { fixtures } from '../support/fixtures';
import { startReceiver, type Receiver } from '../support/receiver';
import { PRODUCTION_DELIVERY } from '../support/stack';
import { describeTimeSkipping, startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping';
import { waitFor } from '../support/wait-for';

/**
 * The breaker at the deployment's defaults (paused after 5 failures in a row, for 60 s, doubling)
 * on the time-skipping server (test/support/time-skipping.ts), whose clock the attempts read.
 */
const production = loadConfig({ DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' }).delivery;

let stack: TimeSkippingStack;
let f: ReturnType<typeof fixtures>;
let receiver: Receiver;

const goals = [
  {
    key: 'sale',
    allow_multiple: true,
    payout: { type: 'fixed', amount: '1.00' },
    revenue: { type: 'fixed', amount: '2.00' },
  },
];

describeTimeSkipping('an endpoint that fails for a while, then recovers', () => {
  beforeAll(async () => {
    stack = await startTimeSkippingStack('breaker', { settings: PRODUCTION_DELIVERY });
    f = fixtures(stack);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });

  it('is paused for the default pause, not switched off, and then receives every queued event', async () => {
    expect([production.pauseAfterFailures, production.pauseMs]).toEqual([5, 60_000]);
    const s = await f.setup({ goals });
    const created = await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/pb?e={event_id}` });
    receiver.otherwise({ status: 503 });
    const ids: string[] = [];
    for (let i = 0; i < production.pauseAfterFailures; i++)
      ids.push(
        (
          await f
            .http()
            .get('/postback')
            .query({ click_id: s.clickId, token: s.token, txid: `t${i}` })
        ).body.conversion_id,
      );

    const paused = await waitFor('the endpoint to be paused', async () => {
      const e = await stack.models.PostbackEndpoint.findById(created.body.id).lean();
      return e?.paused_until ? e : undefined;
    });
    expect(paused.active).toBe(true); // paused, never deactivated
    const pausedUntil = paused.paused_until!.getTime();
    const failures = await stack.models.DeliveryAttempt.find({ endpoint_id: created.body.id, outcome: 'retry' }).lean();
    expect(failures.some((a) => a.at.getTime() + production.pauseMs === pausedUntil)).toBe(true);
    receiver.otherwise({ status: 200 });

    const deliveries = await stack.skipWhile(() =>
      waitFor('every event delivered', async () => {
        const docs = await stack.models.Delivery.find({ conversion_id: { $in: ids } }).lean();
        return docs.length === ids.length && docs.every((d) => d.status === 'succeeded') ? docs : undefined;
      }),
    );
    const delivered = new Set(
      receiver.requests.filter((r) => r.url.startsWith('/pb')).map((r) => new URL(r.url, receiver.url).searchParams.get('e')),
    );
    for (const d of deliveries) expect(delivered.has(d.event_id)).toBe(true);
    // Nothing was sent while the endpoint was paused.
    const successes = await stack.models.DeliveryAttempt.find({ endpoint_id: created.body.id, outcome: 'success' }).lean();
    expect(successes).toHaveLength(ids.length);
    for (const a of successes) expect(a.at.getTime()).toBeGreaterThanOrEqual(pausedUntil);
    const endpoint = await stack.models.PostbackEndpoint.findById(created.body.id).lean();
    expect(endpoint).toMatchObject({ active: true, consecutive_failures: 0, paused_until: null });
  });
});
