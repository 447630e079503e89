import { useSession, type Capability } from '../session';

const capabilityText: Record<Capability, string> = {
  manage_endpoints: 'add, change, pause and delete postback endpoints',
  rotate_secrets: 'rotate signing secrets',
  redeliver: 'send postbacks again',
  test_postbacks: 'fire test postbacks',
  review_conversions: 'approve or decline pending conversions',
  rotate_token: 'rotate the postback token',
  manage_keys: 'create and revoke its own API keys',
};

/** A partner's first screen until its realm has one of its own: who is signed in and what this session may do. */
export function PartnerHome() {
  const { session } = useSession();
  return (
    <section>
      <h1>Signed in as {session.principal}</h1>
      <p>
        Session ends {new Date(session.expires_at).toLocaleString()}.{' '}
        {session.read_only ? 'It is read-only: you can look at everything that is yours, and change nothing.' : ''}
      </p>
      {!session.read_only && session.capabilities.length > 0 && (
        <>
          <p>Besides reading, this session may:</p>
          <ul>
            {session.capabilities.map((c) => (
              <li key={c}>{capabilityText[c]}</li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
