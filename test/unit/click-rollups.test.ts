import { bucketUpdates, clicked } from '../../domain/rollup';
import type { Models } from '../../models';
import { countClicks, type CountedClick } from '../../rollups/clicks';

/** A stand-in Rollup collection that records each bulk write (pure unit test: no database). */
function rollupRecorder() {
  const writes: { updateOne: { filter: { _id: string }; update: { $inc: Record<string, number> } } }[][] = [];
  const models = {
    Rollup: { collection: { bulkWrite: async (ops: (typeof writes)[number]) => void writes.push(ops) } },
  } as unknown as Models;
  return { models, writes };
}

describe('countClicks (one roll-up write per batch of clicks)', () => {
  const at = (iso: string) => new Date(iso);
  const clicks: CountedClick[] = [
    { created_at: at('2026-03-31T23:10:00Z'), offer_id: 'off_a', affiliate_id: 'aff_1' },
    { created_at: at('2026-03-31T23:59:59.999Z'), offer_id: 'off_a', affiliate_id: 'aff_1' },
    { created_at: at('2026-04-01T00:00:00Z'), offer_id: 'off_a', affiliate_id: 'aff_1' }, // the next hour, day and month
    { created_at: at('2026-03-31T23:20:00Z'), offer_id: 'off_b', affiliate_id: 'aff_1' },
    { created_at: at('2026-03-31T23:30:00Z'), offer_id: 'off_a', affiliate_id: 'aff_2' },
    { created_at: at('2026-03-31T22:59:00Z'), offer_id: 'off_a', affiliate_id: 'aff_1' }, // the hour before
    { created_at: at('2026-03-31T23:45:00Z'), offer_id: 'off_a', affiliate_id: 'aff_1' },
    // Trafficback: one in a bucket of clicks, two alone in theirs (the first of a batch's hour is no click either).
    { created_at: at('2026-03-31T23:50:00Z'), offer_id: 'off_a', affiliate_id: 'aff_1', trafficback: { reason: 'cap_reached' } },
    { created_at: at('2026-03-31T23:05:00Z'), offer_id: 'off_c', affiliate_id: 'aff_1', trafficback: { reason: 'offer_unknown' } },
    { created_at: at('2026-03-31T23:06:00Z'), offer_id: 'off_c', affiliate_id: 'aff_1', trafficback: { reason: 'offer_unknown' } },
  ];

  it('adds exactly what one delta per click would, in a single bulk write', async () => {
    const { models, writes } = rollupRecorder();
    await countClicks(models, clicks);
    expect(writes).toHaveLength(1);
    const expected = bucketUpdates(clicks.map((c) => clicked(c.created_at, c.offer_id, c.affiliate_id, c.trafficback)));
    const written = writes[0]!.map((op) => ({ _id: op.updateOne.filter._id, inc: op.updateOne.update.$inc }));
    expect(written.sort((a, b) => a._id.localeCompare(b._id))).toEqual(
      expected.map((u) => ({ _id: u._id, inc: u.inc })).sort((a, b) => a._id.localeCompare(b._id)),
    );
    // The hour 23 of March 31 for off_a/aff_1 holds three clicks, counted as one increment of 3.
    const march = written.find((w) => w._id === JSON.stringify(['2026-03', 'off_a', 'aff_1', null, null]))!;
    expect(march.inc['h.23.31.clicks']).toBe(3);
    expect(march.inc['t.clicks']).toBe(4);
    expect([march.inc['h.23.31.trafficback'], march.inc['h.23.31.trafficback_cap_reached']]).toEqual([1, 1]);
    const unknown = written.find((w) => w._id === JSON.stringify(['2026-03', 'off_c', 'aff_1', null, null]))!;
    expect(unknown.inc).toEqual({
      't.trafficback': 2,
      't.trafficback_offer_unknown': 2,
      'd.31.trafficback': 2,
      'd.31.trafficback_offer_unknown': 2,
      'b.21.31.trafficback': 2,
      'b.21.31.trafficback_offer_unknown': 2,
      'h.23.31.trafficback': 2,
      'h.23.31.trafficback_offer_unknown': 2,
    });
  });

  it('never rejects: a failed count leaves the clicks answered (rollups:rebuild recounts them)', async () => {
    const models = { Rollup: { collection: { bulkWrite: () => Promise.reject(new Error('down')) } } } as unknown as Models;
    await expect(countClicks(models, clicks)).resolves.toBeUndefined();
  });

  it('never rejects on a trafficback reason it refuses either, and writes nothing half-counted', async () => {
    const { models, writes } = rollupRecorder();
    const odd = {
      created_at: at('2026-03-31T23:00:00Z'),
      offer_id: 'off_a',
      affiliate_id: 'aff_1',
      trafficback: { reason: 'cap.reached' },
    };
    await expect(countClicks(models, [...clicks, odd])).resolves.toBeUndefined();
    expect(writes).toHaveLength(0);
  });
});
