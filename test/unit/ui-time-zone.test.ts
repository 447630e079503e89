import { formatIn, isDate, midnightIn, nextDay } from '../../ui/src/screens/conversions/time-zone';

/** The console's day range: local midnight in the chosen zone, found with Intl alone. */
describe('console time zones', () => {
  it.each([
    ['2026-11-25', 'UTC', '2026-11-25T00:00:00.000Z'],
    ['2026-11-25', 'Europe/Berlin', '2026-11-24T23:00:00.000Z'],
    ['2026-07-01', 'Europe/Berlin', '2026-06-30T22:00:00.000Z'],
    // The days clocks change: midnight is before the change, so the day's own offset is not the answer.
    ['2026-03-29', 'Europe/Berlin', '2026-03-28T23:00:00.000Z'],
    ['2026-03-30', 'Europe/Berlin', '2026-03-29T22:00:00.000Z'],
    ['2026-11-01', 'America/New_York', '2026-11-01T04:00:00.000Z'],
    ['2026-11-02', 'America/New_York', '2026-11-02T05:00:00.000Z'],
    ['2026-11-25', 'Asia/Kolkata', '2026-11-24T18:30:00.000Z'],
    ['2026-11-25', 'Asia/Kathmandu', '2026-11-24T18:15:00.000Z'],
    ['2026-11-25', 'Pacific/Kiritimati', '2026-11-24T10:00:00.000Z'],
  ])('midnight of %s in %s is %s', (date, zone, iso) => {
    expect(midnightIn(date, zone)).toBe(iso);
    expect(formatIn(iso, zone)).toBe(`${date} 00:00:00`);
  });

  it('ends an inclusive day range at the next midnight, across months and leap days', () => {
    expect(nextDay('2026-11-30')).toBe('2026-12-01');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('accepts only real calendar dates', () => {
    expect(isDate('2026-02-28')).toBe(true);
    expect(isDate('2026-13-01')).toBe(false);
    expect(isDate('2026-02-30')).toBe(false);
    expect(isDate('2028-02-29')).toBe(true);
    expect(isDate('2026-1-01')).toBe(false);
    expect(isDate('')).toBe(false);
  });
});
