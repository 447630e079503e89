import type { ComponentChildren } from 'preact';
import { formatIn } from '../conversions/time-zone';
import type { Entry } from './sections';

type Detail = Record<string, unknown>;
const str = (v: unknown): string | undefined =>
  v === undefined || v === null || v === '' ? undefined : typeof v === 'string' ? v : JSON.stringify(v);

function Facts({ rows }: { rows: [string, ComponentChildren][] }) {
  const shown = rows.filter(([, v]) => v !== undefined && v !== null && v !== '');
  if (shown.length === 0) return null;
  return (
    <dl class="entry-facts">
      {shown.map(([k, v]) => (
        <div key={k}>
          <dt>{k}</dt>
          <dd>{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** A delivery attempt as svix shows one: what was sent, what came back, how long it took. */
function attemptRows(d: Detail): [string, ComponentChildren][] {
  return [
    ['Request', d.request_url ? <code class="url">{`${str(d.method) ?? ''} ${str(d.request_url)}`.trim()}</code> : undefined],
    ['Status code', str(d.status_code)],
    ['Latency', typeof d.http_duration_ms === 'number' ? `${d.http_duration_ms} ms` : undefined],
    ['Error', str(d.error)],
    ['Response', d.response_excerpt ? <pre class="excerpt">{str(d.response_excerpt)}</pre> : undefined],
  ];
}

/** The facts of one entry that its title does not already say, by kind; everything else is under "Raw detail". */
function rowsFor(entry: Entry, zone: string): [string, ComponentChildren][] {
  const d = entry.detail as Detail;
  switch (entry.kind) {
    case 'received': {
      // What the advertiser sent, as the workflow received it; the internal keys stay under "Raw detail".
      const p = (d.parameters ?? {}) as Detail;
      return [
        ['click_id', str(p.clickId)],
        ['goal', str(p.goal)],
        ['txid', str(p.txid)],
        ['amount', str(p.amount)],
        ['currency', str(p.currency)],
        ['status', str(p.status)],
        ['ip', str(p.ip)],
        ['received at', typeof p.receivedAt === 'string' ? formatIn(p.receivedAt, zone) : undefined],
      ];
    }
    case 'fraud_check':
      return [
        ['Rule', str(d.rule)],
        ['Evidence', str(d.reason)],
      ];
    case 'fraud_verdict':
      return [
        ['Verdict', str(d.verdict)],
        ['Action on failure', str(d.action)],
      ];
    case 'status_change':
      return [
        ['Actor', str(d.actor)],
        ['Reason', str(d.reason)],
        ['Reason codes', Array.isArray(d.reason_codes) && d.reason_codes.length > 0 ? d.reason_codes.join(', ') : undefined],
      ];
    case 'delivery_attempt':
      return attemptRows(d);
    case 'delivery_wait': {
      const ms = typeof d.timer_ms === 'number' ? d.timer_ms : undefined;
      return [['Next attempt', ms === undefined ? undefined : `${formatIn(new Date(Date.parse(entry.at) + ms).toISOString(), zone)}`]];
    }
    case 'delivery_result':
      return [['Reason', str(d.reason)]];
    default:
      return [];
  }
}

export function EntryDetail({ entry, zone }: { entry: Entry; zone: string }) {
  const hasRaw = Object.keys(entry.detail).length > 0;
  return (
    <>
      <Facts rows={rowsFor(entry, zone)} />
      {hasRaw && (
        <details class="raw">
          <summary>Raw detail</summary>
          <pre>{JSON.stringify(entry.detail, null, 2)}</pre>
        </details>
      )}
    </>
  );
}
