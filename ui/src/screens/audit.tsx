import { useLocation } from 'preact-iso';
import { api, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { queryString } from './deliveries/filter';
import { errorClassLabels, timeZone, when } from './deliveries/format';
import { useLoad } from './deliveries/use-load';
import './deliveries.css';

type Entry = Schemas['AuditEntry'];
type Action = Entry['action'];

const actionLabels: Record<Action, string> = {
  'conversion.status_change': 'Conversion status changed',
  'delivery.redeliver': 'Delivery redelivered',
  'delivery.bulk_redeliver': 'Bulk redelivery',
  'advertiser.create': 'Advertiser created',
  'advertiser.update': 'Advertiser updated',
  'advertiser.deactivate': 'Advertiser deactivated',
  'advertiser.token_rotate': 'Advertiser token rotated',
  'advertiser.test_postback': 'Advertiser test click made',
  'affiliate.create': 'Affiliate created',
  'affiliate.update': 'Affiliate updated',
  'affiliate.deactivate': 'Affiliate deactivated',
  'affiliate.test_postback': 'Affiliate test postback fired',
  'offer.create': 'Offer created',
  'offer.update': 'Offer updated',
  'offer.deactivate': 'Offer deactivated',
  'postback_endpoint.create': 'Postback endpoint created',
  'postback_endpoint.update': 'Postback endpoint updated',
  'postback_endpoint.deactivate': 'Postback endpoint deactivated',
  'api_key.create': 'API key created',
  'api_key.revoke': 'API key revoked',
  'api_key.rotate': 'API key rotated',
  'portal_link.create': 'Partner sign-in link created',
  'postback_endpoint.rotate_secret': 'Postback signing secret rotated',
  'postback_endpoint.pause': 'Postback endpoint paused',
  'postback_endpoint.resume': 'Postback endpoint resumed',
  'subscription.create': 'Event subscription created',
  'subscription.update': 'Event subscription updated',
  'subscription.deactivate': 'Event subscription deactivated',
  'subscription.rotate_secret': 'Event subscription secret rotated',
  'subscription.pause': 'Event subscription paused',
  'subscription.resume': 'Event subscription resumed',
  'subscription.replay': 'Event subscription replayed',
  'trafficback.update': 'Global trafficback target set',
  'mmp_integration.create': 'MMP integration created',
  'mmp_integration.update': 'MMP integration updated',
  'retention.run': 'Retention sweep started',
};
const PAGE = 50;

function Target({ e }: { e: Entry }) {
  if (!e.target_id) return <>—</>;
  if (e.target_type === 'conversion') return <a href={`/ui/conversions/${e.target_id}`}>{e.target_id}</a>;
  return <span class="mono">{e.target_id}</span>;
}

function What({ e }: { e: Entry }) {
  if (e.filter)
    return (
      <>
        <dl class="applied-filter">
          {Object.entries(e.filter)
            .filter(([, v]) => v)
            .map(([k, v]) => (
              <div key={k}>
                <dt>{k}</dt>
                <dd>{k === 'error_class' ? (errorClassLabels[String(v)] ?? String(v)) : String(v)}</dd>
              </div>
            ))}
        </dl>
        matched {e.matched}, started {e.started}
        {e.truncated ? ' (more matched than one run redelivers)' : ''}
      </>
    );
  if (e.status) return <>to {e.status + (e.reason ? `: “${e.reason}”` : '')}</>;
  if (e.fields?.length) return <>fields: {e.fields.join(', ')}</>;
  return null;
}

/** The audit log: every ops action through the API, newest first, filters in the URL. */
export function AuditScreen() {
  const { query, route } = useLocation();
  const action = query.action && query.action in actionLabels ? (query.action as Action) : undefined;
  const params = {
    limit: PAGE,
    ...(action ? { action } : {}),
    ...(query.target_id ? { target_id: query.target_id } : {}),
    ...(query.before ? { before: query.before } : {}),
  };
  const { data, error, loading } = useLoad(() => api.GET('/api/audit', { params: { query: params } }), [JSON.stringify(params)]);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    route(`/ui/audit${queryString({ action: value('action'), target_id: value('target_id') })}`);
  };

  return (
    <>
      <h1>Audit log</h1>
      <p class="help">
        Every status change, redelivery and configuration change made through the API or this console, newest first. Times are in {timeZone}
        .
      </p>
      <form class="filters" onSubmit={apply} key={`${action}/${query.target_id}`} aria-label="Filter">
        <div>
          <label for="a-action">Action</label>
          <select id="a-action" name="action">
            <option value="">Every action</option>
            {Object.entries(actionLabels).map(([v, label]) => (
              <option key={v} value={v} selected={v === action}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="a-target">Target id</label>
          <input id="a-target" name="target_id" defaultValue={query.target_id ?? ''} placeholder="cv_…, dl_…, off_…" size={20} />
        </div>
        <button type="submit">Apply filter</button>
        <a href="/ui/audit">Clear</a>
      </form>
      {error && <ErrorNotice>Could not load the audit log: {error}. Reload the page to try again.</ErrorNotice>}
      {loading && !data && <Loading what="the audit log" />}
      {data && data.data.length === 0 && (
        <EmptyState title="No entries match">
          <p>
            {action || query.target_id
              ? 'Clear the filter to see every action.'
              : 'Actions appear here once someone changes a status, redelivers or edits the configuration.'}
          </p>
        </EmptyState>
      )}
      {data && data.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Audit entries">
          <table>
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Who</th>
                <th scope="col">Action</th>
                <th scope="col">Target</th>
                <th scope="col">What</th>
                <th scope="col" class="num">
                  Count
                </th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((e) => (
                <tr key={e.id}>
                  <td>{when(e.at)}</td>
                  <td>
                    {e.actor.role} <span class="help">via {e.actor.via === 'session' ? 'console' : 'API key'}</span>
                  </td>
                  <td>{actionLabels[e.action]}</td>
                  <td>
                    <Target e={e} />
                  </td>
                  <td>
                    <What e={e} />
                  </td>
                  <td class="num">{e.count}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <p>
        {query.before && <a href={`/ui/audit${queryString({ action, target_id: query.target_id })}`}>Newest entries</a>}{' '}
        {data?.next_before && (
          <a href={`/ui/audit${queryString({ action, target_id: query.target_id, before: data.next_before })}`}>Older entries</a>
        )}
      </p>
    </>
  );
}
