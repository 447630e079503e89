import { startReceiver, type Receiver } from '../support/receiver';
import { useTestStack } from '../support/preamble';
import { waitFor } from '../support/wait-for';

// Attempts at once, then 200, 400 and 800 ms later (TEST_SETTINGS), so a dead letter takes about 1.5 s.
const { stack, f } = useTestStack('delivery_issues');
let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver?.close();
});

const goals = [
  { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, allow_multiple: true },
];
type Setup = Awaited<ReturnType<typeof f.setup>>;

/** An affiliate with one endpoint at `url`, and `n` conversions that end with a delivery of `status`. */
async function undelivered(url: string, n: number, status: 'failed' | 'dead_lettered', existing?: { s: Setup; endpointId: string }) {
  const s = existing?.s ?? (await f.setup({ goals }));
  const endpointId = existing?.endpointId ?? (await f.endpoint(s.affiliate.id, { url })).id;
  const conversions: string[] = [];
  for (let i = 0; i < n; i += 1) conversions.push(await f.convert(s, { txid: `t${Math.random().toString(36).slice(2)}` }));
  for (const id of conversions) await waitFor(`a ${status} delivery of ${id}`, () => f.deliveriesIn(id, status));
  return { s, endpointId, conversions };
}

const issues = async (query: Record<string, string>) => {
  const res = await f.admin('get', '/api/delivery-issues').query(query);
  expect(res.status).toBe(200);
  return res.body as { data: Record<string, unknown>[]; scanned: number; truncated: boolean };
};

const bulk = (body: Record<string, unknown>) => f.admin('post', '/api/deliveries/redeliver').send(body);

describe('delivery issues', () => {
  it('groups undelivered deliveries by endpoint, error class (from the last attempt) and status', async () => {
    receiver.otherwise({ status: 400, body: 'unknown clickid' });
    const rejected = await undelivered(`${receiver.url}/four?e={event_id}`, 2, 'failed');
    receiver.otherwise({ status: 200 });
    // Nothing listens on port 9 of loopback: every attempt is refused, then the retries run out.
    const down = await undelivered('http://127.0.0.1:9/pb', 1, 'dead_lettered');
    // Not in DELIVERY_ALLOWED_NETWORKS: the address guard refuses it at once.
    const guarded = await undelivered('http://10.255.255.1/pb', 1, 'failed');
    // 503 three times, then no answer at all: the class comes from the last attempt (a timeout),
    // not from the last status code the delivery document still carries.
    const flaky = await startReceiver();
    flaky.reply({ status: 503 }, { status: 503 }, { status: 503 }, 'hang');
    const timedOut = await undelivered(`${flaky.url}/pb`, 1, 'dead_lettered');
    await flaky.close();

    const all = await issues({});
    const find = (endpointId: string) => all.data.filter((i) => i.endpoint_id === endpointId);
    expect(find(rejected.endpointId)).toEqual([
      expect.objectContaining({
        affiliate_id: rejected.s.affiliate.id,
        endpoint_host: new URL(receiver.url).host,
        error_class: 'http_4xx',
        status: 'failed',
        count: 2,
        last_error: 'HTTP 400: unknown clickid',
      }),
    ]);
    const [four] = find(rejected.endpointId);
    expect(Date.parse(four!.first_seen as string)).toBeLessThanOrEqual(Date.parse(four!.last_seen as string));
    expect((four!.recent as { conversion_id: string }[]).map((r) => r.conversion_id).sort()).toEqual([...rejected.conversions].sort());
    expect(find(down.endpointId)).toEqual([
      expect.objectContaining({
        error_class: 'connection',
        status: 'dead_lettered',
        count: 1,
        last_error: expect.stringMatching(/ECONNREFUSED/),
      }),
    ]);
    expect(find(guarded.endpointId)).toEqual([expect.objectContaining({ error_class: 'ssrf_refused', status: 'failed', count: 1 })]);
    expect(find(timedOut.endpointId)).toEqual([
      expect.objectContaining({
        error_class: 'timeout',
        status: 'dead_lettered',
        count: 1,
        last_error: expect.stringMatching(/timed out/),
      }),
    ]);
    expect(all.truncated).toBe(false);

    // Narrowed to one affiliate, only its issue.
    const one = await issues({ affiliate_id: down.s.affiliate.id });
    expect(one.data.map((i) => i.endpoint_id)).toEqual([down.endpointId]);
  });

  it("reports each endpoint's success rate in the window, last error and pause", async () => {
    const s = await f.setup({ goals });
    const { id: endpointId } = await f.endpoint(s.affiliate.id, { url: `${receiver.url}/health` });
    receiver.otherwise({ status: 200 });
    const ok = await f.convert(s, { txid: 'ok-1' });
    await waitFor('a delivered postback', () => f.deliveriesIn(ok, 'succeeded'));
    receiver.otherwise({ status: 404, body: 'no such campaign' });
    const bad = await f.convert(s, { txid: 'bad-1' });
    await waitFor('a failed postback', () => f.deliveriesIn(bad, 'failed'));
    receiver.otherwise({ status: 200 });
    // The breaker's own behaviour is delivery-breaker.test.ts's; here, that the health shows it.
    const resumes = new Date(Date.now() + 3_600_000);
    await stack.models.PostbackEndpoint.updateOne({ _id: endpointId }, { $set: { paused_until: resumes, consecutive_failures: 7 } });

    const res = await f.admin('get', '/api/delivery-health').query({ window_hours: 1, affiliate_id: s.affiliate.id });
    expect(res.status).toBe(200);
    expect(res.body.window.hours).toBe(1);
    expect(res.body.data).toEqual([
      {
        endpoint_id: endpointId,
        affiliate_id: s.affiliate.id,
        endpoint_host: new URL(receiver.url).host,
        active: true,
        deactivated_reason: null,
        attempts: 2,
        succeeded: 1,
        success_rate: 0.5,
        last_error: { at: expect.any(String), error_class: 'http_4xx', message: 'HTTP 404' },
        consecutive_failures: 7,
        paused: true,
        paused_until: resumes.toISOString(),
      },
    ]);
  });
});

