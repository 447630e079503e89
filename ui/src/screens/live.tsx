import { useLocation } from 'preact-iso';
import { EmptyState } from '../components/notice';
import { StreamHead, StreamState } from '../components/stream-view';
import { EventRow, timeZone } from './live/event-row';
import { Filters, useDirectory } from './live/filters';
import { MAX_ROWS, type Connection } from '../components/use-event-source';
import { useLiveStream, type LiveEvent, type LiveFilters } from './live/use-live-stream';
import './live.css';

const filterKeys = ['kind', 'status', 'offer_id', 'affiliate_id'] as const;

function filtersOf(query: Record<string, string>): LiveFilters {
  const out: Record<string, string> = {};
  for (const key of filterKeys) if (query[key]) out[key] = query[key];
  return out as LiveFilters;
}

const matches = (f: LiveFilters) => (e: LiveEvent) =>
  (!f.kind || f.kind === e.kind) &&
  (!f.status || f.status === e.status) &&
  (!f.offer_id || f.offer_id === e.offer_id) &&
  (!f.affiliate_id || f.affiliate_id === e.affiliate_id);

const stateText: Record<Exclude<Connection, 'stopped'>, string> = {
  connecting: 'Connecting…',
  open: 'Live: new events appear at the top as they are stored.',
  reconnecting: 'Connection lost: reconnecting. Nothing is missed; the events in between arrive once it is back.',
};

/** New conversions and delivery outcomes as they are stored (GET /api/stream), newest first. */
export function LiveScreen() {
  const { query, path, route } = useLocation();
  const filters = filtersOf(query);
  const live = useLiveStream(filters);
  const directory = useDirectory();
  const filtered = Object.keys(filters).length > 0;

  const setFilters = (next: LiveFilters) => {
    const params = new URLSearchParams();
    for (const key of filterKeys) if (next[key]) params.set(key, next[key]!);
    live.keep(matches(next));
    route(`${path}${params.size > 0 ? `?${params}` : ''}`, true);
  };

  return (
    <section aria-labelledby="live-title">
      <StreamHead id="live-title" title="Live" stream={live} />
      <Filters filters={filters} onChange={setFilters} directory={directory} />
      <StreamState stream={live} what="The live stream" states={stateText} />
      {live.rows.length === 0 ? (
        <EmptyState title={filtered ? 'Nothing matching these filters yet' : 'No events yet'}>
          <p>
            New conversions and delivery outcomes appear here as they are stored, within a second or two of the postback.{' '}
            {filtered ? 'Widen the filters to see more.' : 'Send a postback (see the walk-through in the README) to see one.'}
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="live-table">
            <caption>
              Newest first; the last {MAX_ROWS} are kept. Times in {timeZone}.
            </caption>
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Event</th>
                <th scope="col">Status</th>
                <th scope="col">Conversion</th>
                <th scope="col">Offer</th>
                <th scope="col">Affiliate</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {live.rows.map((row) => (
                <EventRow key={row.rowKey} row={row} names={{ offers: directory.offerNames, affiliates: directory.affiliateNames }} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
