import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Models } from '../models';

/**
 * Console sessions: a key (the admin's or a scoped one) or a portal link is exchanged once (POST /api/session) for a random session id
 * in an HttpOnly, SameSite=Strict cookie, so the key never stays in the browser (not in
 * localStorage, not in a script-readable cookie). The database keeps only the id's SHA-256.
 */
export const sessionCookie = 'postflow_session';
export const csrfHeader = 'X-CSRF-Token';

const digest = (value: string) => createHash('sha256').update(value).digest('hex');
const token = () => randomBytes(32).toString('base64url');

export interface NewSession {
  /** The cookie's value: given to the browser once, stored only as its digest. */
  cookieValue: string;
  csrfToken: string;
  expiresAt: Date;
}

/** Who a session signs in: a principal's name, and for a partner what it may do (a key's or a portal link's). */
export interface SessionGrant {
  principal: string;
  read_only?: boolean;
  capabilities?: readonly string[];
  /** The scoped key signed in with: revoking it ends the session. */
  key_id?: string;
  /** The latest the session may last (the key's own end). */
  notAfter?: Date;
}

export async function createSession(models: Models, grant: SessionGrant, ttlMs: number, now: Date): Promise<NewSession> {
  const cookieValue = token();
  const csrfToken = token();
  const ttlEnd = now.getTime() + ttlMs;
  const expiresAt = new Date(grant.notAfter ? Math.min(ttlEnd, grant.notAfter.getTime()) : ttlEnd);
  await models.Session.create({
    _id: digest(cookieValue),
    principal: grant.principal,
    read_only: grant.read_only ?? false,
    capabilities: grant.capabilities ? [...grant.capabilities] : undefined,
    ...(grant.key_id ? { key_id: grant.key_id } : {}),
    csrf_token: csrfToken,
    expires_at: expiresAt,
    last_seen_at: now,
  });
  return { cookieValue, csrfToken, expiresAt };
}

export interface ActiveSession {
  principal: string;
  read_only: boolean;
  capabilities?: string[];
  key_id?: string;
  csrfToken: string;
  expiresAt: Date;
  csrfMatches(presented: string | undefined): boolean;
}

/** The live session a cookie names, or undefined (none, unknown, signed out or expired). */
export async function readSession(models: Models, cookieValue: string | undefined, now: Date): Promise<ActiveSession | undefined> {
  if (!cookieValue || cookieValue.length > 100) return undefined;
  const doc = await models.Session.findById(digest(cookieValue)).lean();
  // The TTL index deletes expired rows about once a minute; until then the API refuses them itself.
  if (!doc || doc.expires_at.getTime() <= now.getTime()) return undefined;
  const expected = Buffer.from(doc.csrf_token);
  return {
    principal: doc.principal,
    read_only: doc.read_only ?? false,
    ...(doc.capabilities ? { capabilities: doc.capabilities } : {}),
    ...(doc.key_id ? { key_id: doc.key_id } : {}),
    csrfToken: doc.csrf_token,
    expiresAt: doc.expires_at,
    csrfMatches: (presented) => {
      const given = Buffer.from(presented ?? '');
      return given.length === expected.length && timingSafeEqual(given, expected);
    },
  };
}

export async function endSession(models: Models, cookieValue: string | undefined): Promise<void> {
  if (cookieValue) await models.Session.deleteOne({ _id: digest(cookieValue) });
}
