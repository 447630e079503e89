import { api } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { ActiveBadge } from '../config/parts';
import { usePaged } from '../config/use-paged';
import type { PartnerKind } from './capabilities';

/** Where the admin picks whose access to manage: every advertiser and affiliate. */
export function PartnersHome() {
  return (
    <>
      <p class="help">
        Give an advertiser or affiliate its own way in: a <strong>sign-in link</strong> for a person (opens this console once, scoped to
        that partner), or an <strong>API key</strong> for its systems. Partners see only their own data; what they may change is chosen per
        link and per key. Pick a partner:
      </p>
      <div class="party-lists">
        <PartyList kind="advertiser" />
        <PartyList kind="affiliate" />
      </div>
    </>
  );
}

function PartyList({ kind }: { kind: PartnerKind }) {
  const plural = `${kind}s`;
  const list = usePaged((offset) =>
    kind === 'advertiser'
      ? api.GET('/api/advertisers', { params: { query: { limit: 100, offset } } })
      : api.GET('/api/affiliates', { params: { query: { limit: 100, offset } } }),
  );
  const title = kind === 'advertiser' ? 'Advertisers' : 'Affiliates';
  return (
    <section aria-labelledby={`${plural}-title`}>
      <h2 id={`${plural}-title`}>{title}</h2>
      {list.error && (
        <ErrorNotice>
          Could not read the {plural}: {list.error}. Reload the page to try again.
        </ErrorNotice>
      )}
      {list.loading && list.rows.length === 0 && <Loading what={plural} />}
      {!list.loading && !list.error && list.rows.length === 0 && (
        <EmptyState title={`No ${plural} yet`}>
          <p>
            <a href={`/ui/config/${plural}/new`}>Create one</a> first, then come back to give it access.
          </p>
        </EmptyState>
      )}
      {list.rows.length > 0 && (
        <ul class="party-list">
          {list.rows.map((p) => (
            <li key={p.id}>
              <a href={`/ui/config/partners/${plural}/${p.id}`}>{p.name}</a> <code>{p.id}</code>{' '}
              {!p.active && <ActiveBadge active={false} />}
            </li>
          ))}
        </ul>
      )}
      {list.more && (
        <button type="button" class="secondary more" onClick={list.more}>
          Show more {plural}
        </button>
      )}
    </section>
  );
}
