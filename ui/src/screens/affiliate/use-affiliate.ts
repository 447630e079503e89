import { useSession } from '../../session';

/** The signed-in affiliate's own id: every read of these screens is about it, and the API confines them to it anyway. */
export function useAffiliateId(): string {
  const { session } = useSession();
  if (session.realm !== 'affiliate' || !session.party_id) throw new Error('an affiliate screen outside an affiliate session');
  return session.party_id;
}
