import { useLocation } from 'preact-iso';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, fieldErrors, problemMessage, type Schemas } from '../api/client';
import { EmptyState, ErrorNotice, Loading } from '../components/notice';
import { useParties, type Parties } from './conversions/parties';
import { apiFilters, exportHref, fromUrl, hasFilters, localErrors, toUrl, type SearchState } from './conversions/query';
import { ResultsTable } from './conversions/results';
import { SearchForm } from './conversions/search-form';
import './conversions.css';

const PAGE_SIZE = 50;

type Result =
  | { kind: 'loading' }
  | { kind: 'invalid'; errors: Record<string, string>; message: string }
  | { kind: 'failed'; message: string }
  | { kind: 'ok'; page: Schemas['ConversionPage'] };

/**
 * Conversion search: any id in one box, filters, pages that follow the API's keyset cursor and
 * the whole filtered set as CSV. The URL is the state; this screen only reads it and links on.
 */
export function ConversionsScreen() {
  const { url, query, route } = useLocation();
  const state = useMemo(() => fromUrl(query), [url]);
  const { parties, failed: partiesFailed } = useParties();
  const [result, setResult] = useState<Result>({ kind: 'loading' });
  // Counting every match costs a scan, so it is asked once per filter set, not on every page.
  const totals = useRef(new Map<string, number>());
  const filterKey = exportHref(state);

  useEffect(() => {
    const local = localErrors(state);
    if (Object.keys(local).length > 0) {
      setResult({ kind: 'invalid', errors: local, message: 'Correct the marked filters, then search again.' });
      return;
    }
    let current = true;
    setResult({ kind: 'loading' });
    const withTotal = !totals.current.has(filterKey);
    api
      .GET('/api/conversions', {
        params: {
          query: {
            ...apiFilters(state),
            limit: PAGE_SIZE,
            ...(state.cursor ? { cursor: state.cursor } : {}),
            ...(withTotal ? { with_total: 'true' as const } : {}),
          },
        },
      })
      .then(
        ({ data, error }) => {
          if (!current) return;
          if (data) {
            if (data.total !== undefined) totals.current.set(filterKey, data.total);
            setResult({ kind: 'ok', page: data });
          } else {
            const errors = fieldErrors(error);
            setResult(
              Object.keys(errors).length > 0
                ? { kind: 'invalid', errors, message: problemMessage(error) }
                : { kind: 'failed', message: problemMessage(error) },
            );
          }
        },
        (err: unknown) => current && setResult({ kind: 'failed', message: problemMessage(err) }),
      );
    return () => {
      current = false;
    };
  }, [url]);

  const search = (next: SearchState) => route(toUrl(next));
  const total = totals.current.get(filterKey);
  const errors = result.kind === 'invalid' ? result.errors : {};

  return (
    <section class="conversions-screen" aria-labelledby="conversions-title">
      <h1 id="conversions-title">Conversions</h1>
      <SearchForm state={state} parties={parties} errors={errors} onSearch={search} />
      {partiesFailed && (
        <p class="help">Offer, affiliate and advertiser names could not be loaded; the pickers show ids only. Reload to try again.</p>
      )}
      <Results state={state} result={result} total={total} parties={parties} />
    </section>
  );
}

function Results(props: { state: SearchState; result: Result; total: number | undefined; parties: Parties }) {
  const { state, result, total, parties } = props;
  if (result.kind === 'loading') return <Loading what="conversions" />;
  if (result.kind === 'invalid') return <ErrorNotice>{result.message}</ErrorNotice>;
  if (result.kind === 'failed')
    return (
      <ErrorNotice>
        Could not load conversions: {result.message}. <a href={toUrl(state)}>Try again</a>.
      </ErrorNotice>
    );
  const { page } = result;
  if (page.data.length === 0)
    return state.cursor ? (
      <EmptyState title="No more conversions">
        <p>
          The earlier pages held every match. <a href={toUrl({ ...state, cursor: '', page: 1 })}>Back to the first page</a>.
        </p>
      </EmptyState>
    ) : (
      <EmptyState title={state.q ? `No conversion has the id “${state.q}”` : 'No conversions match'}>
        <p>
          {state.q
            ? 'Ids are matched exactly, whole and with the same capitals. Check it, or remove other filters that may exclude it.'
            : hasFilters(state)
              ? 'Widen the date range or remove a filter.'
              : 'Conversions appear here once advertisers send postbacks.'}{' '}
          {hasFilters(state) && <a href="/ui/conversions">Clear all filters</a>}
        </p>
      </EmptyState>
    );

  const first = (state.page - 1) * PAGE_SIZE + 1;
  return (
    <div class="results">
      <div class="results-bar">
        <p role="status" class="count">
          {total !== undefined ? `${total.toLocaleString('en-US')} conversion${total === 1 ? '' : 's'} match. ` : ''}
          Showing {first.toLocaleString('en-US')}–{(first + page.data.length - 1).toLocaleString('en-US')}, newest first.
        </p>
        <a class="export" href={exportHref(state)} download>
          Export all {total !== undefined ? `${total.toLocaleString('en-US')} ` : ''}as CSV
        </a>
      </div>
      <ResultsTable rows={page.data} zone={state.tz} parties={parties} />
      <nav class="pager" aria-label="Pages">
        {state.cursor && <a href={toUrl({ ...state, cursor: '', page: 1 })}>← First page</a>}
        {page.next_cursor ? (
          <a href={toUrl({ ...state, cursor: page.next_cursor, page: state.page + 1 })} rel="next">
            Next page →
          </a>
        ) : (
          <span class="help">Last page</span>
        )}
      </nav>
    </div>
  );
}
