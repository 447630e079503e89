import { useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import { api, problemMessage, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { queryString } from './deliveries/filter';
import { relative, timeZone, when } from './deliveries/format';
import { useLoad } from './deliveries/use-load';
import './deliveries.css';
import './subscriptions.css';

type Subscription = Schemas['Subscription'];
type Row = Schemas['SubscriptionDelivery'];

/** Active, paused by hand, held by the breaker, or deactivated: what an operator checks first. */
function State({ s }: { s: Subscription }) {
  if (!s.active) return <span class="badge bad">Deactivated{s.deactivated_reason ? `: ${s.deactivated_reason}` : ''}</span>;
  if (s.paused) return <span class="badge warn">Paused by hand since {when(s.paused_at)}</span>;
  if (s.paused_until && Date.parse(s.paused_until) > Date.now())
    return (
      <span class="badge warn" title={`${s.consecutive_failures} failures in a row`}>
        Breaker open, retries {relative(s.paused_until)}
      </span>
    );
  return <span class="badge ok">Sending</span>;
}

const deliveryStatusLabels: Record<Row['status'], string> = {
  pending: 'Waiting',
  delivering: 'Being delivered',
  succeeded: 'Delivered',
  failed: 'Failed (permanent answer)',
  dead_lettered: 'Dead-lettered (retries ran out)',
};

/** Event subscriptions (README "Subscriptions"): each receiver, its state and its failures. */
export function SubscriptionsScreen() {
  const { data, error, loading } = useLoad(() => api.GET('/api/subscriptions', {}), []);
  return (
    <>
      <div class="list-head">
        <h1>Subscriptions</h1>
        <a class="button" href="/ui/subscriptions/new">
          New subscription
        </a>
      </div>
      <p class="help">
        Receivers of postflow's events (CRMs, dashboards, warehouses), also managed with <code>/api/subscriptions</code>. Open one for its
        log, dead letters, replay and settings. Times are in {timeZone}.
      </p>
      {error && <ErrorNotice>Could not load the subscriptions: {error}. Reload the page to try again.</ErrorNotice>}
      {loading && !data && <Loading what="subscriptions" />}
      {data && data.data.length === 0 && (
        <EmptyState title="No subscriptions yet">
          <p>
            <a href="/ui/subscriptions/new">Create one</a> with a receiver URL and the event types it wants, or{' '}
            <code>POST /api/subscriptions</code> (see the API reference at <a href="/docs">/docs</a>).
          </p>
        </EmptyState>
      )}
      {data && data.data.length > 0 && (
        <div class="table-wrap" tabIndex={0} role="region" aria-label="Subscriptions table">
          <table>
            <thead>
              <tr>
                <th scope="col">Receiver</th>
                <th scope="col">Events</th>
                <th scope="col">State</th>
                <th scope="col" class="num">
                  Failures in a row
                </th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <tr key={s.id}>
                  <td>
                    <a href={`/ui/subscriptions/${s.id}`}>{s.url}</a>
                    <div class="help mono">
                      {s.id}
                      {s.affiliate_id ? ` · only ${s.affiliate_id}` : ''}
                      {s.strict_order ? ' · strict order' : ''}
                    </div>
                  </td>
                  <td class="mono">{s.event_types.join(', ')}</td>
                  <td>
                    <State s={s} />
                  </td>
                  <td class="num">{s.consecutive_failures}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

/** A datetime-local field's value as an ISO instant in the browser's zone, or undefined when empty. */
const instant = (value: FormDataEntryValue | null) => (value ? new Date(String(value)).toISOString() : undefined);

type ReplayRange = { from: string; to?: string } | { after_sequence: number; through_sequence?: number };

/** A whole number typed in a field, or undefined when empty. */
const whole = (value: FormDataEntryValue | null) => (value === null || String(value).trim() === '' ? undefined : Number(value));

/** Replay a time range or a sequence range: preview the count first, then send with the same range. */
function Replay({ id, onDone }: { id: string; onDone: () => void }) {
  const [by, setBy] = useState<'time' | 'sequence'>('time');
  const [preview, setPreview] = useState<{ range: ReplayRange; matched: number } | undefined>();
  const [message, setMessage] = useState<string | undefined>();
  const [failure, setFailure] = useState<string | undefined>();
  const call = async (body: ReplayRange & { dry_run?: boolean }) => {
    const { data, error } = await api.POST('/api/subscriptions/{id}/replay', { params: { path: { id } }, body });
    if (error || !data) throw new Error(problemMessage(error));
    return data;
  };
  const rangeOf = (form: FormData): ReplayRange | string => {
    if (by === 'sequence') {
      const after = whole(form.get('after_sequence'));
      const through = whole(form.get('through_sequence'));
      if (after === undefined) return 'Give the sequence number to replay after (0 for all).';
      return { after_sequence: after, ...(through !== undefined ? { through_sequence: through } : {}) };
    }
    const from = instant(form.get('from'));
    const to = instant(form.get('to'));
    if (!from) return 'Give the start of the range.';
    return { from, ...(to ? { to } : {}) };
  };
  const check = async (event: Event) => {
    event.preventDefault();
    const range = rangeOf(new FormData(event.currentTarget as HTMLFormElement));
    setMessage(undefined);
    setFailure(undefined);
    setPreview(undefined);
    if (typeof range === 'string') return setFailure(range);
    try {
      const counted = await call({ ...range, dry_run: true });
      setPreview({ range, matched: counted.matched });
    } catch (err) {
      setFailure((err as Error).message);
    }
  };
  const send = async () => {
    if (!preview) return;
    try {
      const done = await call(preview.range);
      setMessage(
        `Sent ${done.started} of ${done.matched} events again with their original ids` +
          (done.in_progress > 0 ? `; ${done.in_progress} were still being delivered.` : '.') +
          (done.truncated
            ? ` More matched than one replay sends (10,000): replay the rest by sequence number, after ${done.last_sequence}.`
            : ''),
      );
      setPreview(undefined);
      onDone();
    } catch (err) {
      setFailure((err as Error).message);
    }
  };
  const choose = (next: 'time' | 'sequence') => () => {
    setBy(next);
    setPreview(undefined);
    setFailure(undefined);
  };
  return (
    <section aria-labelledby="replay-title">
      <h2 id="replay-title">Replay</h2>
      <p class="help">
        Sends the events this subscription was given in a range again, with their original ids and sequence numbers (receivers that dedupe
        on the id see nothing twice). A receiver that lost events gives the last sequence number it processed.
      </p>
      <form class="filters" onSubmit={check} aria-label="Replay range">
        <fieldset class="replay-by">
          <legend>Range</legend>
          <label>
            <input type="radio" name="by" value="time" checked={by === 'time'} onChange={choose('time')} /> By time
          </label>
          <label>
            <input type="radio" name="by" value="sequence" checked={by === 'sequence'} onChange={choose('sequence')} /> By sequence number
          </label>
        </fieldset>
        {by === 'time' ? (
          <>
            <div>
              <label for="r-from">From ({timeZone})</label>
              <input id="r-from" name="from" type="datetime-local" step="1" required />
            </div>
            <div>
              <label for="r-to">Until (empty: now)</label>
              <input id="r-to" name="to" type="datetime-local" step="1" />
            </div>
          </>
        ) : (
          <>
            <div>
              <label for="r-after">After sequence number</label>
              <input id="r-after" name="after_sequence" type="number" min="0" step="1" required />
            </div>
            <div>
              <label for="r-through">Through (empty: the newest)</label>
              <input id="r-through" name="through_sequence" type="number" min="1" step="1" />
            </div>
          </>
        )}
        <button type="submit">Count events</button>
      </form>
      {preview && (
        <p class="notice" role="status">
          {preview.matched} events in this range.{' '}
          <button type="button" onClick={send} disabled={preview.matched === 0}>
            Replay {preview.matched} events
          </button>
        </p>
      )}
      {message && (
        <p class="notice" role="status">
          {message}
        </p>
      )}
      {failure && <ErrorNotice>{failure}</ErrorNotice>}
    </section>
  );
}

/** One subscription: its state and controls, its log (dead letters first when asked), replay. */
export function SubscriptionScreen({ id }: { id: string }) {
  const { query } = useLocation();
  const status = query.status && query.status in deliveryStatusLabels ? (query.status as Row['status']) : undefined;
  const sub = useLoad(() => api.GET('/api/subscriptions/{id}', { params: { path: { id } } }), [id]);
  const log = useLoad(
    () =>
      api.GET('/api/subscriptions/{id}/deliveries', {
        params: {
          path: { id },
          query: { limit: 200, ...(status ? { status } : {}), ...(query.after ? { after_sequence: Number(query.after) } : {}) },
        },
      }),
    [id, status, query.after],
  );
  const [failure, setFailure] = useState<string | undefined>();
  const act = async (what: 'pause' | 'resume') => {
    setFailure(undefined);
    const path = what === 'pause' ? '/api/subscriptions/{id}/pause' : '/api/subscriptions/{id}/resume';
    const { error } = await api.POST(path, { params: { path: { id } } });
    if (error) setFailure(problemMessage(error));
    sub.reload();
  };
  const redeliver = async (deliveryId: string) => {
    setFailure(undefined);
    const { error } = await api.POST('/api/deliveries/{id}/redeliver', { params: { path: { id: deliveryId } } });
    if (error) setFailure(problemMessage(error));
    log.reload();
  };
  const s = sub.data;
  return (
    <>
      <p>
        <a href="/ui/subscriptions">All subscriptions</a>
      </p>
      <h1>Subscription {id}</h1>
      {sub.error && <ErrorNotice>Could not load the subscription: {sub.error}</ErrorNotice>}
      {sub.loading && !s && <Loading what="the subscription" />}
      {s && (
        <dl class="facts">
          <div>
            <dt>Receiver</dt>
            <dd class="mono">{s.url}</dd>
          </div>
          <div>
            <dt>Events</dt>
            <dd class="mono">{s.event_types.join(', ')}</dd>
          </div>
          <div>
            <dt>Filter</dt>
            <dd class="mono">{Object.keys(s.filter).length > 0 ? JSON.stringify(s.filter) : 'none (every event of these types)'}</dd>
          </div>
          <div>
            <dt>Order</dt>
            <dd>{s.strict_order ? 'Strict: the next event only after the previous one ended' : 'Batches, as fast as possible'}</dd>
          </div>
          <div>
            <dt>State</dt>
            <dd>
              <State s={s} />{' '}
              {s.active &&
                (s.paused ? (
                  <button type="button" onClick={() => act('resume')}>
                    Resume
                  </button>
                ) : (
                  <button type="button" onClick={() => act('pause')}>
                    Pause
                  </button>
                ))}
            </dd>
          </div>
        </dl>
      )}
      {s && (
        <p>
          <a href={`/ui/subscriptions/${id}/edit`}>Edit settings</a>
          {s.description ? <span class="help"> · {s.description}</span> : null}
        </p>
      )}
      {failure && <ErrorNotice>{failure}</ErrorNotice>}
      <section aria-labelledby="log-title">
        <h2 id="log-title">Events sent</h2>
        <nav class="window-links" aria-label="Show">
          <a href={`/ui/subscriptions/${id}`} aria-current={!status ? 'true' : undefined}>
            All
          </a>
          <a
            href={`/ui/subscriptions/${id}${queryString({ status: 'dead_lettered' })}`}
            aria-current={status === 'dead_lettered' ? 'true' : undefined}
          >
            Dead letters
          </a>
          <a href={`/ui/subscriptions/${id}${queryString({ status: 'failed' })}`} aria-current={status === 'failed' ? 'true' : undefined}>
            Failed
          </a>
        </nav>
        {log.error && <ErrorNotice>Could not load the log: {log.error}</ErrorNotice>}
        {log.loading && !log.data && <Loading what="the log" />}
        {log.data && log.data.data.length === 0 && <EmptyState title={status ? 'None in this state' : 'No events sent yet'} />}
        {log.data && log.data.data.length > 0 && (
          <div class="table-wrap" tabIndex={0} role="region" aria-label="Events sent table">
            <table>
              <thead>
                <tr>
                  <th scope="col" class="num">
                    #
                  </th>
                  <th scope="col">Event</th>
                  <th scope="col">Occurred</th>
                  <th scope="col">Status</th>
                  <th scope="col" class="num">
                    Attempts
                  </th>
                  <th scope="col">Last answer</th>
                </tr>
              </thead>
              <tbody>
                {log.data.data.map((d) => (
                  <tr key={d.id}>
                    <td class="num">{d.sequence}</td>
                    <td>
                      {d.type}
                      <div class="help mono">{d.event_id}</div>
                    </td>
                    <td>{when(d.occurred_at)}</td>
                    <td>
                      {deliveryStatusLabels[d.status]}
                      {(d.status === 'failed' || d.status === 'dead_lettered') && (
                        <>
                          {' '}
                          <button type="button" onClick={() => redeliver(d.id)}>
                            Redeliver
                          </button>
                        </>
                      )}
                    </td>
                    <td class="num">{d.attempt_count}</td>
                    <td>
                      {d.last_status_code ? `HTTP ${d.last_status_code}` : ''}
                      {d.last_error ? <span class="mono"> {d.last_error}</span> : ''}
                      {d.next_attempt_at && <div class="help">next try {when(d.next_attempt_at)}</div>}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
        {log.data?.next_after_sequence != null && (
          <p>
            <a href={`/ui/subscriptions/${id}${queryString({ status, after: log.data.next_after_sequence })}`}>Next 200</a>
          </p>
        )}
      </section>
      <Replay id={id} onDone={log.reload} />
    </>
  );
}
