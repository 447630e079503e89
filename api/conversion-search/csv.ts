import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import { fromMinor } from '../../domain/money';

/** The export's columns, in order: what a spreadsheet user filters and sums. */
export const csvColumns = [
  'conversion_id',
  'received_at',
  'updated_at',
  'status',
  'reason_codes',
  'offer_id',
  'affiliate_id',
  'advertiser_id',
  'goal',
  'click_id',
  'txid',
  'amount',
  'payout',
  'revenue',
  'currency',
  'sub1',
  'sub2',
  'sub3',
  'sub4',
  'sub5',
  'ip',
  'workflow_id',
  'test', // 1 for a test conversion: leave it out before summing
] as const;

/**
 * txid and the subs are written by advertisers and by whoever clicked: a cell that starts like a
 * formula would run when ops open the file in a spreadsheet (CSV injection), so it is prefixed
 * with an apostrophe, which spreadsheets show as text.
 */
const inert = (value: string): string => (/^[=+\-@\t\r]/.test(value) ? `'${value}` : value);

type Doc = Record<string, unknown>;
export type CsvColumn = (typeof csvColumns)[number];

function toRow(doc: Doc): Record<(typeof csvColumns)[number], string> {
  const str = (v: unknown) => (typeof v === 'string' ? inert(v) : '');
  const currency = typeof doc.currency === 'string' ? doc.currency : undefined;
  const money = (minor: unknown) => (typeof minor === 'number' && currency ? fromMinor(minor, currency) : '');
  const subs = (doc.subs ?? {}) as Record<string, unknown>;
  const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : '');
  return {
    conversion_id: String(doc._id),
    received_at: iso(doc.received_at),
    updated_at: iso(doc.updated_at),
    status: str(doc.status),
    reason_codes: Array.isArray(doc.reason_codes) ? doc.reason_codes.map(String).map(inert).join(' ') : '',
    offer_id: str(doc.offer_id),
    affiliate_id: str(doc.affiliate_id),
    advertiser_id: str(doc.advertiser_id),
    goal: str(doc.goal),
    click_id: str(doc.click_id),
    txid: str(doc.txid),
    amount: str(doc.amount),
    payout: money(doc.payout_minor),
    revenue: money(doc.revenue_minor),
    currency: currency ?? '',
    sub1: str(subs.sub1),
    sub2: str(subs.sub2),
    sub3: str(subs.sub3),
    sub4: str(subs.sub4),
    sub5: str(subs.sub5),
    ip: str(doc.ip),
    workflow_id: str(doc.workflow_id),
    test: doc.test === true ? '1' : '0',
  };
}

/**
 * Conversions (a database cursor, read one batch at a time) as RFC 4180 CSV with a header row:
 * csv-stringify quotes every field that holds a comma, a quote or a line break. Backpressure
 * flows from the HTTP response to the cursor, so the export holds one batch in memory. A partner's
 * export has only the columns its projection shows, and its rows pass through `cut` (reason detail).
 */
export function conversionsCsv(
  docs: AsyncIterable<Doc>,
  opts: { columns?: readonly CsvColumn[]; cut?: (row: Doc) => Promise<Doc> } = {},
): Readable {
  const cut = opts.cut ?? (async (row: Doc) => row);
  const rows = Readable.from(
    (async function* () {
      for await (const doc of docs) yield toRow(await cut(doc));
    })(),
  );
  const csv = stringify({ header: true, columns: [...(opts.columns ?? csvColumns)], record_delimiter: '\r\n' });
  rows.on('error', (err) => csv.destroy(err));
  return rows.pipe(csv);
}
