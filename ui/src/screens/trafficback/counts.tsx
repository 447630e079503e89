import { useState } from 'preact/hooks';
import { api, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { queryString } from '../deliveries/filter';
import { when } from '../deliveries/format';
import { useLoad } from '../deliveries/use-load';
import { reasonLabels, reasons, type Reason } from './reasons';

type Figures = Pick<Schemas['ReportTotal'], 'trafficback' | 'trafficback_reasons'>;

const HOUR_MS = 3_600_000;

/**
 * The last 24 hours up to the end of the current hour, on whole UTC hours so the report reads the
 * hourly roll-ups (GET /api/reports), as the overview's `last=24h` does.
 */
function lastDay(now = Date.now()) {
  const to = Math.floor(now / HOUR_MS) * HOUR_MS + HOUR_MS;
  return { from: new Date(to - 24 * HOUR_MS).toISOString(), to: new Date(to).toISOString() };
}

/** Counts summed over report rows or totals (one per currency; counts add up, money would not). */
function sum(list: Figures[]): { total: number; byReason: Partial<Record<Reason, number>> } {
  const byReason: Partial<Record<Reason, number>> = {};
  let total = 0;
  for (const f of list) {
    total += f.trafficback ?? 0;
    for (const [reason, n] of Object.entries(f.trafficback_reasons ?? {}))
      byReason[reason as Reason] = (byReason[reason as Reason] ?? 0) + n;
  }
  return { total, byReason };
}

/**
 * How many clicks were turned away in the last 24 hours, by reason: the whole network's, or the
 * chosen offer's. Each reason links to its clicks below. Read from GET /api/reports grouped by offer,
 * whose rows are the report's own (trafficback is counted under the offer a click asked for).
 */
export function ReasonCounts({ reason, offerId, offerName }: { reason?: Reason; offerId?: string; offerName?: string }) {
  const [window] = useState(() => lastDay());
  const report = useLoad(
    () => api.GET('/api/reports', { params: { query: { group_by: 'offer', from: window.from, to: window.to, timezone: 'UTC' } } }),
    [],
  );
  const data = report.data;
  const counted = data ? sum(offerId ? data.rows.filter((r) => r.offer_id === offerId) : data.totals) : undefined;
  const where = offerId ? ` on ${offerName ?? offerId}` : '';
  return (
    <section aria-labelledby="tb-counts-title" class="tb-counts">
      <h2 id="tb-counts-title">Last 24 hours{where}</h2>
      {report.error && <ErrorNotice>The counts could not be loaded: {report.error}</ErrorNotice>}
      {!data && !report.error && <p class="loading">Counting…</p>}
      {data && counted && (
        <>
          <p class="help">
            {counted.total === 0
              ? `No click was turned away${where} from ${when(data.from)} to ${when(data.to)}.`
              : `${counted.total} click${counted.total === 1 ? ' was' : 's were'} turned away${where} from ${when(data.from)} to ${when(
                  data.to,
                )}. Pick a reason to list its clicks.`}
          </p>
          {counted.total > 0 && (
            <ul class="reason-counts" aria-label="Turned away by reason">
              {reasons
                .filter((r) => (counted.byReason[r] ?? 0) > 0)
                .map((r) => (
                  <li key={r}>
                    <a
                      href={`/ui/trafficback${queryString({ reason: r, offer_id: offerId })}`}
                      aria-current={r === reason ? 'true' : undefined}
                    >
                      <span class="n">{counted.byReason[r]}</span> {reasonLabels[r]}
                    </a>
                  </li>
                ))}
            </ul>
          )}
        </>
      )}
    </section>
  );
}
