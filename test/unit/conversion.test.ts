import { dedupeKey } from '../../domain/conversion';
import { conversionWorkflowId } from '../../domain/workflow-ids';
import { conversionIdFor } from '../../domain/conversion-id';

const base = { advertiserId: 'adv_1', offerId: 'off_1', clickId: 'clk_1', goal: 'sale' };

describe('dedupe key and conversion id', () => {
  it('with a txid: keyed by (advertiser, offer, goal, txid), whatever the click', () => {
    expect(dedupeKey({ ...base, txid: 't1' })).toBe(dedupeKey({ ...base, clickId: 'clk_2', txid: 't1' }));
    const variants = [
      { ...base, txid: 't1' },
      { ...base, txid: 't2' },
      { ...base, advertiserId: 'adv_2', txid: 't1' },
      { ...base, offerId: 'off_2', txid: 't1' },
      { ...base, goal: 'lead', txid: 't1' },
    ];
    expect(new Set(variants.map(dedupeKey)).size).toBe(variants.length);
  });

  it('without a txid: keyed by (click, goal)', () => {
    expect(dedupeKey(base)).toBe(dedupeKey({ ...base, offerId: 'other' }));
    expect(dedupeKey(base)).not.toBe(dedupeKey({ ...base, clickId: 'clk_2' }));
    expect(dedupeKey(base)).not.toBe(dedupeKey({ ...base, goal: 'lead' }));
  });

  it('cannot be forged by a value containing a delimiter, and "no txid" differs from txid "null"', () => {
    expect(dedupeKey({ ...base, clickId: 'x|sale', goal: 'y' })).not.toBe(dedupeKey({ ...base, clickId: 'x', goal: 'sale|y' }));
    expect(dedupeKey(base)).not.toBe(dedupeKey({ ...base, txid: 'null' }));
  });

  it('derives a stable, opaque conversion id and workflow id', () => {
    const id = conversionIdFor(dedupeKey(base));
    expect(id).toMatch(/^cv_[0-9a-f]{32}$/);
    expect(conversionIdFor(dedupeKey({ ...base }))).toBe(id);
    expect(id).not.toContain('clk_1');
    expect(conversionWorkflowId(id)).toBe(`conversion-${id}`);
  });
});
