import { loadConfig } from '../../config';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { payableMinor, type LifecycleStatus } from '../../domain/status';
import { fixtures } from '../support/fixtures';
import { describeTimeSkipping, startTimeSkippingStack, type TimeSkippingStack } from '../support/time-skipping';
import { waitFor } from '../support/wait-for';

/** The lifecycle's timers at their real lengths, on the time-skipping server (test/support/time-skipping.ts). */
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** Holds are set per goal; three days is a common one. */
const HOLD_HOURS = 72;
/** The deployment default, as the API starts conversions with it. */
const REVERSAL_WINDOW_MS = loadConfig({}).lifecycle.reversalWindowHours * HOUR_MS;

let stack: TimeSkippingStack;
let f: ReturnType<typeof fixtures>;

const sale = (extra: Record<string, unknown> = {}) => [
  { key: 'sale', payout: { type: 'fixed', amount: '5.00' }, revenue: { type: 'fixed', amount: '8.00' }, ...extra },
];

const statusOf = (id: string, status: LifecycleStatus) =>
  waitFor(`conversion ${id} to be ${status}`, async () => {
    const doc = await stack.models.Conversion.findById(id).lean();
    return doc?.status === status ? doc : undefined;
  });

const ledgerLines = (id: string) => stack.models.LedgerEntry.countDocuments({ conversion_id: id });

/** Invariant 3: the conversion's ledger always sums to what its current status makes payable. */
async function expectLedgerMatches(id: string) {
  const doc = await stack.models.Conversion.findById(id).lean();
  const entries = await stack.models.LedgerEntry.find({ conversion_id: id }).lean();
  const sum = (account: string) => entries.filter((e) => e.account === account).reduce((t, e) => t + e.amount_minor, 0);
  expect(sum('affiliate_payable')).toBe(payableMinor(doc!.status as LifecycleStatus, doc!.payout_minor ?? 0));
  expect(sum('advertiser_receivable')).toBe(payableMinor(doc!.status as LifecycleStatus, doc!.revenue_minor ?? 0));
}

const setStatus = (id: string, status: string, reason = 'test') =>
  f.admin('post', `/api/conversions/${id}/status`).send({ status, reason });

describeTimeSkipping('lifecycle timers at their production lengths', () => {
  beforeAll(async () => {
    stack = await startTimeSkippingStack('lifecycle-timers');
    f = fixtures(stack);
  });
  afterAll(async () => {
    await stack?.stop();
  });

  it(`a ${HOLD_HOURS} h hold period holds until it has elapsed, then approves`, async () => {
    const s = await f.setup({ goals: sale({ hold_hours: HOLD_HOURS }) });
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
    const id = res.body.conversion_id as string;
    const held = await statusOf(id, 'held');
    expect(held.reason_codes).toEqual(['hold_period']);

    await stack.skip(HOLD_HOURS * HOUR_MS - MINUTE_MS);
    expect((await stack.models.Conversion.findById(id).lean())!.status).toBe('held');
    expect(await ledgerLines(id)).toBe(0);

    await stack.skip(2 * MINUTE_MS);
    const approved = await statusOf(id, 'approved');
    expect(approved.status_history.at(-1)).toMatchObject({
      from: 'held',
      to: 'approved',
      actor: 'system',
      reason: 'hold period elapsed',
    });
    await expectLedgerMatches(id);
  });

  it('an approved conversion stays open for the default reversal window, then a reversal is applied from the projection', async () => {
    expect(REVERSAL_WINDOW_MS).toBe(90 * 24 * HOUR_MS);
    const s = await f.setup({ goals: sale() });
    const res = await f.http().get('/postback').query({ click_id: s.clickId, token: s.token });
    const id = res.body.conversion_id as string;
    await statusOf(id, 'approved');
    const handle = stack.client.workflow.getHandle(conversionWorkflowId(id));

    await stack.skip(REVERSAL_WINDOW_MS - MINUTE_MS);
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await stack.skip(2 * MINUTE_MS);
    expect((await handle.describe()).status.name).toBe('COMPLETED');
    await expect(handle.result()).resolves.toMatchObject({ status: 'approved' });

    const reversal = await setStatus(id, 'reversed', 'chargeback');
    expect(reversal.status).toBe(200);
    expect(reversal.body).toMatchObject({ changed: true, status: 'reversed', reason_codes: ['chargeback'] });
    await expectLedgerMatches(id);
    expect(await ledgerLines(id)).toBe(4);
    const again = await setStatus(id, 'reversed', 'chargeback');
    expect([again.status, again.body.changed]).toEqual([200, false]);
    expect(await ledgerLines(id)).toBe(4);
  });
});
