import { randomBytes } from 'node:crypto';
import type { Models } from '../models';
import { secretMatches, sha256 } from './auth';

/** A new postback token: shown once (creation, rotation), only its SHA-256 is stored. */
export const newPostbackToken = (): string => `pt_${randomBytes(24).toString('base64url')}`;

/** The digests an advertiser document holds (models/advertiser.ts). */
export interface TokenDigests {
  postback_token_hash: string;
  previous_token_hash?: string | null;
  rotation_overlap_ends_at?: Date | null;
}

/**
 * What a presented token is to this advertiser: its current token, the one a rotation replaced
 * (still accepted until the overlap ends), that one after its overlap (refused, but the caller
 * can be told why), or nothing of its.
 */
export type TokenMatch = 'current' | 'previous' | 'expired' | 'wrong';

export function matchToken(advertiser: TokenDigests, token: string, now: Date): TokenMatch {
  if (secretMatches(token, advertiser.postback_token_hash)) return 'current';
  if (!advertiser.previous_token_hash || !secretMatches(token, advertiser.previous_token_hash)) return 'wrong';
  const ends = advertiser.rotation_overlap_ends_at;
  return ends && now.getTime() < ends.getTime() ? 'previous' : 'expired';
}

export const acceptedMatch = (match: TokenMatch): boolean => match === 'current' || match === 'previous';

/** Why an old token is refused, in words the advertiser can act on. */
export const expiredTokenMessage = (advertiser: TokenDigests) =>
  `this token was replaced by a rotation and stopped working at ${advertiser.rotation_overlap_ends_at?.toISOString() ?? 'once'}: ` +
  'send the new one';

/** The advertiser one of whose tokens this is (current or replaced), with how it matched; the digest is the lookup key. */
export async function advertiserByToken(models: Models, token: string, now: Date) {
  const digest = sha256(token);
  const advertiser = await models.Advertiser.findOne(
    { $or: [{ postback_token_hash: digest }, { previous_token_hash: digest }] },
    { _id: 1, postback_token_hash: 1, previous_token_hash: 1, rotation_overlap_ends_at: 1, active: 1, ip_allowlist: 1 },
  ).lean();
  return advertiser ? { advertiser, match: matchToken(advertiser, token, now) } : undefined;
}
