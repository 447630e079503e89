import { createHash, randomBytes } from 'node:crypto';
import type { Models } from '../../models';
import { newId } from '../../models/ids';
import type { SessionGrant } from '../session';
import type { Capability } from './principal';

const digest = (value: string) => createHash('sha256').update(value).digest('hex');

export interface NewPortalLink {
  principal: string;
  read_only: boolean;
  capabilities?: readonly Capability[];
  expires_at: Date;
  session_ttl_ms: number;
  created_by: string;
}

/** A single-use sign-in link's token (shown once) and its stored row (only the token's digest). */
export async function mintPortalLink(models: Models, spec: NewPortalLink) {
  const token = randomBytes(32).toString('base64url');
  const doc = await models.PortalLink.create({
    _id: digest(token),
    link_id: newId('pl'),
    ...spec,
    capabilities: spec.capabilities ? [...spec.capabilities] : undefined,
  });
  return { token, doc };
}

/**
 * Uses up a link: the one call that flips `used_at` gets the grant, so two browsers opening the
 * same link cannot both sign in. Undefined for an unknown, used or expired link.
 */
export async function consumePortalLink(
  models: Models,
  token: string,
  now: Date,
): Promise<{ grant: SessionGrant; sessionTtlMs: number } | undefined> {
  const doc = await models.PortalLink.findOneAndUpdate(
    { _id: digest(token), used_at: null, expires_at: { $gt: now } },
    { $set: { used_at: now } },
    { new: true },
  ).lean();
  if (!doc) return undefined;
  return {
    grant: { principal: doc.principal, read_only: doc.read_only, ...(doc.capabilities ? { capabilities: doc.capabilities } : {}) },
    sessionTtlMs: doc.session_ttl_ms,
  };
}