describe('bulk redelivery: preview, then confirm with the same filter', () => {
  it('the dry run counts exactly what the real call then starts, and starts nothing itself', async () => {
    const failing = await startReceiver();
    failing.otherwise({ status: 422, body: 'bad payout' });
    const { endpointId, conversions } = await undelivered(`${failing.url}/bulk?e={event_id}`, 3, 'failed');
    const filter = { endpoint_id: endpointId, status: 'failed', error_class: 'http_4xx' };
    const sentBefore = failing.requests.length;
    const auditBefore = await stack.models.AuditEntry.countDocuments({ action: 'delivery.bulk_redeliver' });

    const preview = await bulk({ ...filter, dry_run: true });
    expect(preview.status).toBe(200);
    expect(preview.body).toEqual({ dry_run: true, matched: 3, total: 3, truncated: false, filter });
    expect(failing.requests.length).toBe(sentBefore);
    expect(await stack.models.AuditEntry.countDocuments({ action: 'delivery.bulk_redeliver' })).toBe(auditBefore);
    // Another class on the same endpoint matches none of them.
    expect((await bulk({ ...filter, error_class: 'http_5xx', dry_run: true })).body.matched).toBe(0);

    failing.otherwise({ status: 200 });
    const run = await bulk({ ...filter, expected_count: preview.body.matched });
    expect(run.status).toBe(202);
    expect(run.body).toEqual({ matched: 3, started: 3, truncated: false });
    for (const id of conversions) await waitFor(`a redelivered postback of ${id}`, () => f.deliveriesIn(id, 'succeeded'));
    const resent = failing.requests.slice(sentBefore);
    expect(resent).toHaveLength(3);
    const events = (await stack.models.Delivery.find({ conversion_id: { $in: conversions } }).lean()).map((d) => d.event_id).sort();
    expect(resent.map((r) => new URL(r.url, failing.url).searchParams.get('e')).sort()).toEqual(events);
    await failing.close();
  });

  it('refuses a confirmation whose count no longer matches, and starts nothing', async () => {
    const failing = await startReceiver();
    failing.otherwise({ status: 403 });
    const first = await undelivered(`${failing.url}/moved`, 2, 'failed');
    const filter = { endpoint_id: first.endpointId, status: 'failed' };
    const preview = await bulk({ ...filter, dry_run: true });
    expect(preview.body.matched).toBe(2);
    // Meanwhile one more fails the same way.
    await undelivered('', 1, 'failed', first);
    const sent = failing.requests.length;
    const auditBefore = await stack.models.AuditEntry.countDocuments();

    const refused = await bulk({ ...filter, expected_count: preview.body.matched });
    expect(refused.status).toBe(409);
    expect(refused.body).toMatchObject({
      error: 'count_changed',
      message: expect.stringMatching(/now matches 3 deliveries, not the 2 previewed/),
    });
    const docs = await stack.models.Delivery.find({ endpoint_id: first.endpointId }).lean();
    expect(docs.map((d) => [d.status, d.run])).toEqual(docs.map(() => ['failed', 0]));
    expect(failing.requests.length).toBe(sent);
    expect(await stack.models.AuditEntry.countDocuments()).toBe(auditBefore);

    const again = await bulk({ ...filter, dry_run: true });
    expect(again.body.matched).toBe(3);
    await failing.close();
  });
});
