import { capCounterId, capsFor, capWindow, isValidTimeZone } from '../../domain/cap-window';
import { type Cap } from '../../domain/offer';

const at = (iso: string): Date => new Date(iso);

describe('capWindow: day', () => {
  it('cuts the day in the cap zone: 23:30 UTC on the 24th is already the 25th in Berlin', () => {
    expect(capWindow('day', 'Europe/Berlin', at('2026-11-24T23:30:00Z'))).toEqual({
      key: 'day:2026-11-25@Europe/Berlin',
      start: '2026-11-24T23:00:00.000Z',
      end: '2026-11-25T23:00:00.000Z',
    });
    expect(capWindow('day', 'UTC', at('2026-11-24T23:30:00Z'))).toEqual({
      key: 'day:2026-11-24@UTC',
      start: '2026-11-24T00:00:00.000Z',
      end: '2026-11-25T00:00:00.000Z',
    });
  });

  it('defaults to UTC', () => {
    expect(capWindow('day', undefined, at('2026-11-24T23:30:00Z'))).toEqual(capWindow('day', 'UTC', at('2026-11-24T23:30:00Z')));
  });

  it('puts the start instant in its own window and the end instant in the next', () => {
    const w = capWindow('day', 'Europe/Berlin', at('2026-11-24T23:00:00Z'));
    expect(w.key).toBe('day:2026-11-25@Europe/Berlin');
    expect(capWindow('day', 'Europe/Berlin', at('2026-11-24T22:59:59.999Z')).key).toBe('day:2026-11-24@Europe/Berlin');
    expect(capWindow('day', 'Europe/Berlin', at(w.end!)).key).toBe('day:2026-11-26@Europe/Berlin');
  });

  it('has a 23-hour day when New York springs forward', () => {
    const w = capWindow('day', 'America/New_York', at('2026-03-08T12:00:00Z'));
    expect(w).toEqual({
      key: 'day:2026-03-08@America/New_York',
      start: '2026-03-08T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
    });
    // 23:59:59 EDT is still the 8th; a fixed 24 h window would have cut at 05:00Z instead.
    expect(capWindow('day', 'America/New_York', at('2026-03-09T03:59:59Z')).key).toBe('day:2026-03-08@America/New_York');
    expect(capWindow('day', 'America/New_York', at('2026-03-09T04:00:00Z')).key).toBe('day:2026-03-09@America/New_York');
  });

  it('has a 25-hour day when New York falls back', () => {
    const w = capWindow('day', 'America/New_York', at('2026-11-01T12:00:00Z'));
    expect(w).toEqual({
      key: 'day:2026-11-01@America/New_York',
      start: '2026-11-01T04:00:00.000Z',
      end: '2026-11-02T05:00:00.000Z',
    });
    expect(capWindow('day', 'America/New_York', at('2026-11-02T04:30:00Z')).key).toBe('day:2026-11-01@America/New_York');
  });
  it('starts a day that has no midnight (Santiago springs forward at 24:00) at its first instant', () => {
    expect(capWindow('day', 'America/Santiago', at('2026-09-06T12:00:00Z'))).toEqual({
      key: 'day:2026-09-06@America/Santiago',
      start: '2026-09-06T04:00:00.000Z', // 01:00 -03, the first minute of that day
      end: '2026-09-07T03:00:00.000Z',
    });
    expect(capWindow('day', 'America/Santiago', at('2026-09-06T03:59:59Z')).key).toBe('day:2026-09-05@America/Santiago');
  });
});

