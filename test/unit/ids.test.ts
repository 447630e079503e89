import { newId, newTimeOrderedId } from '../../models/ids';

describe('ids', () => {
  it('newId: the prefix and 20 random hex digits', () => {
    expect(newId('adv')).toMatch(/^adv_[0-9a-f]{20}$/);
    // Across several refills of the pool of random bytes, no id repeats.
    const many = Array.from({ length: 2_000 }, () => newId('clk'));
    expect(new Set(many).size).toBe(many.length);
  });

  it('newTimeOrderedId: the time in 12 hex digits, then 20 random ones; later ids sort after earlier ones', () => {
    const t = Date.UTC(2026, 11, 1);
    const id = newTimeOrderedId('clk', t);
    expect(id).toMatch(/^clk_[0-9a-f]{32}$/);
    expect(id.slice(4, 16)).toBe(t.toString(16).padStart(12, '0'));
    expect(newTimeOrderedId('clk', t)).not.toBe(id); // the random part differs within one millisecond
    const ids = [t, t + 1, t + 1_000, t + 86_400_000 * 365 * 100].map((ms) => newTimeOrderedId('clk', ms));
    expect([...ids].reverse().sort()).toEqual(ids);
  });
});
