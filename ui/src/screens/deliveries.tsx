import { useLocation } from 'preact-iso';
import { api } from '../api/client';
import { BulkRedeliver } from './deliveries/bulk';
import { filterFromQuery, queryString } from './deliveries/filter';
import { errorClassLabels, statusLabels, timeZone, when } from './deliveries/format';
import { EndpointHealth, windows } from './deliveries/health';
import { Issues } from './deliveries/issues';
import { useLoad } from './deliveries/use-load';
import './deliveries.css';

/**
 * Deliveries: what did not reach affiliates, grouped into issues by endpoint and cause, each
 * endpoint's health, and redelivery of one or of everything the filter (kept in the URL) matches.
 */
export function DeliveriesScreen() {
  const { query, route } = useLocation();
  const filter = filterFromQuery(query);
  const hours = windows.some((w) => String(w.hours) === query.window) ? Number(query.window) : 24;
  const scope = {
    ...(filter.affiliate_id ? { affiliate_id: filter.affiliate_id } : {}),
    ...(filter.endpoint_id ? { endpoint_id: filter.endpoint_id } : {}),
    ...(filter.from ? { from: filter.from } : {}),
    ...(filter.to ? { to: filter.to } : {}),
  };
  const issues = useLoad(() => api.GET('/api/delivery-issues', { params: { query: scope } }), [JSON.stringify(scope)]);

  const apply = (event: Event) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget as HTMLFormElement);
    const value = (name: string) => String(form.get(name) ?? '').trim() || undefined;
    route(
      `/ui/deliveries${queryString({
        status: value('status'),
        error_class: value('error_class'),
        affiliate_id: value('affiliate_id'),
        endpoint_id: value('endpoint_id'),
        from: filter.from,
        to: filter.to,
        window: query.window,
      })}`,
    );
  };
  const { window: _w, ...filterQuery } = query;

  return (
    <>
      <h1>Deliveries</h1>
      <p class="help">Postbacks to affiliates that did not get through, grouped by endpoint and cause. Times are in {timeZone}.</p>
      {/* Keyed by the URL, so back and forward refill the fields with the filter in force. */}
      <form class="filters" onSubmit={apply} key={JSON.stringify(filter)} aria-label="Filter">
        <div>
          <label for="f-status">Status</label>
          <select id="f-status" name="status">
            {Object.entries(statusLabels).map(([v, label]) => (
              <option key={v} value={v} selected={v === filter.status}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-class">Cause</label>
          <select id="f-class" name="error_class">
            <option value="">Any cause</option>
            {Object.entries(errorClassLabels).map(([v, label]) => (
              <option key={v} value={v} selected={v === filter.error_class}>
                {label}
              </option>
            ))}
          </select>
        </div>
        <div>
          <label for="f-affiliate">Affiliate id</label>
          <input id="f-affiliate" name="affiliate_id" defaultValue={filter.affiliate_id ?? ''} placeholder="aff_…" size={16} />
        </div>
        <div>
          <label for="f-endpoint">Endpoint id</label>
          <input id="f-endpoint" name="endpoint_id" defaultValue={filter.endpoint_id ?? ''} placeholder="pb_…" size={16} />
        </div>
        <button type="submit">Apply filter</button>
        <a href={`/ui/deliveries${queryString({ window: query.window })}`}>Clear</a>
      </form>
      {(filter.from || filter.to) && (
        <p class="notice">
          Only deliveries created {filter.from ? `from ${when(filter.from)}` : ''} {filter.to ? `before ${when(filter.to)}` : ''}.{' '}
          <a href={`/ui/deliveries${queryString({ ...filterQuery, from: undefined, to: undefined, window: query.window })}`}>
            Drop the dates
          </a>
        </p>
      )}
      <Issues {...issues} filter={filter} query={query} onChanged={issues.reload} />
      <BulkRedeliver filter={filter} onDone={issues.reload} />
      <EndpointHealth hours={hours} affiliateId={filter.affiliate_id} query={query} />
    </>
  );
}
