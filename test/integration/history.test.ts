import { WorkflowNotFoundError } from '@temporalio/client';
import { deliveryWorkflowId } from '../../workflows/contract';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';
import type { Timeline } from '../../api/timeline/load';

const { stack, f } = useTestStack('history');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const history = async (id: string) => {
  const res = await f.admin('get', `/api/conversions/${id}/history`);
  expect(res.status).toBe(200);
  return res.body as Timeline;
};

/** Asserts that entries matching each pattern appear, each after the previous one. */
function expectInOrder(timeline: Timeline, steps: { kind: string; title: RegExp; outcome?: string }[]) {
  let from = 0;
  for (const step of steps) {
    const index = timeline.entries.findIndex(
      (e, i) => i >= from && e.kind === step.kind && step.title.test(e.title) && (step.outcome === undefined || e.outcome === step.outcome),
    );
    if (index < 0)
      throw new Error(
        `no ${step.kind} entry matching ${step.title} after entry ${from}; timeline:\n` +
          `${timeline.entries.map((e, i) => `${i} ${e.kind} ${e.outcome} ${e.title}`).join('\n')}`,
      );
    from = index + 1;
  }
}

describe('GET /api/conversions/:id/history', () => {
  it('shows a fraud hold, a manual approval and a delivery that failed twice then succeeded, in order', async () => {
    // Held for review: the postback comes from another IP than the click, and the offer holds on fraud.
    const s = await f.setup({ fraud: { require_same_ip: true, action: 'hold' } });
    const endpoint = await f
      .admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`)
      .send({ url: `${receiver.url}/pb?e={event_id}&token=affiliate-secret`, events: ['approved'] });
    expect(endpoint.status).toBe(201);
    receiver.reply({ status: 500, body: 'down' }, { status: 503, body: 'still down' }, { status: 200, body: 'ok' });

    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, ip: '203.0.113.9', txid: 'order-1' });
    expect(res.status).toBe(200);
    const id = res.body.conversion_id as string;
    await waitFor('the conversion to be held', async () => (await stack.models.Conversion.findById(id).lean())?.status === 'held');

    const approved = await f.admin('post', `/api/conversions/${id}/status`).send({ status: 'approved', reason: 'reviewed by ops' });
    expect(approved.status).toBe(200);
    await waitFor(
      'the delivery to succeed',
      async () => (await stack.models.Delivery.findOne({ conversion_id: id }).lean())?.status === 'succeeded',
    );

    const timeline = await waitFor('the delivery workflow to close', async () => {
      const t = await history(id);
      return t.entries.some((e) => e.kind === 'delivery_result') ? t : undefined;
    });
    expectInOrder(timeline, [
      {
        kind: 'received',
        title: /^postback received: click clk_\w+, goal sale, txid order-1, from 203\.0\.113\.9$/,
        outcome: 'ok',
      },
      {
        kind: 'fraud_check',
        title: /^fraud rule require_same_ip .*: failed, conversion came from 203\.0\.113\.9, the click from 198\.51\.100\.7$/,
        outcome: 'failed',
      },
      { kind: 'fraud_verdict', title: /^fraud screening: hold for review \(ip_mismatch\)$/, outcome: 'waiting' },
      { kind: 'attribution', title: /payout 5\.00 USD, revenue 8\.00 USD$/, outcome: 'ok' },
      { kind: 'cap', title: /^no cap applies$/ },
      { kind: 'status_change', title: /^processing → held by system/ },
      { kind: 'status_request', title: /^ops asked for approved \("reviewed by ops"\): applied$/, outcome: 'ok' },
      { kind: 'status_change', title: /^held → approved by ops: reviewed by ops$/ },
      { kind: 'ledger', title: /^ledger: affiliate_payable \+5\.00 USD, advertiser_receivable \+8\.00 USD$/ },
      { kind: 'delivery_planned', title: /^event approved: 1 affiliate postback\(s\) planned/ },
      { kind: 'delivery_started', title: /^delivery dl_\w+ of event approved/ },
      { kind: 'delivery_attempt', title: /^attempt 1: HTTP 500, will retry$/, outcome: 'failed' },
      { kind: 'delivery_wait', title: /^waiting \d+ ms before the next attempt$/ },
      { kind: 'delivery_attempt', title: /^attempt 2: HTTP 503, will retry$/, outcome: 'failed' },
      { kind: 'delivery_attempt', title: /^attempt 3: HTTP 200, delivered$/, outcome: 'ok' },
      { kind: 'delivery_result', title: /^delivered after 3 attempt\(s\)$/, outcome: 'ok' },
    ]);
    const times = timeline.entries.map((e) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => a - b));

    // The attempt rows' responses ride along; secrets in the affiliate's URL stay masked.
    const firstAttempt = timeline.entries.find((e) => e.kind === 'delivery_attempt')!;
    expect(firstAttempt.detail).toMatchObject({ status_code: 500, response_excerpt: 'down' });
    expect(JSON.stringify(timeline)).not.toContain('affiliate-secret');
    expect(JSON.stringify(timeline)).not.toContain(s.token);

    // Approved conversions stay open for reversals: the timeline reads a running workflow.
    expect(timeline).toMatchObject({
      conversion_id: id,
      status: 'approved',
      workflow_status: 'RUNNING',
      history_available: true,
    });
    expect(timeline.temporal_ui_url).toBe(`http://localhost:8233/namespaces/default/workflows/conversion-${id}/${timeline.run_id}/history`);
    expect(timeline.entries.at(-1)!.kind).not.toBe('workflow');
    expect(timeline.entries.some((e) => e.kind === 'wait' && e.outcome === 'waiting' && /^reversal window/.test(e.title))).toBe(true);
  });

  it('tells a delivery whose first attempt succeeded inside the conversion workflow, which then started no delivery workflow', async () => {
    const s = await f.setup({
      goals: [
        { key: 'sale', payout: { type: 'fixed', amount: '1.00' }, revenue: { type: 'fixed', amount: '2.00' }, default_status: 'approved' },
      ],
    });
    await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/pb?e={event_id}` });
    const id = (await f.http().get('/postback').query({ click_id: s.clickId, token: s.token })).body.conversion_id as string;
    const delivery = await waitFor('the delivery to succeed', async () =>
      stack.models.Delivery.findOne({ conversion_id: id, status: 'succeeded' })
        .lean()
        .then((d) => d ?? undefined),
    );
    const timeline = await history(id);
    expectInOrder(timeline, [
      { kind: 'status_change', title: /^processing → approved by system/ },
      { kind: 'delivery_planned', title: /^event approved: 1 affiliate postback\(s\) planned/ },
      {
        kind: 'delivery_started',
        title: new RegExp(`^delivery ${delivery._id} of event approved .*first attempt inside the conversion workflow$`),
      },
      { kind: 'delivery_attempt', title: /^attempt 1: HTTP 200, delivered$/, outcome: 'ok' },
      { kind: 'delivery_result', title: /^delivered after 1 attempt\(s\)$/, outcome: 'ok' },
    ]);
    expect(timeline.entries.filter((e) => e.kind.startsWith('delivery_')).every((e) => e.source === 'conversion')).toBe(true);
    expect(timeline.entries.find((e) => e.kind === 'delivery_attempt')!.detail).toMatchObject({ status_code: 200, method: 'GET' });
    await expect(stack.client.workflow.getHandle(deliveryWorkflowId(delivery._id)).describe()).rejects.toBeInstanceOf(
      WorkflowNotFoundError,
    );
  });

  it('shows every run of a redelivered postback, oldest first', async () => {
    const s = await f.setup({
      goals: [
        {
          key: 'sale',
          payout: { type: 'fixed', amount: '1.00' },
          revenue: { type: 'fixed', amount: '2.00' },
          default_status: 'approved',
        },
      ],
    });
    await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/pb?e={event_id}` });
    const id = (await f.http().get('/postback').query({ click_id: s.clickId, token: s.token })).body.conversion_id as string;
    const delivered = () =>
      waitFor('the delivery to succeed', async () =>
        stack.models.Delivery.findOne({ conversion_id: id, status: 'succeeded' })
          .lean()
          .then((d) => d ?? undefined),
      );
    const delivery = await delivered();
    expect((await f.admin('post', `/api/deliveries/${delivery._id}/redeliver`)).status).toBe(202);
    await waitFor(
      'the redelivery to succeed',
      async () => (await stack.models.Delivery.findOne({ _id: delivery._id, run: 1, status: 'succeeded' }).lean()) !== null,
    );

    const timeline = await waitFor('both runs in the timeline', async () => {
      const t = await history(id);
      return t.entries.filter((e) => e.kind === 'delivery_result').length === 2 ? t : undefined;
    });
    expectInOrder(timeline, [
      { kind: 'delivery_started', title: new RegExp(`^delivery ${delivery._id} `) },
      { kind: 'delivery_result', title: /^delivered after 1 attempt\(s\)$/ },
      { kind: 'delivery_started', title: new RegExp(`^redelivery \\(run 1\\) ${delivery._id} `) },
      { kind: 'delivery_result', title: /^delivered after 1 attempt\(s\)$/ },
    ]);
  });

  it('shows a rejected conversion to its end, closed workflow included', async () => {
    const s = await f.setup();
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token, status: 'declined' });
    const id = res.body.conversion_id as string;
    const timeline = await waitFor('the workflow to close', async () => {
      const t = await history(id);
      return t.workflow_status === 'COMPLETED' ? t : undefined;
    });
    expectInOrder(timeline, [
      { kind: 'received', title: /status declined/ },
      { kind: 'fraud_verdict', title: /passed/ },
      {
        kind: 'status_change',
        title: /^processing → rejected by system: the first postback said declined \[advertiser_declined\]$/,
        outcome: 'failed',
      },
      { kind: 'workflow', title: /^workflow closed with the conversion rejected$/ },
    ]);
  });

  it('answers 404 for an unknown conversion and 401 without the admin key', async () => {
    expect((await f.admin('get', '/api/conversions/cv_doesnotexist/history')).status).toBe(404);
    expect((await f.http().get('/api/conversions/cv_doesnotexist/history')).status).toBe(401);
  });
});
