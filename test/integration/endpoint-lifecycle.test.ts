import { postbackMacros, renderPostbackUrl } from '../../domain/postback-macros';
import { deliveryWorkflowId } from '../../domain/workflow-ids';
import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

// DELIVERY_PAUSE_MS is 500 in TEST_SETTINGS, so a delivery waiting on a paused endpoint looks
// again only after 64 × 500 ms = 32 s: a drain within the 10 s below is the resume signal's doing.
const { stack, f } = useTestStack('endpoint_lifecycle');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});
beforeEach(() => {
  receiver.requests.length = 0;
});

describe('postback endpoint lifecycle', () => {
  it('a paused endpoint holds its deliveries without spending attempts; resuming sends them at once', async () => {
    const s = await f.setup();
    const endpoint = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/paused?e={event_id}` });
    const paused = await f.admin('post', `/api/postbacks/${endpoint.id}/pause`);
    expect(paused.status).toBe(200);
    expect(paused.body).toMatchObject({ paused: true, paused_until: null, active: true });
    expect(Date.parse(paused.body.paused_at)).toBeGreaterThan(Date.now() - 60_000);
    // Pausing again changes nothing (the first pause's time stays).
    expect((await f.admin('post', `/api/postbacks/${endpoint.id}/pause`)).body.paused_at).toBe(paused.body.paused_at);

    const conversionId = await f.convert(s, { txid: 'pause-1' });
    const [delivery] = await waitFor('a delivery waiting on the pause', () => f.deliveriesIn(conversionId, 'delivering'));
    // The retry workflow has looked (attempt 1 found the pause) and waits: its timer is the re-check.
    const handle = stack.client.workflow.getHandle(deliveryWorkflowId(delivery!._id));
    await waitFor('the delivery workflow to wait on the pause', async () => {
      const history = await handle.fetchHistory().catch(() => undefined);
      return history?.events?.some((e) => e.timerStartedEventAttributes) ?? false;
    });
    expect(receiver.requests).toHaveLength(0);
    expect(await stack.models.DeliveryAttempt.countDocuments({ delivery_id: delivery!._id })).toBe(0);
    const timeline = await f.admin('get', `/api/conversions/${conversionId}/history`);
    expect(timeline.text).toContain('endpoint paused by hand: waiting for it to be resumed');

    const resumed = await f.admin('post', `/api/postbacks/${endpoint.id}/resume`);
    expect(resumed.body).toMatchObject({ paused: false, paused_at: null });
    const [done] = await waitFor('the delivery after the resume', () => f.deliveriesIn(conversionId, 'succeeded'), 10_000);
    expect(done!.attempt_count).toBe(1); // the pause spent none
    expect(receiver.requests).toHaveLength(1);

    const audit = await f.admin('get', `/api/audit?target_id=${endpoint.id}`);
    expect(audit.body.data.map((e: { action: string }) => e.action)).toEqual(
      expect.arrayContaining(['postback_endpoint.pause', 'postback_endpoint.resume']),
    );
  });

  it('lists every macro the expander knows, and an endpoint using each one gets each expanded', async () => {
    const res = await f.admin('get', '/api/postback-macros');
    expect(res.status).toBe(200);
    const listed = res.body.data as { name: string; macro: string; description: string; example: string }[];
    expect(listed.map((m) => m.name)).toEqual([...postbackMacros]); // the expander's own table, in its order
    for (const m of listed) {
      expect(m.macro).toBe(`{${m.name}}`);
      expect(m.description.length).toBeGreaterThan(5);
      // The example is what the expander puts in place of the macro.
      expect(renderPostbackUrl(`https://t.example/pb?v=${m.macro}`, { [m.name]: m.example })).toBe(
        `https://t.example/pb?v=${encodeURIComponent(m.example)}`,
      );
    }

    // A real delivery to a template that uses every listed macro: none is left unexpanded or empty.
    const s = await f.setup();
    const subs = { sub1: 's-1', sub2: 's-2', sub3: 's-3', sub4: 's-4', sub5: 's-5' };
    const clickId = await f.click(s.offer.id, s.affiliate.id, subs);
    const query = listed.map((m) => `${m.name}=${m.macro}`).join('&');
    const created = await f.admin('post', `/api/affiliates/${s.affiliate.id}/postbacks`).send({ url: `${receiver.url}/all?${query}` });
    expect(created.status).toBe(201);
    const conversionId = await f.convert({ clickId, token: s.token }, { txid: 'macro-1' });
    await waitFor('the delivery using every macro', () => f.deliveriesIn(conversionId, 'succeeded'));
    const got = new URL(receiver.requests[0]!.url, receiver.url).searchParams;
    expect(receiver.requests[0]!.url).not.toMatch(/[{}]|%7B|%7D/);
    for (const m of listed) expect([m.name, got.get(m.name)]).toEqual([m.name, expect.stringMatching(/.+/)]);
    expect(Object.fromEntries(['conversion_id', 'click_id', 'txid', 'sub3'].map((n) => [n, got.get(n)]))).toEqual({
      conversion_id: conversionId,
      click_id: clickId,
      txid: 'macro-1',
      sub3: 's-3',
    });
  });

  it('edit and delete: a deactivated endpoint gets no new deliveries', async () => {
    const s = await f.setup();
    const endpoint = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/old` });
    const edited = await f.admin('patch', `/api/postbacks/${endpoint.id}`).send({ url: `${receiver.url}/new?e={event_id}` });
    expect(edited.body).toMatchObject({ url: `${receiver.url}/new?e={event_id}`, paused: false, rotation_overlap_until: null });
    const deleted = await f.admin('delete', `/api/postbacks/${endpoint.id}`);
    expect(deleted.body).toMatchObject({ active: false });
    // A second endpoint is the witness that deliveries were planned.
    const witness = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/witness` });
    const conversionId = await f.convert(s, { txid: 'deleted-1' });
    const planned = await waitFor('the witness delivery', () => f.deliveriesIn(conversionId, 'succeeded'));
    expect(planned.map((d) => d.endpoint_id)).toEqual([witness.id]);
  });
});
