/**
 * Standard Webhooks' recommended schedule: attempt 1 at once, then the delays before attempts
 * 2..10, ≈ 3 days 3.6 h in all.
 */
export const defaultDeliverySchedule = '0s,5s,5m,30m,2h,5h,10h,14h,20h,24h';

const UNIT_MS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^(\d+)(ms|s|m|h|d)$/;

/**
 * "0s,200ms,1s" → [0, 200, 1000]: element i is the delay before attempt i + 1, so the schedule's
 * length is the number of attempts. Integers with a unit only; spaces around elements are allowed.
 */
export function parseSchedule(spec: string): number[] {
  // ''.split(',') is [''], which is refused below, so a schedule always has one attempt.
  return spec.split(',').map((raw) => {
    const element = raw.trim();
    const match = DURATION.exec(element);
    const ms = match ? Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS] : NaN;
    if (!Number.isSafeInteger(ms)) {
      throw new Error(
        `invalid delivery schedule element ${JSON.stringify(element)} in ${JSON.stringify(spec)}: ` +
          'expected a whole number with a unit ms, s, m, h or d (e.g. "0s,5s,5m")',
      );
    }
    return ms;
  });
}

const JITTER = 0.1;

/**
 * ±10 % jitter, so endpoints that failed together are not retried in lockstep. `random` is in
 * [0, 1) and comes from the caller (workflow code passes its deterministic Math.random()).
 */
export function withJitter(delayMs: number, random: number): number {
  if (!(delayMs >= 0) || !Number.isFinite(delayMs)) throw new RangeError(`delay must be a non-negative finite number, got ${delayMs}`);
  if (!(random >= 0 && random < 1)) throw new RangeError(`random must be in [0, 1), got ${random}`);
  return Math.round(delayMs * (1 + JITTER * (2 * random - 1)));
}
