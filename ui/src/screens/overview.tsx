import { useEffect, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, fieldErrors, problemMessage, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { CapUse } from './overview/cap-use';
import { OverviewCharts } from './overview/charts';
import { localTime } from './overview/format';
import { Headline } from './overview/headline';
import { RangeControls } from './overview/controls';
import { apiQuery, rangeFromQuery, rangeToQuery, type OverviewRange } from './overview/range';
import './overview.css';

type Overview = Schemas['Overview'];
type State = { kind: 'loading' } | { kind: 'ready'; data: Overview } | { kind: 'error'; message: string; fields: Record<string, string> };

const per = { minute: 'per minute', hour: 'per hour', day: 'per day' } as const;

const noTraffic = (d: Overview) =>
  d.totals.every(
    (t) => !t.clicks && !t.trafficback && t.conversions.total === 0 && Number(t.payout ?? 0) === 0 && Number(t.revenue ?? 0) === 0,
  ) && d.deliveries.totals.attempts === 0;

/** Overview: the range's totals, then each figure as a time series, and every cap's use now. */
export function OverviewScreen() {
  const { query, route } = useLocation();
  const range = rangeFromQuery(query);
  const search = rangeToQuery(range);
  const [state, setState] = useState<State>({ kind: 'loading' });
  const [reloads, setReloads] = useState(0);

  // The range and zone always stand in the URL, defaults included, so a shared link shows the same zone.
  useEffect(() => {
    if (new URLSearchParams(window.location.search).toString() !== search) route(`/ui/?${search}`, true);
  }, [search]);

  useEffect(() => {
    let current = true;
    setState((s) => (s.kind === 'ready' ? s : { kind: 'loading' }));
    void api.GET('/api/overview', { params: { query: apiQuery(range) } }).then(
      ({ data, error }) => {
        if (!current) return;
        if (data) setState({ kind: 'ready', data });
        else setState({ kind: 'error', message: problemMessage(error), fields: fieldErrors(error) });
      },
      (err: unknown) => current && setState({ kind: 'error', message: problemMessage(err), fields: {} }),
    );
    return () => {
      current = false;
    };
  }, [search, reloads]);

  const change = (next: OverviewRange) => route(`/ui/?${rangeToQuery(next)}`);
  const data = state.kind === 'ready' ? state.data : undefined;
  return (
    <div class="overview">
      <h1>Overview</h1>
      <RangeControls
        range={range}
        onChange={change}
        onRefresh={() => setReloads((n) => n + 1)}
        errors={state.kind === 'error' ? state.fields : {}}
      />
      {state.kind === 'loading' && <Loading what="the overview" />}
      {state.kind === 'error' && <ErrorNotice>The overview could not be loaded: {state.message}</ErrorNotice>}
      {data && (
        <>
          <p class="range-line" aria-live="polite">
            {localTime(data.from, data.timezone)} to {localTime(data.to, data.timezone)} ({data.timezone}), {per[data.granularity]}
          </p>
          <Headline data={data} />
          {noTraffic(data) ? (
            <EmptyState title="No traffic in this range">
              <p>
                Choose a longer range above, or send a first click and postback: create an advertiser, an affiliate and an offer in{' '}
                <a href="/ui/config">Configuration</a>, open the offer's tracking link <code>/click?offer_id=…&amp;aff_id=…</code>, then
                send <code>/postback?click_id=…&amp;token=…</code>. The README's “Walk-through” section does it step by step with curl.
              </p>
            </EmptyState>
          ) : (
            <OverviewCharts data={data} />
          )}
          <CapUse caps={data.caps} timezone={data.timezone} />
        </>
      )}
    </div>
  );
}
