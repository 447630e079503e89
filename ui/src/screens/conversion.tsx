import { useLocation, useRoute } from 'preact-iso';
import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { StatusBadge } from '../components/status-badge';
import { Deliveries } from './conversion/deliveries';
import { sections, type SectionKey } from './conversion/sections';
import { StatusForm } from './conversion/status-form';
import { Timeline } from './conversion/timeline';
import { useParties, type Parties } from './conversions/parties';
import { browserZone, formatIn, isZone } from './conversions/time-zone';
import './conversion.css';

type Loaded = { conversion: Schemas['ConversionWithDeliveries']; history: Schemas['ConversionHistory'] };
type State = { kind: 'loading' } | { kind: 'missing' } | { kind: 'failed'; message: string } | { kind: 'ok'; data: Loaded };

// While a delivery is being attempted, or its next attempt is due soon, the page follows it. A
// delivery waiting hours for its next attempt (or a paused endpoint) is not polled for.
const FOLLOW_MS = 2000;
const FOLLOW_WITHIN_MS = 30_000;
const dueSoon = (d: Schemas['Delivery']) =>
  (d.status === 'pending' || d.status === 'delivering') &&
  (!d.next_attempt_at || Date.parse(d.next_attempt_at) - Date.now() < FOLLOW_WITHIN_MS);

/** One conversion's whole story: what it is now, what ops can do to it, and every step that led here. */
export function ConversionScreen() {
  const { params } = useRoute();
  const { query, url, route, path } = useLocation();
  const id = params.id ?? '';
  const zone = query.tz && isZone(query.tz) ? query.tz : browserZone();
  const show = (sections.some((s) => s.key === query.show) || query.show === 'workflow' ? query.show : '') as SectionKey | '';
  const { parties } = useParties();
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [version, setVersion] = useState(0);
  const reload = () => setVersion((v) => v + 1);

  useEffect(() => {
    let current = true;
    Promise.all([
      api.GET('/api/conversions/{id}', { params: { path: { id } } }),
      api.GET('/api/conversions/{id}/history', { params: { path: { id } } }),
    ]).then(
      ([c, h]) => {
        if (!current) return;
        if (c.response.status === 404 || c.response.status === 400) setState({ kind: 'missing' });
        else if (c.data && h.data) setState({ kind: 'ok', data: { conversion: c.data, history: h.data } });
        else setState({ kind: 'failed', message: problemMessage(c.error ?? h.error) });
      },
      (err: unknown) => current && setState({ kind: 'failed', message: problemMessage(err) }),
    );
    return () => {
      current = false;
    };
  }, [id, version]);

  const following = state.kind === 'ok' && state.data.conversion.deliveries.some(dueSoon);
  useEffect(() => {
    if (!following) return;
    const timer = setTimeout(reload, FOLLOW_MS);
    return () => clearTimeout(timer);
  }, [following, state]);

  if (state.kind === 'loading') return <Loading what="the conversion" />;
  if (state.kind === 'missing')
    return (
      <EmptyState title={`No conversion with the id “${id}”`}>
        <p>
          Search for it by any of its ids (click, transaction, event or workflow id) on the <a href="/ui/conversions">conversion search</a>.
        </p>
      </EmptyState>
    );
  if (state.kind === 'failed')
    return (
      <ErrorNotice>
        Could not load the conversion: {state.message}.{' '}
        <button type="button" class="link" onClick={reload}>
          Try again
        </button>
      </ErrorNotice>
    );

  const { conversion: c, history: h } = state.data;
  const setShow = (s: SectionKey | '') => {
    const next = new URLSearchParams(url.split('?')[1] ?? '');
    if (s) next.set('show', s);
    else next.delete('show');
    const qs = next.toString();
    route(`${path}${qs ? `?${qs}` : ''}`, true);
  };

  return (
    <article class="conversion-page" aria-labelledby="conversion-title">
      <p class="crumbs">
        <a href="/ui/conversions">← Conversions</a>
      </p>
      <div class="page-head">
        <h1 id="conversion-title">
          Conversion <span class="mono">{c.id}</span>
        </h1>
        <StatusBadge status={c.status} />
        <button type="button" class="secondary" onClick={reload}>
          Refresh
        </button>
      </div>
      {following && (
        <p class="help" role="status">
          A delivery is under way: this page refreshes every {FOLLOW_MS / 1000} s until it ends.
        </p>
      )}
      <Summary c={c} h={h} zone={zone} parties={parties} />
      <StatusForm id={c.id} current={c.status} onChanged={reload} />
      <Deliveries deliveries={c.deliveries} zone={zone} onRedelivered={reload} />
      {!h.history_available && (
        <p class="notice">
          Temporal no longer keeps this workflow&apos;s history (its retention has passed), so the timeline shows the status history stored
          with the conversion.
        </p>
      )}
      <Timeline entries={h.entries} zone={zone} show={show} onShow={setShow} />
    </article>
  );
}

function Summary({ c, h, zone, parties }: { c: Schemas['Conversion']; h: Schemas['ConversionHistory']; zone: string; parties: Parties }) {
  const money = (v: string | null | undefined) => (v ? `${v} ${c.currency ?? ''}`.trim() : '—');
  const rows: [string, preact.ComponentChildren][] = [
    [`Received (${zone})`, formatIn(c.created_at, zone)],
    ['Offer', parties.label('offers', c.offer_id)],
    ['Affiliate', parties.label('affiliates', c.affiliate_id)],
    ['Advertiser', parties.label('advertisers', c.advertiser_id)],
    ['Goal', c.goal],
    ['Click', <span class="mono">{c.click_id}</span>],
    ['Transaction id', c.txid ? <span class="mono">{c.txid}</span> : '—'],
    ['Sale amount', money(c.amount)],
    ['Payout', money(c.payout)],
    ['Revenue', money(c.revenue)],
    ['Reason codes', c.reason_codes.length > 0 ? c.reason_codes.join(', ') : '—'],
    [
      'Workflow',
      <>
        <span class="mono">{h.workflow_id}</span> ({h.workflow_status?.toLowerCase() ?? 'no longer kept by Temporal'})
        {h.temporal_ui_url && (
          <>
            {' '}
            ·{' '}
            <a href={h.temporal_ui_url} target="_blank" rel="noreferrer">
              Open in the Temporal UI
            </a>
          </>
        )}
      </>,
    ],
  ];
  return (
    <dl class="summary">
      {rows.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}