describe('capWindow: week (ISO, Monday first)', () => {
  it.each([
    ['2026-01-01T12:00:00Z', 'week:2026-W01@UTC', '2025-12-29T00:00:00.000Z', '2026-01-05T00:00:00.000Z'],
    ['2027-01-01T12:00:00Z', 'week:2026-W53@UTC', '2026-12-28T00:00:00.000Z', '2027-01-04T00:00:00.000Z'],
    ['2024-12-31T12:00:00Z', 'week:2025-W01@UTC', '2024-12-30T00:00:00.000Z', '2025-01-06T00:00:00.000Z'],
    ['2021-01-03T12:00:00Z', 'week:2020-W53@UTC', '2020-12-28T00:00:00.000Z', '2021-01-04T00:00:00.000Z'],
  ])('%s is in %s (ISO week-year, not calendar year)', (instant, key, start, end) => {
    expect(capWindow('week', 'UTC', at(instant))).toEqual({ key, start, end });
  });

  it('starts the week at local Monday midnight', () => {
    // Sunday 23:30 UTC is Monday 00:30 in Berlin: a new week there, the old one in UTC.
    expect(capWindow('week', 'Europe/Berlin', at('2026-11-22T23:30:00Z'))).toEqual({
      key: 'week:2026-W48@Europe/Berlin',
      start: '2026-11-22T23:00:00.000Z',
      end: '2026-11-29T23:00:00.000Z',
    });
    expect(capWindow('week', 'UTC', at('2026-11-22T23:30:00Z')).key).toBe('week:2026-W47@UTC');
    expect(capWindow('week', 'Europe/Berlin', at('2027-01-03T23:30:00Z')).key).toBe('week:2027-W01@Europe/Berlin');
    expect(capWindow('week', 'UTC', at('2027-01-03T23:30:00Z')).key).toBe('week:2026-W53@UTC');
  });

  it('spans a DST change with local midnights at both ends', () => {
    expect(capWindow('week', 'America/New_York', at('2026-03-08T12:00:00Z'))).toEqual({
      key: 'week:2026-W10@America/New_York',
      start: '2026-03-02T05:00:00.000Z',
      end: '2026-03-09T04:00:00.000Z',
    });
  });
});

describe('capWindow: month and total', () => {
  it('cuts the month in the cap zone', () => {
    expect(capWindow('month', 'Europe/Berlin', at('2026-11-30T23:30:00Z'))).toEqual({
      key: 'month:2026-12@Europe/Berlin',
      start: '2026-11-30T23:00:00.000Z',
      end: '2026-12-31T23:00:00.000Z',
    });
    expect(capWindow('month', undefined, at('2026-11-30T23:30:00Z')).key).toBe('month:2026-11@UTC');
    expect(capWindow('month', 'America/New_York', at('2026-03-15T00:00:00Z'))).toEqual({
      key: 'month:2026-03@America/New_York',
      start: '2026-03-01T05:00:00.000Z',
      end: '2026-04-01T04:00:00.000Z',
    });
  });

  it('has one unbounded window for total, whatever the zone', () => {
    expect(capWindow('total', 'Europe/Berlin', at('2026-11-24T23:30:00Z'))).toEqual({
      key: 'total',
      start: null,
      end: null,
    });
    expect(capWindow('total', undefined, at('1999-01-01T00:00:00Z'))).toEqual({ key: 'total', start: null, end: null });
  });
});

