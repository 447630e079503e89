import { loadConfig } from '../../config';
import { defaultDeliverySchedule, parseSchedule } from '../../domain/retry-schedule';
import { fixtures } from '../support/fixtures';
import { startReceiver, type Receiver } from '../support/receiver';
import { PRODUCTION_DELIVERY } from '../support/stack';
import { describeTimeSkipping, startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping';
import { waitFor } from '../support/wait-for';

/**
 * The delivery schedule at the deployment's defaults (ten attempts over about three days), on
 * the time-skipping server (test/support/time-skipping.ts). Attempt times are the server's clock.
 */
const production = loadConfig({ DELIVERY_ALLOWED_NETWORKS: '127.0.0.0/8,::1/128' }).delivery;
/** An attempt starts its planned delay (±10 % jitter) after the previous one, plus that one's own run time. */
const RUN_SLACK_MS = 2_000;

let stack: TimeSkippingStack;
let f: ReturnType<typeof fixtures>;
let receiver: Receiver;

const goals = [{ key: 'sale', payout: { type: 'fixed', amount: '5.25' }, revenue: { type: 'fixed', amount: '8.00' } }];

const endpoint = (affiliateId: string, body: Record<string, unknown>) => f.endpoint(affiliateId, body);

/** Waits, letting the server's clock skip ahead, until every delivery of the conversion has `status`. */
const deliveryOf = (conversionId: string, status: string) =>
  stack.skipWhile(() => waitFor(`a ${status} delivery of ${conversionId}`, () => f.deliveriesIn(conversionId, status)));

const convert = (setup: Awaited<ReturnType<typeof f.setup>>, query: Record<string, string> = {}) => f.convert(setup, query);

const attemptsOf = (deliveryId: string, run = 0) =>
  stack.models.DeliveryAttempt.find({ delivery_id: deliveryId, run }).sort({ attempt: 1 }).lean();

/** The time between consecutive attempts, in ms of the server's clock. */
const gaps = (attempts: Array<{ at: Date }>) => attempts.slice(1).map((a, i) => a.at.getTime() - attempts[i]!.at.getTime());

describeTimeSkipping('affiliate postback delivery on the production schedule', () => {
  beforeAll(async () => {
    stack = await startTimeSkippingStack('delivery-schedule', { settings: PRODUCTION_DELIVERY });
    f = fixtures(stack);
    receiver = await startReceiver();
  });
  afterAll(async () => {
    await receiver?.close();
    await stack?.stop();
  });
  beforeEach(() => {
    receiver.requests.length = 0;
    receiver.otherwise({ status: 200, body: 'ok' });
  });

  it('the schedule is the documented default', () => {
    expect(production.scheduleMs).toEqual(parseSchedule(defaultDeliverySchedule));
    expect(production.scheduleMs).toEqual([0, 5e3, 3e5, 18e5, 72e5, 18e6, 36e6, 504e5, 72e6, 864e5]);
  });

  it('follows the retry schedule with one event id, and honours a Retry-After longer than the next step', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/flaky?e={event_id}` });
    receiver.reply({ status: 500 }, { status: 429, headers: { 'retry-after': '3600' } });
    const id = await convert(s);
    const [delivery] = await deliveryOf(id, 'succeeded');
    expect(receiver.requests).toHaveLength(3);
    expect(new Set(receiver.requests.map((r) => r.url)).size).toBe(1); // the same event id every time

    const attempts = await attemptsOf(delivery!._id);
    expect(attempts.map((a) => [a.attempt, a.status_code, a.outcome])).toEqual([
      [1, 500, 'retry'],
      [2, 429, 'retry'],
      [3, 200, 'success'],
    ]);
    // Each row says when the next attempt is due: 5 s later, then the hour Retry-After asked for (not 5 min).
    expect(attempts[0]!.next_attempt_at!.getTime() - attempts[0]!.at.getTime()).toBe(5_000);
    expect(attempts[1]!.next_attempt_at!.getTime() - attempts[1]!.at.getTime()).toBe(3_600_000);
    const [first, second] = gaps(attempts);
    expect(first).toBeGreaterThanOrEqual(4_500);
    expect(first).toBeLessThanOrEqual(5_500 + RUN_SLACK_MS);
    expect(second).toBeGreaterThanOrEqual(3_600_000);
    expect(second).toBeLessThanOrEqual(3_600_000 + RUN_SLACK_MS);
  });

  it('dead-letters after the tenth attempt, about three days on, then one call redelivers it with the same event id', async () => {
    const s = await f.setup({ goals });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/down?e={event_id}` });
    receiver.otherwise({ status: 503 });
    const id = await convert(s);
    const [dead] = await deliveryOf(id, 'dead_lettered');
    expect(dead!.attempt_count).toBe(10);
    expect(receiver.requests).toHaveLength(10);
    const attempts = await attemptsOf(dead!._id);
    gaps(attempts).forEach((gap, i) => {
      const planned = production.scheduleMs[i + 1]!;
      expect(gap).toBeGreaterThanOrEqual(planned * 0.9);
      expect(gap).toBeLessThanOrEqual(planned * 1.1 + RUN_SLACK_MS);
    });
    const span = attempts.at(-1)!.at.getTime() - attempts[0]!.at.getTime();
    expect(span).toBeGreaterThan(2.8 * 86_400_000); // 3 d 3.6 h ± 10 %
    expect(span).toBeLessThan(3.5 * 86_400_000);
    const listed = await f.admin('get', '/api/deliveries').query({ affiliate_id: s.affiliate.id, status: 'dead_lettered' });
    expect(listed.body.data.map((d: { id: string }) => d.id)).toEqual([dead!._id]);

    receiver.otherwise({ status: 200 });
    const redelivered = await f.admin('post', `/api/deliveries/${dead!._id}/redeliver`);
    expect(redelivered.status).toBe(202);
    await deliveryOf(id, 'succeeded');
    expect(new Set(receiver.requests.map((r) => r.url)).size).toBe(1);
    expect(await attemptsOf(dead!._id, 0)).toHaveLength(10);
    expect((await attemptsOf(dead!._id, 1)).map((a) => a.outcome)).toEqual(['success']);
  });

  it('bulk redelivery by affiliate reports how many it started', async () => {
    const s = await f.setup({ goals: [{ ...goals[0], allow_multiple: true }] });
    await endpoint(s.affiliate.id, { url: `${receiver.url}/bulk` });
    receiver.otherwise({ status: 500 });
    const ids = [await convert(s, { txid: '1' }), await convert(s, { txid: '2' })];
    for (const id of ids) await deliveryOf(id, 'dead_lettered');
    receiver.otherwise({ status: 200 });
    const res = await f.admin('post', '/api/deliveries/redeliver').send({ affiliate_id: s.affiliate.id });
    expect(res.body).toMatchObject({ matched: 2, started: 2 });
    for (const id of ids) await deliveryOf(id, 'succeeded');
  });
});
