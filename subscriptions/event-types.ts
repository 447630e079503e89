import { z } from 'zod';

/**
 * Which event types a subscription receives: exact names (`conversion.status_changed`), a group
 * (`conversion.*`: every type under `conversion.`) or `*` (every type). Like Stripe's
 * `enabled_events`, `*` leaves out the high-volume types that must be chosen by name or group
 * (`click.created`), so subscribing to "everything" cannot flood a receiver by surprise.
 */

export const typePatternPattern = /^(\*|[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)*(\.\*)?)$/;

export const typePatternSchema = z
  .string()
  .max(100)
  .regex(typePatternPattern, 'must be an event type ("conversion.created"), a group ("conversion.*") or "*"');

/** Whether one pattern selects a type; `optIn` types are selected only by name or by their group. */
export function typeMatches(pattern: string, type: string, optIn: ReadonlySet<string> = new Set()): boolean {
  if (pattern === '*') return !optIn.has(type);
  if (pattern.endsWith('.*')) return type.startsWith(pattern.slice(0, -1));
  return pattern === type;
}

/** Whether any of a subscription's patterns selects the type. */
export function selectsType(patterns: readonly string[], type: string, optIn?: ReadonlySet<string>): boolean {
  return patterns.some((pattern) => typeMatches(pattern, type, optIn));
}

/** Patterns that select no type of the catalogue (a typo, or a type that does not exist): refused at save. */
export function unknownPatterns(patterns: readonly string[], catalogue: readonly string[]): string[] {
  return patterns.filter((pattern) => pattern !== '*' && !catalogue.some((type) => typeMatches(pattern, type)));
}
