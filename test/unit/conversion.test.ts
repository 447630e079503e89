import { dedupeKey, workflowIdFor } from '../../domain/conversion';
import { conversionIdFor } from '../../domain/conversion-id';

describe('dedupe key and conversion id', () => {
  it('is the same for the same (click, goal, txid) and differs when any part differs', () => {
    const base = { clickId: 'c1', goal: 'sale', txid: 't1' };
    expect(dedupeKey(base)).toBe(dedupeKey({ ...base }));
    const variants = [base, { ...base, clickId: 'c2' }, { ...base, goal: 'lead' }, { ...base, txid: 't2' }, { clickId: 'c1', goal: 'sale' }];
    expect(new Set(variants.map(dedupeKey)).size).toBe(variants.length);
  });

  it('cannot be forged by a value containing a delimiter', () => {
    // With naive "a|b|c" joining these two would collide.
    const a = dedupeKey({ clickId: 'x|sale', goal: 'y', txid: 'z' });
    const b = dedupeKey({ clickId: 'x', goal: 'sale|y', txid: 'z' });
    expect(a).not.toBe(b);
  });

  it('tells "no txid" apart from an empty or "null" txid', () => {
    expect(dedupeKey({ clickId: 'c', goal: 'g' })).not.toBe(dedupeKey({ clickId: 'c', goal: 'g', txid: 'null' }));
  });

  it('derives a stable, opaque conversion id and workflow id', () => {
    const id = conversionIdFor(dedupeKey({ clickId: 'c1', goal: 'sale' }));
    expect(id).toMatch(/^cv_[0-9a-f]{32}$/);
    expect(conversionIdFor(dedupeKey({ clickId: 'c1', goal: 'sale' }))).toBe(id);
    expect(id).not.toContain('c1');
    expect(workflowIdFor(id)).toBe(`conversion-${id}`);
  });
});
