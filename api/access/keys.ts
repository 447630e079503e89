import { randomBytes } from 'node:crypto';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import { secretMatches, sha256 } from './secrets';
import { principalFrom, type Capability, type Principal } from './principal';

/**
 * Scoped keys look like `pf_<16 hex><43 base64url>`: the prefix (`pf_` + 16 hex) is public and
 * unique, names the key in lists and finds its row; the rest is 256 random bits. Only the whole
 * key's SHA-256 is stored (a fast hash is enough for a random 256-bit secret).
 */
const PREFIX_LENGTH = 3 + 16;
export const keyPattern = /^pf_[0-9a-f]{16}[A-Za-z0-9_-]{43}$/;

/** How often a key's last_used_at is written at most: a busy key does not write on every request. */
const LAST_USED_EVERY_MS = 60_000;

export interface NewKey {
  principal: string;
  name: string;
  read_only: boolean;
  capabilities?: readonly Capability[];
  expires_at: Date;
  created_by: string;
  rotated_from?: string;
}

export async function mintKey(models: Models, spec: NewKey) {
  const key = `pf_${randomBytes(8).toString('hex')}${randomBytes(32).toString('base64url')}`;
  const doc = await models.ApiKey.create({
    _id: newId('key'),
    prefix: key.slice(0, PREFIX_LENGTH),
    hash: sha256(key),
    ...spec,
    capabilities: spec.capabilities ? [...spec.capabilities] : undefined,
  });
  return { key, doc };
}

/** The principal a presented scoped key stands for, or undefined (unknown, wrong, revoked or expired). */
export async function principalOfKey(models: Models, presented: string, now: Date): Promise<Principal | undefined> {
  if (!keyPattern.test(presented)) return undefined;
  const doc = await models.ApiKey.findOne({ prefix: presented.slice(0, PREFIX_LENGTH) }).lean();
  if (!doc || !secretMatches(presented, doc.hash)) return undefined;
  if (doc.revoked_at || doc.expires_at.getTime() <= now.getTime()) return undefined;
  const last = doc.last_used_at?.getTime() ?? 0;
  if (now.getTime() - last >= LAST_USED_EVERY_MS) {
    // Not awaited: the request does not wait on bookkeeping, and a lost write only makes the time older.
    void models.ApiKey.updateOne({ _id: doc._id, last_used_at: doc.last_used_at ?? null }, { $set: { last_used_at: now } }).catch(() => {});
  }
  return principalFrom(doc, 'api_key', { key_id: doc._id, expires_at: doc.expires_at });
}

/** Whether the key a session was opened with still holds (a revoked or expired key ends its sessions). */
export async function keyStillValid(models: Models, keyId: string, now: Date): Promise<boolean> {
  const doc = await models.ApiKey.findById(keyId, { revoked_at: 1, expires_at: 1 }).lean();
  return !!doc && !doc.revoked_at && doc.expires_at.getTime() > now.getTime();
}
