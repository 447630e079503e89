/** The realms a caller of /api acts in (issue 15's principals). */
export type Realm = 'admin' | 'ops' | 'advertiser' | 'affiliate';

export interface ActingParty {
  realm: Realm;
  /** The advertiser's or affiliate's id, for the partner realms. */
  partyId?: string;
}

const realms: readonly string[] = ['admin', 'ops', 'advertiser', 'affiliate'];

/**
 * Who is acting, read from ctx.state.principal whichever shape it has: `{realm, party_id, …}`
 * (partner access) or the earlier `{role: 'admin', via}`. Code that needs "who did it" reads it
 * here, not from the fields. An unknown shape, or a partner without its id, is refused (throws):
 * a check that cannot tell who is calling must not let the call through.
 */
export function actingParty(principal: unknown): ActingParty {
  const p = (principal ?? {}) as { realm?: unknown; party_id?: unknown; role?: unknown };
  if (typeof p.realm === 'string' && realms.includes(p.realm)) {
    const realm = p.realm as Realm;
    if (realm === 'admin' || realm === 'ops') return { realm };
    if (typeof p.party_id === 'string' && p.party_id !== '') return { realm, partyId: p.party_id };
    throw new Error(`a ${realm} principal without a party_id`);
  }
  if (p.role === 'admin') return { realm: 'admin' };
  throw new Error('unrecognised principal');
}
