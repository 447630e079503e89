import { createActivities } from '../../activities';
import type { TransitionInput } from '../../domain/steps';
import { useTestStack } from '../support/preamble';

/**
 * recordTransition books a transition's two ledger entries in one unordered insert. An attempt
 * that died half-way (one entry booked, or both, before the projection moved) is retried: the
 * retry must book what is missing, never an entry twice, and count each entry once in the
 * report roll-ups.
 */
const { stack } = useTestStack('ledger_booking');

const receivedAt = new Date('2026-11-03T10:00:00Z');
const now = () => new Date('2026-11-03T10:00:05Z');

async function conversion(id: string): Promise<TransitionInput> {
  await stack.models.Conversion.collection.insertOne({
    _id: id,
    dedupe_key: `key-${id}`,
    offer_id: 'off_1',
    affiliate_id: 'aff_1',
    advertiser_id: 'adv_1',
    click_id: `clk_${id}`,
    goal: 'sale',
    currency: 'USD',
    status: 'processing',
    status_seq: -1,
    received_at: receivedAt,
  } as never);
  return {
    conversionId: id,
    seq: 0,
    from: 'processing',
    to: 'approved',
    reasonCodes: [],
    actor: 'system',
    payoutMinor: 1250,
    revenueMinor: 1875,
    currency: 'USD',
    affiliateId: 'aff_1',
    advertiserId: 'adv_1',
    offerId: 'off_1',
  };
}

/** The entry an earlier attempt booked before it died, exactly as recordTransition writes it. */
const entry = (conversionId: string, account: 'affiliate_payable' | 'advertiser_receivable', amount: number) => ({
  _id: `${conversionId}:0:${account}`,
  account,
  amount_minor: amount,
  conversion_id: conversionId,
  seq: 0,
  affiliate_id: 'aff_1',
  advertiser_id: 'adv_1',
  offer_id: 'off_1',
  currency: 'USD',
  status_from: 'processing',
  status_to: 'approved',
  created_at: new Date('2026-11-03T10:00:01Z'),
});

const entriesOf = (conversionId: string) => stack.models.LedgerEntry.find({ conversion_id: conversionId }).lean();

describe('recordTransition books both ledger entries once, however often it is retried', () => {
  it.each([
    ['only the payable', ['affiliate_payable'] as const],
    ['only the receivable', ['advertiser_receivable'] as const],
    ['both', ['affiliate_payable', 'advertiser_receivable'] as const],
  ])('an attempt that booked %s before dying: the retry books the rest, once', async (_name, earlier) => {
    const id = `cv_half_${earlier.join('_')}`;
    const input = await conversion(id);
    for (const account of earlier)
      await stack.models.LedgerEntry.collection.insertOne(entry(id, account, account === 'affiliate_payable' ? 1250 : 1875) as never);

    const activities = createActivities({ models: stack.models, now });
    await activities.recordTransition(input);
    await activities.recordTransition(input); // and a retry after success

    const entries = await entriesOf(id);
    expect(entries.map((e) => [e.account, e.amount_minor]).sort()).toEqual([
      ['advertiser_receivable', 1875],
      ['affiliate_payable', 1250],
    ]);
    const moved = await stack.models.Conversion.findById(id).lean();
    expect(moved?.status).toBe('approved');
    expect(moved?.status_history).toHaveLength(1);
  });

  it('counts each entry once in the roll-ups, whichever attempt booked it', async () => {
    const before = await sumRollups();
    const id = 'cv_rollup_once';
    const input = await conversion(id);
    await stack.models.LedgerEntry.collection.insertOne(entry(id, 'affiliate_payable', 1250) as never);
    const activities = createActivities({ models: stack.models, now });
    await activities.recordTransition(input);
    await activities.recordTransition(input);
    const after = await sumRollups();
    expect(after.payable - before.payable).toBe(1250);
    expect(after.receivable - before.receivable).toBe(1875);
    expect(after.entries - before.entries).toBe(2);
  });
});

/** The roll-ups' month totals (`t`) over every bucket: each delta is added there exactly once. */
async function sumRollups(): Promise<{ payable: number; receivable: number; entries: number }> {
  const buckets = (await stack.models.Rollup.find({}).lean()) as unknown as { t?: Record<string, number> }[];
  const sum = { payable: 0, receivable: 0, entries: 0 };
  for (const b of buckets) {
    sum.payable += b.t?.payout_minor ?? 0;
    sum.receivable += b.t?.revenue_minor ?? 0;
    sum.entries += b.t?.entries ?? 0;
  }
  return sum;
}
