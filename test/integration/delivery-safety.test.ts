import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

/** A worker as production runs it: no private network allowlisted. */
const { stack, f } = useTestStack('safety', { DELIVERY_ALLOWED_NETWORKS: undefined });
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const goals = [
  {
    key: 'sale',
    allow_multiple: true,
    payout: { type: 'fixed', amount: '1.00' },
    revenue: { type: 'fixed', amount: '2.00' },
  },
];

describe('delivery safety', () => {
  it.each([
    ['a literal loopback IP', (port: string) => `http://127.0.0.1:${port}/pb`],
    ['a name that resolves to loopback', (port: string) => `http://localhost:${port}/pb`],
  ])('%s is refused (failed, EADDRNOTALLOWED) unless allowlisted, and nothing is sent', async (_what, url) => {
    const s = await f.setup({ goals });
    const created = await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: url(new URL(receiver.url).port) });
    expect(created.status).toBe(201);
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, txid: 'x' });
    const delivery = await waitFor('the refused delivery', async () => {
      const d = await stack.models.Delivery.findOne({ conversion_id: res.body.conversion_id }).lean();
      return d?.status === 'failed' ? d : undefined;
    });
    expect(delivery.last_error).toMatch(/EADDRNOTALLOWED/);
    expect(receiver.requests).toHaveLength(0);
  });
});
