import { randomBytes } from 'node:crypto';

// Random bytes fetched from the CSPRNG in bulk, as crypto.randomUUID does: one call per 409 ids
// instead of one each (the per-id call was about 4 % of the API's CPU under the click load).
const POOL_BYTES = 4096;
let pool = Buffer.alloc(0);
let used = 0;

/** 10 random bytes as 20 hex digits. */
function randomHex(): string {
  if (used + 10 > pool.length) {
    pool = randomBytes(POOL_BYTES);
    used = 0;
  }
  used += 10;
  return pool.toString('hex', used - 10, used);
}

/** Opaque, unguessable ids with a readable prefix (adv_, aff_, off_, clk_…). */
export function newId(prefix: string): string {
  return `${prefix}_${randomHex()}`;
}

/**
 * An id for a high-rate insert (clicks): the creation time in milliseconds (12 hex digits), then
 * the same 10 random bytes as newId, so it is as hard to guess and sorts by time. Ids that sort
 * by time put each new document at the end of the _id index's B-tree: a commit rewrites one leaf
 * page instead of one leaf per document, which on the embedded H2 store is most of a click's cost
 * (random ids: several times the store's CPU per click), and keeps the index's working set small
 * on MongoDB too (the reason MongoDB's own ObjectIds start with a time).
 */
export function newTimeOrderedId(prefix: string, now = Date.now()): string {
  return `${prefix}_${now.toString(16).padStart(12, '0')}${randomHex()}`;
}
