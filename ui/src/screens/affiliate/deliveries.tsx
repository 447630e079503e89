import { Fragment } from 'preact';
import { useLocation } from 'preact-iso';
import { api, type Schemas } from '../../api/client';
import { EmptyState, ErrorNotice, Loading } from '../../components/notice';
import { useCan } from '../../session';
import { BulkRedeliver } from '../deliveries/bulk';
import { queryString } from '../deliveries/filter';
import { statusLabels, timeZone, when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';
import { DeliveryDetail } from './delivery-detail';
import { RedeliverButton } from './redeliver';
import { useAffiliateId } from './use-affiliate';
import './affiliate.css';

type Status = Schemas['Delivery']['status'];
const statuses: Status[] = ['succeeded', 'failed', 'dead_lettered', 'pending', 'delivering'];
const label = (s: Status) => statusLabels[s] ?? s;
const ended = (s: Status) => s === 'succeeded' || s === 'failed' || s === 'dead_lettered';

/**
 * The affiliate's delivery log (GET /api/deliveries, confined to it by the API): every postback we
 * sent it, with what was sent and what its server answered; redeliver one, or every failed one
 * after a preview. The filter and the opened delivery are in the URL.
 */
export function AffiliateDeliveries() {
  const affiliateId = useAffiliateId();
  const can = useCan();
  const { query, route } = useLocation();
  const status = (statuses as string[]).includes(query.status ?? '') ? (query.status as Status) : undefined;
  const offset = Number(query.offset) || 0;
  const open = query.open || undefined;
  const conversion = query.conversion_id || undefined;
  const params = { status, conversion_id: conversion, offset: offset || undefined };
  const page = useLoad(
    () =>
      api.GET('/api/deliveries', {
        params: { query: { limit: 50, offset, ...(status ? { status } : {}), ...(conversion ? { conversion_id: conversion } : {}) } },
      }),
    [status, offset, conversion],
  );
  const link = (extra: Record<string, string | number | undefined>) => `/ui/deliveries${queryString({ ...params, ...extra })}`;
  return (
    <section>
      <h1>Delivery log</h1>
      <p class="help">
        Every postback sent to your endpoints, newest first, with what was sent and what your server answered. Times in {timeZone}.
      </p>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <label for="dl-status">Status</label>
        <select
          id="dl-status"
          value={status ?? ''}
          onChange={(e) => route(`/ui/deliveries${queryString({ status: e.currentTarget.value })}`)}
        >
          <option value="">any</option>
          {statuses.map((s) => (
            <option key={s} value={s}>
              {label(s)}
            </option>
          ))}
        </select>
        {conversion && (
          <span>
            conversion <code>{conversion}</code> <a href={`/ui/deliveries${queryString({ status })}`}>show all</a>
          </span>
        )}
      </form>
      {page.error && <ErrorNotice>Could not read your deliveries: {page.error}. Reload to try again.</ErrorNotice>}
      {!page.data && !page.error && <Loading what="your deliveries" />}
      {page.data && page.data.data.length === 0 && (
        <EmptyState title="No deliveries here">
          <p>
            Postbacks are sent when your conversions change status, to the endpoints on <a href="/ui/postbacks">Postbacks</a>; a test
            postback from there shows up here in a few seconds.
          </p>
        </EmptyState>
      )}
      {page.data && page.data.data.length > 0 && (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Last answer</th>
                <th scope="col">Conversion</th>
                <th scope="col">Attempts</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {page.data.data.map((d) => (
                <Fragment key={d.id}>
                  <tr>
                    <td>
                      {d.event} <span class="help">{when(d.occurred_at)}</span>
                      <br />
                      <span class="mono help">{d.event_id}</span>
                    </td>
                    <td>
                      <span class={`badge ${d.status === 'succeeded' ? 'ok' : ended(d.status) ? 'bad' : 'warn'}`}>{label(d.status)}</span>
                      {d.next_attempt_at && <span class="help"> next try {when(d.next_attempt_at)}</span>}
                    </td>
                    <td>{d.last_status_code ? `HTTP ${d.last_status_code}` : (d.last_error ?? '—')}</td>
                    <td>
                      <a class="mono" href={`/ui/conversions/${d.conversion_id}`}>
                        {d.conversion_id}
                      </a>
                    </td>
                    <td class="num">{d.attempt_count}</td>
                    <td class="actions">
                      <a href={link({ open: open === d.id ? undefined : d.id })} aria-expanded={open === d.id ? 'true' : 'false'}>
                        {open === d.id ? 'Hide' : 'Show'} what was sent
                      </a>
                      {can('redeliver') && ended(d.status) && <RedeliverButton deliveryId={d.id} />}
                    </td>
                  </tr>
                  {open === d.id && (
                    <tr>
                      <td colSpan={6}>
                        <DeliveryDetail id={d.id} />
                      </td>
                    </tr>
                  )}
                </Fragment>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <div class="actions">
        {offset > 0 && <a href={link({ offset: Math.max(0, offset - 50) || undefined })}>Newer</a>}
        {page.data?.next_offset != null && <a href={link({ offset: page.data.next_offset })}>Older</a>}
      </div>
      {can('redeliver') && (status === 'failed' || status === 'dead_lettered') && (
        <BulkRedeliver filter={{ status, affiliate_id: affiliateId }} onDone={page.reload} audited={false} />
      )}
      {can('redeliver') && status !== 'failed' && status !== 'dead_lettered' && (
        <p class="help">
          To send many again at once, show the <a href={`/ui/deliveries?status=failed`}>failed</a> or{' '}
          <a href={`/ui/deliveries?status=dead_lettered`}>dead-lettered</a> ones.
        </p>
      )}
    </section>
  );
}
