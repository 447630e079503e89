import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

// Attempts at once, then 200, 400 and 800 ms later (TEST_SETTINGS).
const { f } = useTestStack('delivery_log');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

describe("the affiliate's delivery log", () => {
  it('shows each attempt: what was sent (secrets masked) and what the server answered, with the next retry', async () => {
    const s = await f.setup();
    receiver.reply({ status: 503, body: 'busy, try later' }, { status: 200, body: '{"ok":true}' });
    const endpoint = await f.endpoint(s.affiliate.id, {
      url: `${receiver.url}/pb?e={event_id}&api_key=hunter2secret`,
      method: 'POST',
      body: '{"id":"{event_id}","payout":"{payout}","token":"tok-in-template"}',
      signing_secret: `whsec_${Buffer.alloc(32, 3).toString('base64')}`,
    });
    const conversionId = await f.convert(s, { txid: 'log-1' });
    const [delivery] = await waitFor('the delivery to succeed on its second attempt', () => f.deliveriesIn(conversionId, 'succeeded'));

    const page = await f.admin('get', `/api/deliveries/${delivery!._id}/attempts`);
    expect(page.status).toBe(200);
    expect(page.body.next_offset).toBeNull();
    const [failed, succeeded] = page.body.data;
    expect(page.body.data).toHaveLength(2);
    const sent = {
      delivery_id: delivery!._id,
      endpoint_id: endpoint.id,
      run: 0,
      method: 'POST',
      request_url: `${receiver.url}/pb?e=${delivery!.event_id}&api_key=***`,
      request_headers: {
        'user-agent': 'postflow',
        'content-type': 'application/json',
        'webhook-id': delivery!.event_id,
        'webhook-timestamp': expect.stringMatching(/^\d{10}$/),
        'webhook-signature': 'v1,***',
      },
      request_body: JSON.stringify({ id: delivery!.event_id, payout: '5.00', token: '***' }),
    };
    expect(failed).toEqual({
      id: expect.any(String),
      event_id: delivery!.event_id,
      ...sent,
      attempt: 1,
      outcome: 'retry',
      status_code: 503,
      response_excerpt: 'busy, try later',
      duration_ms: expect.any(Number),
      error_class: 'http_5xx',
      at: expect.any(String),
      next_attempt_at: expect.any(String),
      test: false, // a real conversion's attempt (test postbacks say true)
    });
    expect(Date.parse(failed.next_attempt_at) - Date.parse(failed.at)).toBeGreaterThanOrEqual(200);
    expect(succeeded).toMatchObject({ ...sent, attempt: 2, outcome: 'success', status_code: 200, response_excerpt: '{"ok":true}' });
    expect(succeeded).not.toHaveProperty('error_class');
    expect(succeeded.next_attempt_at ?? null).toBeNull();
    // What the receiver got is what the log says was sent (before masking).
    expect(receiver.requests.map((r) => r.body)).toEqual([
      JSON.stringify({ id: delivery!.event_id, payout: '5.00', token: 'tok-in-template' }),
      JSON.stringify({ id: delivery!.event_id, payout: '5.00', token: 'tok-in-template' }),
    ]);

    // The delivery's own read lists the same attempts; a run filter and paging narrow the list.
    const read = await f.admin('get', `/api/deliveries/${delivery!._id}`);
    expect(read.body.attempts).toEqual(page.body.data);
    const firstOnly = await f.admin('get', `/api/deliveries/${delivery!._id}/attempts?limit=1`);
    expect(firstOnly.body).toEqual({ data: [failed], next_offset: 1 });
    expect((await f.admin('get', `/api/deliveries/${delivery!._id}/attempts?run=1`)).body.data).toEqual([]);
    expect((await f.admin('get', '/api/deliveries/dl_missing/attempts')).status).toBe(404);

    // A list scoped to the affiliate holds its deliveries only.
    const other = await f.setup();
    await f.endpoint(other.affiliate.id, { url: `${receiver.url}/other` });
    const otherConversion = await f.convert(other, { txid: 'log-other' });
    await waitFor('the other affiliate’s delivery', () => f.deliveriesIn(otherConversion, 'succeeded'));
    const mine = await f.admin('get', `/api/deliveries?affiliate_id=${s.affiliate.id}`);
    expect(mine.body.data.map((d: { id: string }) => d.id)).toEqual([delivery!._id]);
    expect(JSON.stringify([page.body, read.body])).not.toContain('hunter2secret');
  });

  it("a bulk redelivery filtered by affiliate touches only that affiliate's deliveries", async () => {
    const [a, b] = [await f.setup(), await f.setup()];
    const failing = { status: 400, body: 'bad request' } as const;
    receiver.reply(failing, failing);
    await f.endpoint(a.affiliate.id, { url: `${receiver.url}/a` });
    await f.endpoint(b.affiliate.id, { url: `${receiver.url}/b` });
    const [mine] = await waitFor('A’s delivery to fail', async () => f.deliveriesIn(await f.convert(a, { txid: 'bulk-a' }), 'failed'));
    const theirs = await f.convert(b, { txid: 'bulk-b' });
    await waitFor('B’s delivery to fail', () => f.deliveriesIn(theirs, 'failed'));

    const filter = { affiliate_id: a.affiliate.id, status: 'failed' };
    const preview = await f.admin('post', '/api/deliveries/redeliver').send({ ...filter, dry_run: true });
    expect(preview.body).toMatchObject({ matched: 1, total: 1, filter });
    const started = await f.admin('post', '/api/deliveries/redeliver').send({ ...filter, expected_count: 1 });
    expect(started.body).toMatchObject({ matched: 1, started: 1 });
    await waitFor(
      'A’s redelivery to succeed',
      async () => (await f.admin('get', `/api/deliveries/${mine!._id}`)).body.status === 'succeeded',
    );
    const other = await f.admin('get', `/api/deliveries?affiliate_id=${b.affiliate.id}`);
    expect(other.body.data).toEqual([expect.objectContaining({ status: 'failed', run: 0 })]);
  });
});
