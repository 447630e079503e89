import { useLocation } from 'preact-iso';
import { api, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice } from '../components/notice';
import { StreamHead, StreamState } from '../components/stream-view';
import { MAX_ROWS, useEventSource, type Connection, type StreamRow } from '../components/use-event-source';
import { timeZone, when } from './deliveries/format';
import { useLoad } from './deliveries/use-load';
// The live list's layout (head, controls, connection line, table) is the Live screen's.
import './live.css';
import './events.css';

type Envelope = Schemas['Event'];
/** An event with its feed position (the SSE id): the cursor the pull feed pages on from. */
type Positioned = Envelope & { position: string };

const toRow = (message: MessageEvent<string>): StreamRow<Positioned> => ({
  rowKey: message.lastEventId,
  event: { ...(JSON.parse(message.data) as Envelope), position: message.lastEventId },
});
const names = ['message'];

const stateText: Record<Exclude<Connection, 'stopped'>, string> = {
  connecting: 'Connecting…',
  open: 'Live: events appear at the top as they are recorded, with the ids subscriptions receive them under.',
  reconnecting: 'Connection lost: reconnecting. Nothing is missed; the events in between arrive once it is back.',
};

const text = (v: unknown) => (v === null || v === undefined ? '' : String(v));

/** One line on what happened, from the type's data (events/catalogue.ts). */
function Summary({ e }: { e: Envelope }) {
  const d = e.data;
  switch (e.type.split('.')[0]) {
    case 'conversion': {
      const money = d.payout !== null && d.payout !== undefined ? ` · payout ${text(d.payout)} ${text(d.currency)}` : '';
      const reason = d.reason ? ` (${text(d.reason)})` : '';
      const change = 'from' in d ? `${text(d.from)} → ${text(d.to)} by ${text(d.actor)}${reason}` : text(d.status);
      return (
        <>
          {change}
          {money} · goal {text(d.goal)}
        </>
      );
    }
    case 'delivery':
      return (
        <>
          {text(d.event)} postback to {text(d.endpoint_id)} · {text(d.attempts)} attempt(s)
          {Number(d.run) > 0 && <> in redelivery {text(d.run)}</>}
          {d.last_status_code !== null && <> · HTTP {text(d.last_status_code)}</>}
        </>
      );
    case 'endpoint':
      return (
        <>
          endpoint {text(d.endpoint_id)} of {text(d.affiliate_id)}
        </>
      );
    case 'click':
      return (
        <>
          click of {text(d.affiliate_id)} on {text(d.offer_id)}
          {Object.keys((d.subs as object | undefined) ?? {}).length > 0 && <> · {JSON.stringify(d.subs)}</>}
        </>
      );
    case 'offer':
      return (
        <>
          cap {text(d.cap_id)} ({text(d.window)}) of {text(d.offer_id)}: {text(d.reserved)} of {text(d.limit)} {text(d.metric)}
        </>
      );
    default:
      return null;
  }
}

function Row({ e }: { e: Positioned }) {
  const { position: _, ...envelope } = e; // the JSON as a consumer receives it; the position is beside it
  const conversionId = typeof e.data.conversion_id === 'string' ? e.data.conversion_id : undefined;
  return (
    <tr>
      <td class="nowrap">{when(e.occurred_at)}</td>
      <td>
        <span class="mono event-type">{e.type}</span>
      </td>
      <td>
        {conversionId ? (
          <a class="mono" href={`/ui/conversions/${encodeURIComponent(conversionId)}`}>
            {conversionId}
          </a>
        ) : (
          <span class="mono">{text(e.data.endpoint_id ?? e.data.click_id ?? e.data.offer_id)}</span>
        )}
      </td>
      <td class="detail">
        <Summary e={e} />
        <details>
          <summary>
            <span class="mono">{e.id}</span> · position {e.position}
          </summary>
          <pre class="event-json" tabIndex={0} aria-label={`Event ${e.id} as JSON`}>
            {JSON.stringify(envelope, null, 2)}
          </pre>
        </details>
      </td>
    </tr>
  );
}

/** The event feed as it grows (GET /api/events/stream), newest first: what subscriptions and the pull feed carry. */
export function EventsScreen() {
  const { query, path, route } = useLocation();
  const types = query.types || undefined;
  const url = `/api/events/stream${types ? `?types=${encodeURIComponent(types)}` : ''}`;
  const live = useEventSource<Positioned>(url, names, toRow);
  const catalogue = useLoad(() => api.GET('/api/event-types', {}), []);
  const known = catalogue.data?.data ?? [];
  const groups = [...new Set(known.map((t) => `${t.type.split('.')[0]}.*`))];
  const newest = live.rows[0]?.event.position;

  const setTypes = (next: string) => {
    live.keep((e) => !next || e.type === next || (next.endsWith('.*') && e.type.startsWith(next.slice(0, -1))));
    route(`${path}${next ? `?types=${encodeURIComponent(next)}` : ''}`, true);
  };

  return (
    <section aria-labelledby="events-title">
      <StreamHead id="events-title" title="Events" stream={live} />
      <p class="help">
        The event feed that <a href="/ui/subscriptions">subscriptions</a> receive and warehouses pull (<code>GET /api/events</code>), as it
        grows. Times are in {timeZone}.
      </p>
      {catalogue.error && <ErrorNotice>The event types could not be loaded for the filter: {catalogue.error}</ErrorNotice>}
      <form class="filters live-filters" aria-label="Filters" onSubmit={(e) => e.preventDefault()}>
        <div>
          <label for="events-types">Types</label>
          <select id="events-types" value={types ?? ''} onChange={(e) => setTypes((e.currentTarget as HTMLSelectElement).value)}>
            <option value="">Every type</option>
            {types && !groups.includes(types) && !known.some((t) => t.type === types) && <option value={types}>{types}</option>}
            {groups.map((g) => (
              <optgroup key={g} label={g}>
                <option value={g}>every {g}</option>
                {known
                  .filter((t) => `${t.type.split('.')[0]}.*` === g)
                  .map((t) => (
                    <option key={t.type} value={t.type} title={t.description}>
                      {t.type}
                    </option>
                  ))}
              </optgroup>
            ))}
          </select>
        </div>
      </form>
      <StreamState stream={live} what="The event stream" states={stateText} />
      {newest && (
        <p class="help">
          A warehouse loader goes on after the newest event here with <code>GET /api/events?after={newest}</code>.
        </p>
      )}
      {live.rows.length === 0 ? (
        <EmptyState title={types ? 'No events of these types yet' : 'No events yet'}>
          <p>
            Events are recorded as conversions are created and change status, postbacks are delivered or dead-lettered, endpoints pause and
            caps fill. Send a postback (see the walk-through in the README) to see some.
          </p>
        </EmptyState>
      ) : (
        <div class="table-wrap">
          <table class="live-table">
            <caption>Newest first; the last {MAX_ROWS} are kept. Open an event for its id, position and JSON.</caption>
            <thead>
              <tr>
                <th scope="col">Occurred</th>
                <th scope="col">Type</th>
                <th scope="col">About</th>
                <th scope="col">Details</th>
              </tr>
            </thead>
            <tbody>
              {live.rows.map((row) => (
                <Row key={row.rowKey} e={row.event} />
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
