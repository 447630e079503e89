import { useSession } from '../../session';

/** From a partner's configuration page to its keys and sign-in links (the admin's only). */
export function PartnerAccessLink({ kind, id }: { kind: 'advertiser' | 'affiliate'; id: string }) {
  const { session } = useSession();
  if (session.realm !== 'admin') return null;
  return (
    <>
      {' · '}
      <a href={`/ui/config/partners/${kind}s/${id}`}>Partner access (keys, sign-in link)</a>
    </>
  );
}
