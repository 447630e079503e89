import { InvalidArgumentError } from 'commander';
import { CliError, ExitCode } from './errors';

/** A commander parser for a whole number in [min, max]; a bad value is a usage error naming the range. */
export const wholeNumber = (min: number, max: number) => (value: string) => {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < min || n > max) {
    throw new InvalidArgumentError(`must be a whole number from ${min} to ${max}`);
  }
  return n;
};

/** Seconds, fractions allowed, for --timeout. */
export const positiveSeconds = (value: string) => {
  const n = Number(value);
  if (!value.trim() || !Number.isFinite(n) || n <= 0 || n > 3600)
    throw new InvalidArgumentError('must be a number of seconds above 0 and at most 3600');
  return n;
};

/**
 * Path segment for an id typed by a user. The API validates the id and names what is wrong; an
 * empty one is refused here, since `/api/conversions/` would reach the list route instead.
 */
export function segment(id: string, what: string): string {
  if (!id.trim()) throw new CliError(ExitCode.usage, `${what} must not be empty`);
  return encodeURIComponent(id.trim());
}
