import { useEffect, useState } from 'preact/hooks';
import { api, problemMessage, type Schemas } from '../../api/client';
import { ErrorNotice } from '../../components/notice';
import { errorClassLabels, statusLabels } from './format';
import type { DeliveryFilter } from './filter';

type Result = Schemas['BulkRedeliveryPreview'];
type Started = Schemas['BulkRedeliveryStarted'];
type State =
  | { kind: 'idle' }
  | { kind: 'busy'; what: string; preview?: Result }
  | { kind: 'previewed'; preview: Result; notice?: string }
  | { kind: 'done'; result: Started }
  | { kind: 'error'; message: string };

const labels: Record<string, (v: string) => string> = {
  status: (v) => statusLabels[v] ?? v,
  error_class: (v) => errorClassLabels[v] ?? v,
};

/** The filter as the API applied it, one term a line: what the confirmation will act on. */
function AppliedFilter({ filter }: { filter: Result['filter'] }) {
  return (
    <dl class="applied-filter">
      {Object.entries(filter)
        .filter(([, v]) => v)
        .map(([k, v]) => (
          <div key={k}>
            <dt>{k}</dt>
            <dd>{labels[k]?.(String(v)) ?? String(v)}</dd>
          </div>
        ))}
    </dl>
  );
}

/**
 * Redeliver everything the URL's filter matches, in two steps: a dry run that counts, then the
 * real call with the same filter and the count seen, which the API refuses if the set changed.
 */
export function BulkRedeliver({ filter, onDone, audited = true }: { filter: DeliveryFilter; onDone: () => void; audited?: boolean }) {
  const [state, setState] = useState<State>({ kind: 'idle' });
  const filterKey = JSON.stringify(filter);
  useEffect(() => setState({ kind: 'idle' }), [filterKey]);

  const preview = async (notice?: string) => {
    setState({ kind: 'busy', what: 'Counting…' });
    try {
      const { data, error } = await api.POST('/api/deliveries/redeliver', { body: { ...filter, dry_run: true } });
      setState(
        data && 'dry_run' in data ? { kind: 'previewed', preview: data, notice } : { kind: 'error', message: problemMessage(error) },
      );
    } catch (err) {
      setState({ kind: 'error', message: problemMessage(err) });
    }
  };

  const confirm = async (previewed: Result) => {
    setState({ kind: 'busy', what: 'Starting redeliveries…', preview: previewed });
    try {
      const { data, error, response } = await api.POST('/api/deliveries/redeliver', {
        body: { ...filter, expected_count: previewed.matched },
      });
      if (data && 'started' in data) {
        setState({ kind: 'done', result: data });
        onDone();
      } else if (response.status === 409 && (error as { error?: string }).error === 'count_changed') {
        // The set moved since the preview: show the new count and ask again, never act on it unseen.
        await preview(`Nothing was sent: ${problemMessage(error)}. Here is the new count.`);
      } else setState({ kind: 'error', message: problemMessage(error) });
    } catch (err) {
      setState({ kind: 'error', message: problemMessage(err) });
    }
  };

  return (
    <section class="bulk" aria-labelledby="bulk-title">
      <h2 id="bulk-title">Redeliver everything that matches the filter</h2>
      {state.kind === 'idle' && (
        <>
          <p class="help">First count what the filter above matches; nothing is sent until you confirm that count.</p>
          <button type="button" class="secondary" onClick={() => void preview()}>
            Preview bulk redelivery
          </button>
        </>
      )}
      {state.kind === 'busy' && (
        <p class="loading" role="status">
          {state.what}
        </p>
      )}
      {state.kind === 'previewed' && (
        <div role="status" class="bulk-preview">
          {state.notice && <p class="notice">{state.notice}</p>}
          <p>
            <strong>
              {state.preview.matched} {state.preview.matched === 1 ? 'delivery' : 'deliveries'}
            </strong>{' '}
            will be redelivered (same event ids, a new run each), matching:
          </p>
          <AppliedFilter filter={state.preview.filter} />
          {state.preview.truncated && (
            <p class="notice">
              {state.preview.total} match in all; one run redelivers the oldest {state.preview.matched}. Run it again for the rest.
            </p>
          )}
          {state.preview.matched === 0 ? (
            <p>Nothing to redeliver. Change the filter above{audited ? ', or pick an issue below' : ''}.</p>
          ) : (
            <button type="button" class="danger" onClick={() => void confirm(state.preview)}>
              Redeliver {state.preview.matched}
            </button>
          )}{' '}
          <button type="button" class="secondary" onClick={() => setState({ kind: 'idle' })}>
            Cancel
          </button>
        </div>
      )}
      {state.kind === 'done' && (
        <p role="status" class="notice">
          Started {state.result.started} of {state.result.matched} redeliveries.
          {state.result.started < state.result.matched && ' The others had just been started by someone else or were still running.'}
          {audited && (
            <>
              {' '}
              The <a href="/ui/audit?action=delivery.bulk_redeliver">audit log</a> has the entry.
            </>
          )}
        </p>
      )}
      {state.kind === 'error' && (
        <ErrorNotice>
          Could not redeliver: {state.message}.{' '}
          <button type="button" class="link" onClick={() => void preview()}>
            Count again
          </button>
        </ErrorNotice>
      )}
    </section>
  );
}
