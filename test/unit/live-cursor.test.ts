import fc from 'fast-check';
import { compareCursors, formatCursor, horizon, parseCursor, type Cursor } from '../../api/live/cursor';
import { matches } from '../../api/live/feed';
import type { LiveEvent } from '../../api/schemas/live';

const cursor = fc.record({
  t: fc.integer({ min: 0, max: 4_102_444_800_000 }),
  rank: fc.constantFrom(0, 1),
  id: fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
});

describe('live stream positions (api/live/cursor.ts)', () => {
  it('an event id reads back as the position it was written from', () => {
    fc.assert(fc.property(cursor, (c) => expect(parseCursor(formatCursor(c))).toEqual(c)));
    expect(parseCursor(formatCursor(horizon(1234)))).toEqual(horizon(1234));
  });

  it('orders by time, then kind, then id; a horizon comes after everything at its time', () => {
    const at = (t: number, rank: number, id: string): Cursor => ({ t, rank, id });
    const sorted = [at(1, 1, 'z'), at(2, 0, 'b'), at(2, 0, 'c'), at(2, 1, 'a'), horizon(2), at(3, 0, 'a')];
    expect([...sorted].reverse().sort(compareCursors)).toEqual(sorted);
  });

  it('refuses what it never sends', () => {
    for (const text of ['', 'abc', '12-5-cv_x', '12-0-', '12-9-cv_x', '-1-0-cv', '12-0-cv x', '1234567890123456-0-cv'])
      expect({ text, parsed: parseCursor(text) }).toEqual({ text, parsed: undefined });
  });
});

describe('live stream filters', () => {
  const conversion = { kind: 'conversion', id: 'cv_1', offer_id: 'off_a', affiliate_id: 'aff_a', status: 'approved' } as LiveEvent;
  const delivery = { kind: 'delivery', id: 'dl_1', offer_id: 'off_a', affiliate_id: 'aff_b', status: 'succeeded' } as LiveEvent;
  it('lets through what every given filter allows', () => {
    expect(matches({}, conversion)).toBe(true);
    expect(matches({ kind: 'delivery' }, conversion)).toBe(false);
    expect(matches({ offer_id: 'off_a', status: 'approved' }, conversion)).toBe(true);
    expect(matches({ offer_id: 'off_a', status: 'approved' }, delivery)).toBe(false);
    expect(matches({ affiliate_id: 'aff_b' }, delivery)).toBe(true);
    expect(matches({ affiliate_id: 'aff_b' }, conversion)).toBe(false);
  });
});
