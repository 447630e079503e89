import { fixtures } from '../support/fixtures';
import { startReceiver, type Receiver } from '../support/receiver';
import { startTestStack, type TestStack } from '../support/stack';
import { waitFor } from '../support/wait-for';

/** A worker whose breaker pauses an endpoint after 2 failures in a row, for 300 ms (doubling). */
let stack: TestStack;
let f: ReturnType<typeof fixtures>;
let receiver: Receiver;
beforeAll(async () => {
  stack = await startTestStack('breaker', {
    delivery: { pauseAfterFailures: 2, pauseMs: 300, scheduleMs: [0, 100, 200, 400, 800, 1600] },
  });
  f = fixtures(stack);
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
  await stack?.stop();
});

const goals = [
  {
    key: 'sale',
    allow_multiple: true,
    payout: { type: 'fixed', amount: '1.00' },
    revenue: { type: 'fixed', amount: '2.00' },
  },
];

describe('an endpoint that fails for a while, then recovers', () => {
  it('is paused, not switched off, and then receives every queued event', async () => {
    const s = await f.setup({ goals });
    const created = await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/pb?e={event_id}` });
    receiver.otherwise({ status: 503 });
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
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
    receiver.otherwise({ status: 200 });

    const deliveries = await waitFor(
      'every event delivered',
      async () => {
        const docs = await stack.models.Delivery.find({ conversion_id: { $in: ids } }).lean();
        return docs.length === 5 && docs.every((d) => d.status === 'succeeded') ? docs : undefined;
      },
      30_000,
    );
    const delivered = new Set(
      receiver.requests.filter((r) => r.url.startsWith('/pb')).map((r) => new URL(r.url, receiver.url).searchParams.get('e')),
    );
    for (const d of deliveries) expect(delivered.has(d.event_id)).toBe(true);
    const endpoint = await stack.models.PostbackEndpoint.findById(created.body.id).lean();
    expect(endpoint).toMatchObject({ active: true, consecutive_failures: 0, paused_until: null });
  });
});
