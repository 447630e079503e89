import { randomBytes } from 'node:crypto';

/** Opaque, unguessable ids with a readable prefix (adv_, aff_, off_, clk_…). */
export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(10).toString('hex')}`;
}
