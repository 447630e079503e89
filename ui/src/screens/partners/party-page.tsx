import { useRoute } from 'preact-iso';
import { api } from '../../api/client';
import { ErrorNotice, Loading } from '../../components/notice';
import { ActiveBadge, PageHead } from '../config/parts';
import { useLoad } from '../config/use-load';
import type { PartnerKind } from './capabilities';
import { KeysSection } from './keys';
import { SignInLinkSection } from './sign-in-link';

const read = (kind: PartnerKind, id: string) =>
  kind === 'advertiser'
    ? api.GET('/api/advertisers/{id}', { params: { path: { id } } })
    : api.GET('/api/affiliates/{id}', { params: { path: { id } } });

/** One advertiser's or affiliate's access: its keys and a sign-in link. */
export function PartyAccessPage({ kind }: { kind: PartnerKind }) {
  const { id } = useRoute().params as { id: string };
  const party = useLoad(() => read(kind, id), [kind, id]);
  const plural = `${kind}s`;
  if (party.error)
    return (
      <ErrorNotice>
        Could not read {kind} <code>{id}</code>: {party.error}. Pick one from the <a href="/ui/config/partners">partners</a>.
      </ErrorNotice>
    );
  if (!party.data) return <Loading what={`the ${kind}`} />;
  const p = party.data;
  return (
    <section>
      <PageHead back="/ui/config/partners" backLabel="Partner access" title={`${p.name}: access`}>
        <p class="meta">
          {kind} <code>{p.id}</code> <ActiveBadge active={p.active} /> · <a href={`/ui/config/${plural}/${p.id}`}>its configuration</a>
        </p>
      </PageHead>
      {!p.active && (
        <p class="notice warn">
          This {kind} is deactivated: its keys and sign-in links still open its view, but its{' '}
          {kind === 'advertiser' ? 'postbacks' : 'clicks'} are refused until it is reactivated.
        </p>
      )}
      <SignInLinkSection key={`link-${id}`} kind={kind} partyId={p.id} name={p.name} />
      <KeysSection key={`keys-${id}`} kind={kind} partyId={p.id} name={p.name} />
    </section>
  );
}
