/**
 * Who makes a request under /api. Four realms: the network's `admin` (everything), `ops`
 * (everything but keys and other credentials), and the partners, `advertiser:<id>` and
 * `affiliate:<id>`, who see only their own rows (api/access/authorize.ts). Any of them may be
 * read-only, and a partner may hold only some capabilities (a portal link names them).
 */
export const realms = ['admin', 'ops', 'advertiser', 'affiliate'] as const;
export type Realm = (typeof realms)[number];
export type PartnerRealm = 'advertiser' | 'affiliate';

/**
 * What a principal may do besides reading, in the spirit of Svix's App Portal capabilities. A
 * route that needs one declares it (RouteSpec.capability); admin and ops hold them all.
 */
export const capabilities = [
  'manage_endpoints',
  'rotate_secrets',
  'redeliver',
  'test_postbacks',
  'review_conversions',
  'rotate_token',
  'manage_keys',
] as const;
export type Capability = (typeof capabilities)[number];

export interface Principal {
  realm: Realm;
  /** The advertiser's or affiliate's id, for a partner. */
  party_id?: string;
  /** `admin`, `ops`, `advertiser:<id>` or `affiliate:<id>`: how keys, sessions and the audit log name it. */
  name: string;
  read_only: boolean;
  capabilities: readonly Capability[];
  /**
   * `key`: ADMIN_API_KEY (the name audit entries have always used); `api_key`: a scoped key
   * (api/access/keys.ts); `session`: the console's cookie.
   */
  via: 'key' | 'api_key' | 'session';
  /** The scoped key used, or the one the session was opened with. */
  key_id?: string;
  /** When the credential used ends: a key minted by this principal may not outlive it. */
  expires_at?: Date;
}

const namePattern = /^(?:(admin|ops)|(advertiser|affiliate):([A-Za-z0-9_-]{1,64}))$/;
export const principalNamePattern = namePattern.source;

/** `affiliate:aff_1` → its realm and party; undefined when it is not a principal's name. */
export function parsePrincipalName(name: string): { realm: Realm; party_id?: string } | undefined {
  const match = namePattern.exec(name);
  if (!match) return undefined;
  if (match[1]) return { realm: match[1] as Realm };
  return { realm: match[2] as Realm, party_id: match[3]! };
}

export const isPartner = (p: Principal): p is Principal & { realm: PartnerRealm; party_id: string } =>
  p.realm === 'advertiser' || p.realm === 'affiliate';

/** The admin behind ADMIN_API_KEY. */
export const adminPrincipal = (via: Principal['via'] = 'key'): Principal => ({
  realm: 'admin',
  name: 'admin',
  read_only: false,
  capabilities,
  via,
});

/** A principal from its stored description (a key or a session). */
export function principalFrom(
  stored: { principal: string; read_only?: boolean; capabilities?: readonly string[] | null },
  via: Principal['via'],
  extra: { key_id?: string; expires_at?: Date } = {},
): Principal | undefined {
  const parsed = parsePrincipalName(stored.principal);
  if (!parsed) return undefined;
  // Staff hold every capability; a partner's list (when given) is what it may do beyond reading.
  const held =
    parsed.realm === 'admin' || parsed.realm === 'ops' || !stored.capabilities
      ? capabilities
      : capabilities.filter((c) => stored.capabilities!.includes(c));
  return {
    ...parsed,
    name: stored.principal,
    read_only: stored.read_only ?? false,
    capabilities: held,
    via,
    ...(extra.key_id ? { key_id: extra.key_id } : {}),
    ...(extra.expires_at ? { expires_at: extra.expires_at } : {}),
  };
}

/**
 * Whether `wanted` is no broader than `holder`: the same principal or, for staff, any principal
 * (an admin mints any key; ops mint none, see the key routes), no write when the holder is
 * read-only, no capability the holder lacks, and no later end than the holder's.
 */
export function broaderThan(
  wanted: { principal: string; read_only: boolean; capabilities: readonly Capability[]; expires_at: Date },
  holder: Principal,
): { path: string; message: string } | undefined {
  if (holder.realm !== 'admin' && wanted.principal !== holder.name)
    return { path: 'principal', message: `a ${holder.realm} key can only be for ${holder.name}` };
  if (holder.read_only && !wanted.read_only) return { path: 'read_only', message: 'a read-only principal can only make read-only keys' };
  const missing = wanted.capabilities.filter((c) => !holder.capabilities.includes(c));
  if (missing.length > 0) return { path: 'capabilities', message: `capabilities the caller does not hold: ${missing.join(', ')}` };
  if (holder.expires_at && wanted.expires_at.getTime() > holder.expires_at.getTime())
    return { path: 'expires_in_days', message: `it would outlive the caller's own credential (ends ${holder.expires_at.toISOString()})` };
  return undefined;
}
