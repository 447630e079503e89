import { maxRetryAfterMs, parseRetryAfter } from '../../domain/retry-after';
import { defaultDeliverySchedule, parseSchedule, withJitter } from '../../domain/retry-schedule';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

describe('parseSchedule', () => {
  it('reads the default Standard Webhooks schedule: 10 attempts over about 3 days 3.6 h', () => {
    const delays = parseSchedule(defaultDeliverySchedule);
    expect(delays).toEqual([0, 5 * SECOND, 5 * MINUTE, 30 * MINUTE, 2 * HOUR, 5 * HOUR, 10 * HOUR, 14 * HOUR, 20 * HOUR, 24 * HOUR]);
    const total = delays.reduce((sum, d) => sum + d, 0);
    expect(total).toBe(3 * DAY + 3 * HOUR + 35 * MINUTE + 5 * SECOND);
    expect(total / DAY).toBeCloseTo(3.15, 2); // the figure Standard Webhooks quotes
  });

  it.each([
    ['0s,200ms,1s', [0, 200, 1000]],
    ['1d', [DAY]],
    ['0ms', [0]],
    [' 0s , 5s ,2m', [0, 5 * SECOND, 2 * MINUTE]],
    ['7h,0s', [7 * HOUR, 0]],
  ])('%j → %j', (spec, expected) => {
    expect(parseSchedule(spec)).toEqual(expected);
  });

  it.each([
    ['', ''],
    ['0s,', ''],
    ['0s,,5s', ''],
    ['5', '5'],
    ['5x', '5x'],
    ['-5s', '-5s'],
    ['1.5s', '1.5s'],
    ['5 s', '5 s'],
    ['5S', '5S'],
    ['0s,5sec', '5sec'],
    ['99999999999999999999d', '99999999999999999999d'],
  ])('refuses %j, naming %j', (spec, bad) => {
    expect(() => parseSchedule(spec)).toThrow(`invalid delivery schedule element ${JSON.stringify(bad)}`);
  });
});

describe('withJitter', () => {
  it('stays within ±10 %, reaching both ends', () => {
    expect(withJitter(1000, 0)).toBe(900);
    expect(withJitter(1000, 0.5)).toBe(1000);
    expect(withJitter(1000, 0.999999)).toBe(1100);
    expect(withJitter(1000, 0.25)).toBe(950);
  });

  it('is monotonic in the random number and always an integer', () => {
    let previous = -1;
    for (let i = 0; i < 100; i++) {
      const jittered = withJitter(5 * HOUR + 7, i / 100);
      expect(Number.isInteger(jittered)).toBe(true);
      expect(jittered).toBeGreaterThanOrEqual(previous);
      expect(jittered).toBeGreaterThanOrEqual(0.9 * (5 * HOUR + 7) - 1);
      expect(jittered).toBeLessThanOrEqual(1.1 * (5 * HOUR + 7) + 1);
      previous = jittered;
    }
  });

  it('keeps 0 at 0', () => {
    expect(withJitter(0, 0)).toBe(0);
    expect(withJitter(0, 0.9)).toBe(0);
  });

  it.each([
    [1000, 1],
    [1000, -0.1],
    [1000, NaN],
    [-1, 0.5],
    [Infinity, 0.5],
    [NaN, 0.5],
  ])('refuses delay %p with random %p', (delay, random) => {
    expect(() => withJitter(delay, random)).toThrow(RangeError);
  });
});

describe('parseRetryAfter', () => {
  const now = new Date('2025-11-25T12:00:00.000Z');

  it.each([
    ['120', 120 * SECOND],
    ['0', 0],
    [' 30 ', 30 * SECOND],
    ['86400', DAY],
    ['86401', maxRetryAfterMs],
    ['99999999999999999999999', maxRetryAfterMs],
  ])('reads delta-seconds %j as %i ms', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([
    ['Tue, 25 Nov 2025 12:05:00 GMT', 5 * MINUTE], // IMF-fixdate
    ['Tuesday, 25-Nov-25 12:00:30 GMT', 30 * SECOND], // RFC 850
    ['Tue Nov 25 13:00:00 2025', HOUR], // asctime, always GMT
    ['Tue, 25 Nov 2025 11:00:00 GMT', 0], // in the past: at once, never negative
    ['Thu, 27 Nov 2025 12:00:00 GMT', maxRetryAfterMs], // beyond the cap
  ])('reads the HTTP-date %j as %i ms from now', (header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it('measures an HTTP-date from the given now, to the millisecond', () => {
    expect(parseRetryAfter('Tue, 25 Nov 2025 12:00:10 GMT', new Date('2025-11-25T12:00:00.250Z'))).toBe(9_750);
  });

  it.each([undefined, '', '   ', '-5', '1.5', '5s', 'soon', '2025-11-25T12:05:00Z', 'Tue, 32 Nov 2025 12:05:00 GMT', '12 0'])(
    'is undefined for %j',
    (header) => {
      expect(parseRetryAfter(header, now)).toBeUndefined();
    },
  );
});