describe('capWindow: windows tile time', () => {
  // Every 97 minutes through a year, in zones with DST at midnight (Santiago), half-hour DST
  // (Lord Howe) and a half-hour offset (Kolkata): each window contains its instant, and the
  // key changes exactly when the instant reaches the previous window's end.
  it.each(['America/Santiago', 'Australia/Lord_Howe', 'Asia/Kolkata', 'America/New_York'])('in %s', (zone) => {
    const step = 97 * 60_000; // not a divisor of an hour, so samples fall at every minute of the day
    const problems: string[] = [];
    for (const period of ['day', 'week', 'month'] as const) {
      let previous = capWindow(period, zone, at('2026-01-01T00:00:00Z'));
      for (let t = Date.parse('2026-01-01T00:00:00Z') + step; t < Date.parse('2027-01-01T00:00:00Z'); t += step) {
        const w = capWindow(period, zone, new Date(t));
        const [start, end] = [Date.parse(w.start ?? ''), Date.parse(w.end ?? '')];
        const here = `${period} at ${new Date(t).toISOString()}: ${JSON.stringify(w)} after ${JSON.stringify(previous)}`;
        if (!(start <= t && t < end)) problems.push(`does not contain the instant: ${here}`);
        if (w.key === previous.key ? w.start !== previous.start || w.end !== previous.end : w.start !== previous.end || t - start >= step) {
          problems.push(`gap, overlap or late cut: ${here}`);
        }
        previous = w;
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('capWindow: zones', () => {
  it('refuses an invalid zone, naming it', () => {
    expect(() => capWindow('day', 'Mars/Olympus_Mons', at('2026-11-24T12:00:00Z'))).toThrow('invalid time zone "Mars/Olympus_Mons"');
    expect(() => capWindow('day', '', at('2026-11-24T12:00:00Z'))).toThrow('invalid time zone ""');
  });

  it('refuses an invalid instant', () => {
    expect(() => capWindow('day', 'UTC', new Date(NaN))).toThrow('invalid instant');
  });

  it('keys a zone by its canonical spelling, so one window never gets two counters', () => {
    const instant = at('2026-11-24T23:30:00Z');
    expect(capWindow('day', 'europe/berlin', instant)).toEqual(capWindow('day', 'Europe/Berlin', instant));
    expect(capWindow('week', 'utc', instant).key).toBe('week:2026-W48@UTC');
  });

  it('isValidTimeZone tells IANA zones from anything else', () => {
    expect(isValidTimeZone('Europe/Berlin')).toBe(true);
    expect(isValidTimeZone('America/New_York')).toBe(true);
    expect(isValidTimeZone('UTC')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus_Mons')).toBe(false);
    expect(isValidTimeZone('')).toBe(false);
    expect(isValidTimeZone('Berlin')).toBe(false);
  });
});

describe('capCounterId', () => {
  const base = { offerId: 'o1', capId: 'c1', windowKey: 'day:2026-11-25@UTC' };

  it('is deterministic and differs when any part differs', () => {
    expect(capCounterId(base)).toBe(capCounterId({ ...base }));
    const variants = [
      base,
      { ...base, offerId: 'o2' },
      { ...base, capId: 'c2' },
      { ...base, windowKey: 'day:2026-11-26@UTC' },
      { ...base, affiliateId: 'a1' },
      { ...base, affiliateId: 'a2' },
    ];
    expect(new Set(variants.map(capCounterId)).size).toBe(variants.length);
  });

  it('includes the affiliate only when given', () => {
    expect(JSON.parse(capCounterId(base))).toEqual(['cap', 'o1', 'c1', 'day:2026-11-25@UTC']);
    expect(JSON.parse(capCounterId({ ...base, affiliateId: 'a1' }))).toEqual(['cap', 'o1', 'c1', 'day:2026-11-25@UTC', 'a1']);
    expect(capCounterId({ ...base, affiliateId: '' })).not.toBe(capCounterId(base));
  });

  it('cannot be forged by a value containing a delimiter or quote', () => {
    const a = capCounterId({ offerId: 'o1', capId: 'c1","x', windowKey: 'total' });
    const b = capCounterId({ offerId: 'o1', capId: 'c1', windowKey: 'x","total' });
    const c = capCounterId({ offerId: 'o1', capId: 'c1', windowKey: 'x', affiliateId: 'total' });
    expect(new Set([a, b, c]).size).toBe(3);
    expect(capCounterId({ offerId: 'o1|c1', capId: 'w', windowKey: 'k' })).not.toBe(
      capCounterId({ offerId: 'o1', capId: 'c1|w', windowKey: 'k' }),
    );
  });
});

describe('capsFor', () => {
  const cap = (id: string, goal?: string): Cap => ({
    id,
    goal,
    metric: 'conversions',
    period: 'day',
    limit: '10',
    on_exceed: 'reject',
  });
  const caps = [cap('all'), cap('sale', 'sale'), cap('lead', 'lead')];

  it('returns the goal-less caps and the caps of that goal, in order', () => {
    expect(capsFor(caps, 'sale').map((c) => c.id)).toEqual(['all', 'sale']);
    expect(capsFor(caps, 'lead').map((c) => c.id)).toEqual(['all', 'lead']);
    expect(capsFor(caps, 'install').map((c) => c.id)).toEqual(['all']);
    expect(capsFor([], 'sale')).toEqual([]);
  });
});
