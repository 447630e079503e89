import { Webhook } from 'standardwebhooks';
import { startReceiver, type Receiver } from '../support/receiver';
import { createActivities } from '../../activities';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

// Attempts at once, then 200, 400 and 800 ms later (TEST_SETTINGS); the production schedule's
// retries, dead letter and redelivery are in delivery-schedule.test.ts.
const { stack, f } = useTestStack('delivery');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
  receiver.otherwise({ status: 200, body: 'ok' });
});

const goals = [{ key: 'sale', payout: { type: 'fixed', amount: '5.25' }, revenue: { type: 'fixed', amount: '8.00' } }];

const endpoint = (affiliateId: string, body: Record<string, unknown>) => f.endpoint(affiliateId, body);

const deliveryOf = (conversionId: string, status: string) =>
  waitFor(`a ${status} delivery of ${conversionId}`, () => f.deliveriesIn(conversionId, status));

const convert = (setup: Awaited<ReturnType<typeof f.setup>>, query: Record<string, string> = {}) => f.convert(setup, query);

describe('affiliate postback delivery', () => {
  it('renders and URL-encodes the macros into a GET and records the attempt', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, {
      url: `${receiver.url}/pb?cid={click_id}&e={event_id}&p={payout}&c={currency}&s={status}&t={txid}&key=secret1`,
    });
    const id = await convert(s, { txid: 'a b&c' });
    const [delivery] = await deliveryOf(id, 'succeeded');
    const got = new URL(receiver.requests[0]!.url, receiver.url);
    expect(receiver.requests[0]!.method).toBe('GET');
    expect(got.searchParams.get('cid')).toBe(s.clickId);
    expect(got.searchParams.get('e')).toBe(delivery!.event_id);
    expect([got.searchParams.get('p'), got.searchParams.get('c'), got.searchParams.get('s'), got.searchParams.get('t')]).toEqual([
      '5.25',
      'USD',
      'approved',
      'a b&c',
    ]);
    expect(receiver.requests[0]!.url).toContain('t=a%20b%26c');

    const read = await f.admin('get', `/api/deliveries/${delivery!._id}`);
    expect(read.body).toMatchObject({ status: 'succeeded', attempt_count: 1, event_id: delivery!.event_id });
    expect(read.body.attempts).toEqual([expect.objectContaining({ attempt: 1, status_code: 200, outcome: 'success' })]);
    const attempts = await stack.models.DeliveryAttempt.find({ delivery_id: delivery!._id }).lean();
    expect(attempts).toHaveLength(1);
    expect(attempts[0]).toMatchObject({ attempt: 1, status_code: 200, outcome: 'success', response_excerpt: 'ok' });
    expect(attempts[0]!.request_url).toContain('key=***');
    expect(attempts[0]!.request_url).not.toContain('secret1');
    const conversion = await f.admin('get', `/api/conversions/${id}`);
    expect(conversion.body.deliveries).toEqual([expect.objectContaining({ id: delivery!._id, status: 'succeeded' })]);
  });

  it('POSTs a JSON body signed the Standard Webhooks way, verifiable by its published library', async () => {
    const secret = `whsec_${Buffer.from('0123456789abcdef0123456789abcdef').toString('base64')}`;
    const s = await f.setup({ goals });
    const created = await endpoint(s.affiliate.id, {
      url: `${receiver.url}/hook`,
      method: 'POST',
      signing_secret: secret,
      body: '{"id":"{event_id}","amount":"{payout}","note":"{sub1}"}',
    });
    expect(JSON.stringify(created)).not.toContain(secret);
    expect((await f.admin('get', `/api/postbacks/${created.id}`)).body).toMatchObject({ signing_secret_set: true });
    expect(JSON.stringify((await f.admin('get', `/api/postbacks/${created.id}`)).body)).not.toContain(secret);

    const id = await convert(s);
    await deliveryOf(id, 'succeeded');
    const req = receiver.requests[0]!;
    expect(req.headers['content-type']).toBe('application/json');
    const verified = new Webhook(secret).verify(req.body, {
      'webhook-id': String(req.headers['webhook-id']),
      'webhook-timestamp': String(req.headers['webhook-timestamp']),
      'webhook-signature': String(req.headers['webhook-signature']),
    }) as { id: string; amount: string };
    expect(verified.amount).toBe('5.25');
    expect(verified.id).toBe(req.headers['webhook-id']);
    expect(() =>
      new Webhook(secret).verify(`${req.body} `, {
        'webhook-id': String(req.headers['webhook-id']),
        'webhook-timestamp': String(req.headers['webhook-timestamp']),
        'webhook-signature': String(req.headers['webhook-signature']),
      }),
    ).toThrow();
  });

  it('an offer-scoped endpoint wins over the global one for that offer', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/global` });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/local`, offer_id: s.offer.id });
    const id = await convert(s);
    await deliveryOf(id, 'succeeded');
    expect(receiver.requests.map((r) => r.url)).toEqual(['/local']);
  });

  it('a 4xx is permanent (failed after one attempt); 410 deactivates the endpoint and dead-letters', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/bad` });
    receiver.reply({ status: 400 });
    const [failed] = await deliveryOf(await convert(s), 'failed');
    expect(failed!.attempt_count).toBe(1);

    const g = await f.setup({ goals });
    const gone = await endpoint(g.affiliate.id, { url: `${receiver.url}/gone` });
    receiver.reply({ status: 410 });
    await deliveryOf(await convert(g), 'dead_lettered');
    expect((await f.admin('get', `/api/postbacks/${gone.id}`)).body).toMatchObject({ active: false });
  });

  it('a status change notifies again (reversed), only endpoints subscribed to that event', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/all?s={status}`, events: ['approved', 'reversed'] });
    const id = await convert(s);
    await deliveryOf(id, 'succeeded');
    expect((await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'reversed' })).status).toBe(200);
    await waitFor(
      'two deliveries',
      async () => (await stack.models.Delivery.countDocuments({ conversion_id: id, status: 'succeeded' })) === 2,
    );
    expect(receiver.requests.map((r) => r.url).sort()).toEqual(['/all?s=approved', '/all?s=reversed']);
  });

  it('a retried plan keeps a delivery an earlier attempt created, and an inactive endpoint still leaves an attempt row', async () => {
    const s = await f.setup({ goals });
    const created = await endpoint(s.affiliate.id, { url: `${receiver.url}/later`, events: ['pending'] });
    const id = await convert(s); // approved: the endpoint only wants 'pending', so nothing is planned
    await waitFor('the conversion to be approved', async () => (await stack.models.Conversion.findById(id).lean())?.status === 'approved');
    const activities = createActivities({ models: stack.models, now: () => new Date(), delivery: stack.config.delivery });
    const first = await activities.planDeliveries({ conversionId: id, event: 'pending', seq: 7 });
    expect(first).toHaveLength(1);
    // The endpoint is deactivated before Temporal retries the planning activity…
    await f.admin('delete', `/api/postbacks/${created.id}`);
    const retried = await activities.planDeliveries({ conversionId: id, event: 'pending', seq: 7 });
    expect(retried).toEqual(first); // …and the delivery already created is still handed to a workflow.
    const outcome = await activities.attemptDelivery({ deliveryId: first[0]!.deliveryId, run: 0, attempt: 1 });
    expect(outcome).toMatchObject({ outcome: 'inactive' });
    const rows = await stack.models.DeliveryAttempt.find({ delivery_id: first[0]!.deliveryId }).lean();
    expect(rows).toEqual([expect.objectContaining({ attempt: 1, outcome: 'inactive', request_url: '(not sent)' })]);
    expect(rows[0]!.error).toContain('deactivated through the API');
  });

  it('refuses unknown macros and macros in the host when the endpoint is saved', async () => {
    const aff = await f.affiliate();
    const unknown = await f.admin('post', `/api/affiliates/${aff.id}/postbacks`).send({ url: 'https://t.example/pb?x={nope}' });
    expect([unknown.status, unknown.body.issues[0].path]).toEqual([400, 'url']);
    expect(unknown.body.message).toContain('{nope}');
    const host = await f.admin('post', `/api/affiliates/${aff.id}/postbacks`).send({ url: 'https://{sub1}.t.example/pb' });
    expect(host.status).toBe(400);
    const unquoted = await f
      .admin('post', `/api/affiliates/${aff.id}/postbacks`)
      .send({ url: 'https://t.example/pb', method: 'POST', body: '{"payout":{payout}}' });
    expect([unquoted.status, unquoted.body.issues[0].path]).toEqual([400, 'body']);
    const quoted = await f
      .admin('post', `/api/affiliates/${aff.id}/postbacks`)
      .send({ url: 'https://t.example/pb', method: 'POST', body: '{"payout":"{payout}","meta":{"k":1}}' });
    expect(quoted.status).toBe(201);
    const secret = await f
      .admin('post', `/api/affiliates/${aff.id}/postbacks`)
      .send({ url: 'https://t.example/pb', signing_secret: 'short' });
    expect([secret.status, secret.body.issues[0].path]).toEqual([400, 'signing_secret']);
  });
});
